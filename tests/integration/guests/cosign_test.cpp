// Guests co-sign (issue 22): a sealed document co-signed by a firm's client with a one-time
// code and a one-time key, accepted by pdfsig, qpdf and openssl; the guest's certificate as the
// contract says; the token's keys the same before and after; and every refusal.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "tests/integration/appearance/rendering.hpp"
#include "tests/integration/guests/guest_firm.hpp"
#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/validators.hpp"

namespace {

using nlohmann::json;
using signet::test::GuestFirm;
using signet::test::HttpResult;
using signet::test::in_days;
using signet::test::read_file;
using signet::test::run;
using signet::test::sha256_of;

GuestFirm& firm() {
    static GuestFirm shared;
    return shared;
}

void expect(const HttpResult& result, int status, const std::string& code, const std::string& words) {
    BOOST_TEST(result.status == status, result.body);
    BOOST_TEST(result.body.find("\"" + code + "\"") != std::string::npos, result.body);
    BOOST_TEST(result.body.find(words) != std::string::npos, words << " not in " << result.body);
}

// The newest entries of `event`.
std::vector<json> events(GuestFirm& f, const std::string& event) {
    std::vector<json> found;
    for (const json& entry : f.inst.audit_entries()) {
        if (entry.at("event") == event) found.push_back(entry);
    }
    return found;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(guests)

BOOST_AUTO_TEST_CASE(a_guest_cosigns_a_sealed_document_with_a_one_time_key) {
    GuestFirm& f = firm();
    const auto sealed = f.sealed_letter("engagement");
    const std::string digest = sha256_of(sealed);
    const int keys_before = f.private_keys();

    const json guest = f.invited({digest}, "Camille Rousseau-Lefèvre", "camille@example.fr");
    const std::string id = guest.at("guest_id");
    auto signed_reply = f.cosign(id, guest.at("code"), sealed, json{{"appearance", {{"page", 2}, {"rect", {300, 40, 560, 120}}}}});
    BOOST_REQUIRE_MESSAGE(signed_reply.status == 200, signed_reply.body);
    const json answer = signed_reply.json();
    BOOST_TEST(answer.at("guest_id") == id);
    const auto cosigned = f.save(answer.at("document"), "cosigned");
    f.validate(cosigned, 2, 2);

    // The guest's certificate, as openssl reads it from the signature: it chains guest CA →
    // development signing CA, names the guest, and lasts an hour.
    const auto pki = f.inst.install / "pki";
    const auto guest_pem = f.work / "guest.pem";
    auto verified = run({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", (f.work / "sig-2.der").string(),
                         "-content", (f.work / "content-2.bin").string(), "-CAfile", (pki / "signing-ca.pem").string(),
                         "-signer", guest_pem.string(), "-out", "/dev/null"});
    BOOST_REQUIRE_MESSAGE(verified.exit_code == 0, verified.output);
    auto chain = run({"openssl", "verify", "-CAfile", (pki / "signing-ca.pem").string(), "-untrusted",
                      (pki / "guest-ca.pem").string(), guest_pem.string()});
    BOOST_TEST(chain.exit_code == 0, chain.output);
    auto text = run({"openssl", "x509", "-in", guest_pem.string(), "-noout", "-nameopt", "utf8,sep_comma_plus", "-subject",
                     "-issuer", "-serial", "-startdate", "-enddate", "-ext", "subjectAltName,keyUsage,basicConstraints"});
    BOOST_REQUIRE(text.exit_code == 0);
    BOOST_TEST(text.output.find("subject=CN=Camille Rousseau-Lefèvre") != std::string::npos, text.output);
    BOOST_TEST(text.output.find("CN=signet development guest CA") != std::string::npos, text.output);
    BOOST_TEST(text.output.find("email:camille@example.fr") != std::string::npos, text.output);
    BOOST_TEST(text.output.find("Digital Signature, Non Repudiation") != std::string::npos, text.output);
    BOOST_TEST(text.output.find("CA:FALSE") != std::string::npos, text.output);
    auto seconds = [&](const std::string& field) {
        const auto at = text.output.find(field) + field.size();
        const std::string date = text.output.substr(at, text.output.find('\n', at) - at);
        auto epoch = run({"date", "-u", "-d", date, "+%s"});
        return std::stol(epoch.output);
    };
    BOOST_TEST(seconds("notAfter=") - seconds("notBefore=") == 3600);
    std::string lower = text.output;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    BOOST_TEST(lower.find("serial=" + answer.at("certificate_serial").get<std::string>()) != std::string::npos, text.output);

    // The box names the guest and the firm.
    auto box = signet::test::displayed_area({300, 40, 560, 120}, {0, 0, 595, 842}, 0);
    const std::string shown = signet::test::text_in_area(cosigned, 2, box.x1, box.y1, box.x2 - box.x1, box.y2 - box.y1);
    BOOST_TEST(shown.find("Camille Rousseau-Lefèvre") != std::string::npos, shown);
    BOOST_TEST(shown.find("Cabinet Durand") != std::string::npos, shown);

    // The one-time key is gone: the token holds the same private keys as before.
    BOOST_TEST(f.private_keys() == keys_before);
    BOOST_TEST(f.objects().find("signet-guest") == std::string::npos);

    // On record: the e-mail, the digest, when the code was checked, the serial, the destruction.
    const json outcome = events(f, "cosign").back();
    BOOST_TEST(outcome.at("outcome") == "signed", outcome.dump());
    BOOST_TEST(outcome.at("document_sha256") == digest);
    BOOST_TEST(outcome.at("detail").at("email") == "camille@example.fr");
    BOOST_TEST(!outcome.at("detail").at("code_checked_at").get<std::string>().empty());
    BOOST_TEST(outcome.at("detail").at("certificate_serial") == answer.at("certificate_serial"));
    BOOST_TEST(outcome.at("detail").at("one_time_key").get<std::string>().rfind("destroyed at ", 0) == 0U, outcome.dump());
    BOOST_TEST(outcome.at("key_id") == answer.at("signature").at("key_id"));
    const std::string log = json(f.inst.audit_entries()).dump();
    BOOST_TEST(log.find(guest.at("code").get<std::string>() + "\"") == std::string::npos);
    auto usage = f.inst.request("GET", "/v1/audit/usage?tenant=cabinet-durand&from=" + in_days(-1) + "&to=" + in_days(1), "",
                                "auditor");
    BOOST_TEST(usage.json().at("cosign").get<int>() >= 1, usage.body);
}

BOOST_AUTO_TEST_CASE(a_raw_cosignature_at_b_t_answers_the_pdf_with_its_headers) {
    GuestFirm& f = firm();
    const auto sealed = f.sealed_letter("minutes");
    const json guest = f.invited({sha256_of(sealed)});
    auto reply = f.inst.request("POST",
                                "/v1/cosign?tenant=cabinet-durand&guest_id=" + guest.at("guest_id").get<std::string>() +
                                    "&code=" + guest.at("code").get<std::string>() + "&level=B-T",
                                read_file(sealed), "platform", "application/pdf");
    BOOST_REQUIRE_MESSAGE(reply.status == 200, reply.body.substr(0, 400));
    BOOST_TEST(reply.headers["signet-guest-id"] == guest.at("guest_id").get<std::string>());
    BOOST_TEST(!reply.headers["signet-certificate-serial"].empty());
    const auto file = f.work / "minutes-cosigned.pdf";
    signet::test::write_file(file, reply.body);
    f.validate(file, 2, 2);
}

BOOST_AUTO_TEST_CASE(a_cosignature_at_b_lta_carries_validation_data_and_a_document_timestamp) {
    GuestFirm& f = firm();
    const auto sealed = f.sealed_letter("archive");
    const json guest = f.invited({sha256_of(sealed)});
    auto reply = f.cosign(guest.at("guest_id"), guest.at("code"), sealed, json{{"level", "B-LTA"}});
    BOOST_REQUIRE_MESSAGE(reply.status == 200, reply.body);
    const json signature = reply.json().at("signature");
    BOOST_TEST(signature.at("level") == "B-LTA");
    BOOST_TEST(signature.contains("timestamp"));
    BOOST_TEST(signature.contains("validation_data"));
    BOOST_TEST(signature.contains("document_timestamp"));
    const auto file = f.save(reply.json().at("document"), "archive-cosigned");
    const std::string bytes = read_file(file);
    BOOST_TEST(bytes.find("/DSS") != std::string::npos);
    BOOST_TEST(bytes.find("/DocTimeStamp") != std::string::npos);
    // The seal and the guest's signature; poppler does not validate the document time-stamp.
    auto report = signet::test::pdfsig(f.inst.nss_db, file);
    BOOST_TEST(report.valid == 2, report.output);
    BOOST_TEST(report.trusted == 2, report.output);
    auto [qpdf_exit, qpdf_output] = signet::test::qpdf_check(file);
    BOOST_TEST(qpdf_exit == 0, qpdf_output);
}

BOOST_AUTO_TEST_CASE(a_repeated_cosignature_with_its_idempotency_key_gets_the_first_answer) {
    GuestFirm& f = firm();
    const auto sealed = f.sealed_letter("repeat");
    const json guest = f.invited({sha256_of(sealed)});
    const std::string body = json{{"tenant", "cabinet-durand"}, {"guest_id", guest.at("guest_id")}, {"code", guest.at("code")},
                                  {"document", signet::test::base64_of(sealed)}}.dump();
    const std::size_t before = events(f, "cosign").size();
    auto first = f.inst.request("POST", "/v1/cosign", body, "platform", "application/json", {"-H", "Idempotency-Key: guest-repeat"});
    BOOST_REQUIRE_MESSAGE(first.status == 200, first.body);
    auto again = f.inst.request("POST", "/v1/cosign", body, "platform", "application/json", {"-H", "Idempotency-Key: guest-repeat"});
    BOOST_TEST(again.status == 200, again.body);
    BOOST_TEST((again.body == first.body));
    // One intent and one outcome: the repeat signed nothing and spent nothing.
    BOOST_TEST(events(f, "cosign").size() == before + 2);
    // Without the key, the code is spent.
    expect(f.inst.request("POST", "/v1/cosign", body), 403, "activation_failed", "was used");
}

BOOST_AUTO_TEST_CASE(wrong_codes_other_documents_reuse_and_expiry_are_refused) {
    GuestFirm& f = firm();
    const auto sealed = f.sealed_letter("payroll");
    const auto other = f.sealed_letter("other");
    const int keys_before = f.private_keys();
    json guest = f.invited({sha256_of(sealed)});
    const std::string id = guest.at("guest_id");
    const std::string code = guest.at("code");
    const std::string wrong = code == "000000" ? "000001" : "000000";

    expect(f.cosign(id, wrong, sealed), 403, "activation_failed", "is not guest");
    // The right code for a document the guest was not invited for: refused, and the code kept.
    expect(f.cosign(id, code, other), 403, "forbidden", "was invited to co-sign");
    expect(f.cosign(id, "", sealed), 403, "activation_failed", "needs the guest's code");
    auto done = f.cosign(id, code, sealed);
    BOOST_REQUIRE_MESSAGE(done.status == 200, done.body);
    expect(f.cosign(id, code, sealed), 403, "activation_failed", "was used");

    // After restart the used code stays used.
    f.inst.restart();
    expect(f.cosign(id, code, sealed), 403, "activation_failed", "was used");

    // Expired.
    json late = f.invited({sha256_of(sealed)});
    f.expire(late.at("guest_id"));
    expect(f.cosign(late.at("guest_id"), late.at("code"), sealed), 403, "activation_failed", "expired");

    // Three wrong codes lock the guest, even against the right one.
    json locked = f.invited({sha256_of(sealed)});
    const std::string locked_code = locked.at("code");
    const std::string locked_wrong = locked_code == "000000" ? "000001" : "000000";
    for (int i = 0; i < 3; ++i) expect(f.cosign(locked.at("guest_id"), locked_wrong, sealed), 403, "activation_failed", "");
    expect(f.cosign(locked.at("guest_id"), locked_code, sealed), 403, "activation_failed", "locked after 3 wrong codes");
    BOOST_TEST(events(f, "guest_locked").size() >= 1U);

    // A guest of another firm.
    f.inst.put("/v1/tenants/cabinet-martin", R"({"kind": "cabinet", "name": "Cabinet Martin"})");
    json foreign = f.invited({sha256_of(sealed)});
    expect(f.cosign(foreign.at("guest_id"), foreign.at("code"), sealed, json::object(), "cabinet-martin"), 403, "forbidden",
           "has no guest");
    // Every refusal is on record, none used a key, and no code shows in the log.
    BOOST_TEST(f.private_keys() == keys_before);
    const std::string log = json(f.inst.audit_entries()).dump();
    for (const std::string& secret : {locked_code, foreign.at("code").get<std::string>(), late.at("code").get<std::string>()}) {
        BOOST_TEST(log.find("\"" + secret + "\"") == std::string::npos);
    }
    BOOST_TEST(read_file(f.inst.dir / "signetd.log").find(locked_code) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(only_the_platform_invites_and_invitations_are_checked) {
    GuestFirm& f = firm();
    const json good{{"email", "a@example.fr"}, {"name", "A"}, {"documents_sha256", {std::string(64, 'a')}}};
    expect(f.invite(good, "cabinet-durand", "auditor"), 403, "forbidden", "platform");
    expect(f.invite(good, "cabinet-durand", "officer"), 403, "forbidden", "platform");
    json bad = good;
    bad["email"] = "a@b";
    expect(f.invite(bad), 400, "bad_request", "'email'");
    bad = good;
    bad["name"] = std::string(129, 'n');
    expect(f.invite(bad), 400, "bad_request", "'name'");
    bad = good;
    bad["documents_sha256"] = {"xyz"};
    expect(f.invite(bad), 400, "bad_request", "documents_sha256[0]");
    bad["documents_sha256"] = json::array();
    expect(f.invite(bad), 400, "bad_request", "1 to 50");
    expect(f.invite(good, "nobody"), 404, "not_found", "not registered");
    auto malformed = f.inst.request("POST", "/v1/tenants/cabinet-durand/guests", "{\"email\":");
    BOOST_TEST(malformed.status == 400, malformed.body);
    auto cosign_as_auditor = f.inst.request("POST", "/v1/cosign", "{}", "auditor");
    BOOST_TEST(cosign_as_auditor.status == 403, cosign_as_auditor.body);
}

BOOST_AUTO_TEST_CASE(a_retired_guest_ca_stops_cosignatures_until_another_is_active) {
    GuestFirm& f = firm();
    const auto sealed = f.sealed_letter("retired");
    auto keys = f.inst.request("GET", "/v1/keys", "", "officer");
    std::string guest_ca;
    const json listed = keys.json();
    for (const json& key : listed.at("keys")) {
        if (key.at("purpose") == "guest-ca" && key.at("state") == "active") guest_ca = key.at("key_id");
    }
    BOOST_REQUIRE_MESSAGE(!guest_ca.empty(), keys.body);
    auto asked = f.inst.request("POST", "/v1/keys/" + guest_ca + "/retire", "", "officer");
    BOOST_REQUIRE_MESSAGE(asked.status == 202, asked.body);
    auto approved = f.inst.request("POST", "/v1/approvals/" + std::to_string(asked.json().at("approval_id").get<int>()) + "/approve",
                                   "", "officer2");
    BOOST_REQUIRE_MESSAGE(approved.status == 200, approved.body);
    json guest = f.invited({sha256_of(sealed)});
    expect(f.cosign(guest.at("guest_id"), guest.at("code"), sealed), 503, "unavailable", "no guest CA is active");

    // The ceremony for a new one: generated in the HSM, certified as a CA by the signing CA,
    // activated by two officers; the guest's code was not spent by the 503.
    auto made = f.inst.request("POST", "/v1/keys", json{{"purpose", "guest-ca"}, {"algorithm", "ec-p256"}, {"label", "guest CA 2"}}.dump(),
                               "officer");
    BOOST_REQUIRE_MESSAGE(made.status == 201, made.body);
    const std::string key = made.json().at("key_id");
    signet::test::write_file(f.work / "ca.csr", made.json().at("csr").get<std::string>());
    signet::test::write_file(f.work / "ca.ext", "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n");
    signet::test::write_file(f.work / "leaf.ext", "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n");
    const auto pki = f.inst.install / "pki";
    for (const char* ext : {"leaf", "ca"}) {
        auto issued = run({"openssl", "x509", "-req", "-in", (f.work / "ca.csr").string(), "-CA", (pki / "signing-ca.pem").string(),
                           "-CAkey", (pki / "signing-ca.key").string(), "-days", "365", "-set_serial", std::string(ext) == "ca" ? "7001" : "7002",
                           "-extfile", (f.work / (std::string(ext) + ".ext")).string(), "-out", (f.work / (std::string(ext) + ".pem")).string()});
        BOOST_REQUIRE_MESSAGE(issued.exit_code == 0, issued.output);
    }
    // An end-entity certificate is no guest CA's.
    auto refused = f.inst.request("PUT", "/v1/keys/" + key + "/certificate",
                                  json{{"certificate", read_file(f.work / "leaf.pem")}}.dump(), "officer");
    expect(refused, 422, "invalid_certificate", "not a CA certificate");
    auto imported = f.inst.request("PUT", "/v1/keys/" + key + "/certificate",
                                   json{{"certificate", read_file(f.work / "ca.pem")}}.dump(), "officer");
    BOOST_REQUIRE_MESSAGE(imported.status == 200, imported.body);
    auto activate = f.inst.request("POST", "/v1/keys/" + key + "/activate", "", "officer2");
    BOOST_REQUIRE_MESSAGE(activate.status == 202, activate.body);
    auto active = f.inst.request("POST", "/v1/approvals/" + std::to_string(activate.json().at("approval_id").get<int>()) + "/approve",
                                 "", "officer");
    BOOST_REQUIRE_MESSAGE(active.status == 200, active.body);
    auto cosigned = f.cosign(guest.at("guest_id"), guest.at("code"), sealed);
    BOOST_REQUIRE_MESSAGE(cosigned.status == 200, cosigned.body);
    f.validate(f.save(cosigned.json().at("document"), "retired-cosigned"), 2, 2);
}

BOOST_AUTO_TEST_SUITE_END()
