// Personal signatures through a real signetd (issue 6): persons enrolled through the API, their
// certificates issued by the dev signing CA with openssl, TOTP codes computed by oathtool from
// the otpauth URI as an authenticator app would, signed PDFs checked by the validators, and
// every refusal shown to leave an audit entry and no HSM signature (pkcs11-spy's count).

#include <boost/test/unit_test.hpp>

#include <algorithm>

#include <signal.h>
#include <sys/resource.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/pdf_samples.hpp"
#include "tests/integration/support/validators.hpp"
#include "tests/support/ltv_checks.hpp"

namespace {

using nlohmann::json;
using signet::test::HttpResult;
using signet::test::in_days;
using signet::test::Installation;
using signet::test::read_file;
using signet::test::run;
using signet::test::TempDir;
using signet::test::write_file;

std::string first_line_of(const std::filesystem::path& file) {
    const std::string text = read_file(file);
    return text.substr(0, text.find('\n'));
}

// One installation with pkcs11-spy, a cabinet whose members hold each kind of right, and a
// person enrolled on demand.
struct Office {
    Installation inst{true};
    TempDir work{"signet-sign"};
    std::string document_b64;

    Office() {
        for (const auto& [person, role] : std::vector<std::pair<std::string, std::string>>{
                 {"anne.roux", "ec"}, {"paul", "collaborator"}, {"luc", "collaborator"}, {"nina", "collaborator"},
                 {"eric", "collaborator"}, {"lea", "collaborator"}, {"hugo", "collaborator"}, {"tom", "collaborator"},
                 {"ines", "collaborator"}, {"lucas", "collaborator"}, {"clara", "collaborator"}}) {
            inst.put("/v1/tenants/cabinet-durand/members/" + person,
                     json{{"role", role}, {"name", person == "paul" ? "Paul Girard" : person}}.dump());
        }
        for (const auto& [person, right] : std::vector<std::pair<std::string, std::string>>{
                 {"paul", "signer"}, {"luc", "lancer"}, {"nina", "preparer"}, {"eric", "signer"}, {"lea", "signer"},
                 {"hugo", "signer"}, {"ines", "signer"}, {"lucas", "signer"}, {"clara", "signer"}}) {
            auto granted = inst.request("POST", "/v1/tenants/cabinet-durand/delegations",
                                        json{{"grantor", "marie.durand"}, {"grantee", person}, {"rights", {right}},
                                             {"expires", in_days(200)}}.dump());
            if (granted.status != 201) throw std::runtime_error("grant failed: " + granted.body);
        }
        inst.age_delegations("eric", "2026-10-01");  // Eric's delegation ran out
        auto pdf = signet::test::ps2pdf_sample(work.path(), "lettre", 1);
        document_b64 = run({"base64", "-w0", pdf.string()}).output;
    }

    // Key, certificate (issued by the dev signing CA for `days`) and authenticator; returns
    // the TOTP secret (base32) read from the otpauth URI.
    std::string enrol(const std::string& person, const std::string& algorithm = "ec-p256", int days = 1095) {
        auto made = inst.request("POST", "/v1/persons/" + person + "/key", json{{"algorithm", algorithm}}.dump());
        BOOST_REQUIRE_MESSAGE(made.status == 201, made.body);
        issue_and_import(person, made.json().at("csr").get<std::string>(), days, 200);
        return enrol_otp(person);
    }

    HttpResult issue_and_import(const std::string& person, const std::string& csr, int days, int expected) {
        const auto csr_file = work / (person + ".csr");
        write_file(csr_file, csr);
        write_file(work / "ext", "keyUsage=critical,digitalSignature,nonRepudiation\nbasicConstraints=critical,CA:FALSE\n");
        auto pki = inst.install / "pki";
        auto issued = run({"openssl", "x509", "-req", "-in", csr_file.string(), "-CA", (pki / "signing-ca.pem").string(),
                           "-CAkey", (pki / "signing-ca.key").string(), "-days", std::to_string(days), "-set_serial",
                           std::to_string(2000 + std::rand() % 100000), "-extfile", (work / "ext").string(), "-out",
                           (work / (person + ".pem")).string()});
        BOOST_REQUIRE_MESSAGE(issued.exit_code == 0, issued.output);
        auto imported = inst.request("PUT", "/v1/persons/" + person + "/certificate",
                                     json{{"certificate", read_file(work / (person + ".pem"))}}.dump());
        BOOST_REQUIRE_MESSAGE(imported.status == expected, imported.body);
        return imported;
    }

    std::string enrol_otp(const std::string& person, const json& body = json::object()) {
        auto otp = inst.request("POST", "/v1/persons/" + person + "/otp", body.dump());
        BOOST_REQUIRE_MESSAGE(otp.status == 201, otp.body);
        const std::string uri = otp.json().at("otpauth_uri");
        BOOST_REQUIRE(uri.rfind("otpauth://totp/signet:" + person + "?secret=", 0) == 0U);
        auto start = uri.find("secret=") + 7;
        return uri.substr(start, uri.find('&', start) - start);
    }

    // The code an authenticator shows `offset` seconds from now (oathtool, RFC 6238).
    static std::string code(const std::string& secret, int offset = 0) {
        const auto at = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()) + offset;
        auto result = run({"oathtool", "--totp", "-b", secret, "-N", "@" + std::to_string(at)});
        BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.output);
        return result.output.substr(0, 6);
    }

    HttpResult sign(const std::string& actor, const std::string& otp, int documents = 1, bool batch = false) {
        json body{{"tenant", "cabinet-durand"}, {"actor", actor}, {"appearance", {{"page", 1}, {"rect", {300, 40, 560, 120}}}}};
        if (!otp.empty()) body["activation"] = {{"otp", otp}};
        if (batch || documents > 1) {
            body["documents"] = std::vector<std::string>(static_cast<std::size_t>(documents), document_b64);
        } else {
            body["document"] = document_b64;
        }
        return inst.request("POST", "/v1/sign", body.dump());
    }

    // The newest audit entries (export), newest last.
    std::vector<json> entries() { return inst.audit_entries(); }

    // A refusal: the status and code, the words, an audit entry with the reason, and no HSM
    // signature.
    void expect_refused(const HttpResult& result, int status, const std::string& code, const std::string& words,
                        int signatures_before) {
        BOOST_TEST(result.status == status, result.body);
        BOOST_TEST(result.body.find("\"" + code + "\"") != std::string::npos, result.body);
        BOOST_TEST(result.body.find(words) != std::string::npos, words << " not in " << result.body);
        const json last = entries().back();
        BOOST_TEST(last.at("event") == "refusal", last.dump());
        BOOST_TEST(last.at("reason").get<std::string>().find(words) != std::string::npos, last.dump());
        BOOST_TEST(inst.hsm_signatures() == signatures_before);
    }

    void validate(const std::string& document_b64_out, const std::string& name) {
        auto decoded = run({"base64", "-d"}, document_b64_out);
        const auto file = work / (name + ".pdf");
        write_file(file, decoded.output);
        validate_file(file);
    }

    void validate_file(const std::filesystem::path& file) {
        auto report = signet::test::pdfsig(inst.nss_db, file);
        BOOST_TEST(report.valid == 1, report.output);
        BOOST_TEST(report.trusted == 1, report.output);
        auto [qpdf_exit, qpdf_output] = signet::test::qpdf_check(file);
        BOOST_TEST(qpdf_exit == 0, qpdf_output);
        auto cms = signet::test::openssl_verify_all(file, inst.install / "pki" / "signing-ca.pem", work.path());
        BOOST_TEST(cms.verified == 1);
        for (const auto& failure : cms.failures) BOOST_ERROR(failure);
        auto text = run({"pdftotext", file.string(), "-"});
        BOOST_TEST(text.output.find("Signé électroniquement par") != std::string::npos, text.output);
    }
};

// Whether `code` (6 digits) stands alone in `text`: an occurrence inside a longer run of hex
// digits is part of a hash, a fingerprint or a request id, not a leaked code.
bool contains_code(const std::string& text, const std::string& code) {
    auto hex = [&](std::size_t at) { return std::isxdigit(static_cast<unsigned char>(text[at])) != 0; };
    for (auto at = text.find(code); at != std::string::npos; at = text.find(code, at + 1)) {
        const bool before = at > 0 && hex(at - 1);
        const bool after = at + code.size() < text.size() && hex(at + code.size());
        if (!before && !after) return true;
    }
    return false;
}

Office& office() {
    static Office shared;
    return shared;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(personal_signatures)

BOOST_AUTO_TEST_CASE(one_document_then_a_batch_of_three_under_one_code) {
    auto& o = office();
    const std::string secret = o.enrol("marie.durand", "rsa-3072");
    const int before = o.inst.hsm_signatures();

    // The seed is nowhere in the database in clear: only its sealed form is stored.
    const std::string seed = run({"base32", "-d"}, secret + "\n").output;
    BOOST_REQUIRE_EQUAL(seed.size(), 20U);
    std::string database;
    for (const char* file : {"signet.db", "signet.db-wal"}) {
        if (std::filesystem::exists(o.inst.install / file)) database += read_file(o.inst.install / file);
    }
    BOOST_TEST(database.find(seed) == std::string::npos);
    BOOST_TEST(database.find(secret) == std::string::npos);

    auto one = o.sign("marie.durand", Office::code(secret));
    BOOST_REQUIRE_MESSAGE(one.status == 200, one.body);
    const json single = one.json();
    o.validate(single.at("document"), "marie-one");
    auto text = run({"pdftotext", (o.work / "marie-one.pdf").string(), "-"});
    // The box wraps its lines where they are too long: one line of text may be two.
    std::replace(text.output.begin(), text.output.end(), '\n', ' ');
    BOOST_TEST(text.output.find("Signé électroniquement par Marie Durand") != std::string::npos, text.output);
    BOOST_TEST(text.output.find("Cabinet Durand") != std::string::npos, text.output);

    // The next step's code (an authenticator one step ahead is still within the window).
    auto batch = o.sign("marie.durand", Office::code(secret, 30), 3);
    BOOST_REQUIRE_MESSAGE(batch.status == 200, batch.body);
    const json signed_batch = batch.json();
    BOOST_REQUIRE(signed_batch.at("documents").size() == 3U);
    for (std::size_t i = 0; i < 3; ++i) {
        o.validate(signed_batch.at("documents")[i].at("document"), "marie-batch-" + std::to_string(i));
    }
    BOOST_TEST(o.inst.hsm_signatures() == before + 4);

    // The activation entry names the three documents; each signature entry points to it.
    const auto activation_seq = signed_batch.at("activation_seq").get<std::int64_t>();
    int signatures = 0;
    for (const auto& entry : o.entries()) {
        if (entry.at("seq") == activation_seq) {
            BOOST_TEST(entry.at("event") == "activation");
            BOOST_TEST(entry.at("detail").at("documents").size() == 3U);
        }
        if (entry.at("event") == "sign" && entry.at("outcome") == "signed" &&
            entry.at("detail").at("activation_seq") == activation_seq) {
            ++signatures;
            BOOST_TEST(entry.at("actor") == "marie.durand");
        }
    }
    BOOST_TEST(signatures == 3);

    // The HSM key that seals the seeds was made by the first enrolment, and recorded.
    int seed_keys = 0;
    for (const auto& entry : o.entries()) {
        const json& detail = entry.at("detail");
        seed_keys += entry.at("event") == "key_generated" && detail.is_object() && detail.value("purpose", "") == "totp_seeds";
    }
    BOOST_TEST(seed_keys == 1);
}

BOOST_AUTO_TEST_CASE(a_delegate_signs_and_the_others_are_refused_by_the_matrix) {
    auto& o = office();
    const std::string secret = o.enrol("paul");
    auto signed_by_paul = o.sign("paul", Office::code(secret));
    BOOST_REQUIRE_MESSAGE(signed_by_paul.status == 200, signed_by_paul.body);
    o.validate(signed_by_paul.json().at("document"), "paul");

    const int before = o.inst.hsm_signatures();
    o.expect_refused(o.sign("luc", "123456"), 403, "forbidden", "document.sign", before);    // lancer only
    o.expect_refused(o.sign("nina", "123456"), 403, "forbidden", "document.sign", before);   // preparer
    o.expect_refused(o.sign("tom", "123456"), 403, "forbidden", "document.sign", before);    // no delegation
    o.expect_refused(o.sign("eric", "123456"), 403, "forbidden", "expired on 2026-10-01", before);
}

BOOST_AUTO_TEST_CASE(codes_are_the_persons_own_good_once_and_required) {
    auto& o = office();
    const std::string anne = o.enrol("anne.roux");
    const std::string hugo = o.enrol("hugo");
    const int before = o.inst.hsm_signatures();

    o.expect_refused(o.sign("anne.roux", ""), 403, "activation_failed", "activation code", before);
    o.expect_refused(o.sign("anne.roux", Office::code(anne, -3600)), 403, "activation_failed", "not anne.roux's current code",
                     before);
    // Hugo's code is not Anne's.
    o.expect_refused(o.sign("anne.roux", Office::code(hugo)), 403, "activation_failed", "not anne.roux's current code",
                     before);
    const std::string code = Office::code(anne);
    auto first = o.sign("anne.roux", code);
    BOOST_REQUIRE_MESSAGE(first.status == 200, first.body);
    o.expect_refused(o.sign("anne.roux", code), 403, "activation_failed", "already used", before + 1);

    // Replacing an authenticator takes a code from the current one.
    auto without = o.inst.request("POST", "/v1/persons/hugo/otp", "{}");
    BOOST_TEST(without.status == 403, without.body);
    const std::string replaced = o.enrol_otp("hugo", json{{"otp", Office::code(hugo)}});
    BOOST_TEST(replaced != hugo);
}

BOOST_AUTO_TEST_CASE(five_wrong_codes_lock_signing_until_an_officer_resets) {
    auto& o = office();
    const std::string secret = o.enrol("lea");
    const int before = o.inst.hsm_signatures();
    const std::string wrong = Office::code(secret, -7200);
    for (int i = 1; i <= 4; ++i) o.expect_refused(o.sign("lea", wrong), 403, "activation_failed", "current code", before);
    auto fifth = o.sign("lea", wrong);
    BOOST_TEST(fifth.status == 403);
    BOOST_TEST(fifth.body.find("locked for 15 minutes") != std::string::npos, fifth.body);
    // Even the right code is refused now.
    o.expect_refused(o.sign("lea", Office::code(secret)), 403, "activation_failed", "locked until", before);
    bool lock_recorded = false;
    for (const auto& entry : o.entries()) lock_recorded = lock_recorded || (entry.at("event") == "activation_locked" && entry.at("actor") == "lea");
    BOOST_TEST(lock_recorded);

    // Officers see it and reset the authenticator; the person enrols a new one.
    auto status = o.inst.request("GET", "/v1/persons/lea", "", "officer");
    BOOST_REQUIRE(status.status == 200);
    BOOST_TEST(!status.json().at("locked_until").is_null(), status.body);
    BOOST_TEST(o.inst.request("GET", "/v1/persons/lea", "", "platform").status == 403);
    BOOST_TEST(o.inst.request("POST", "/v1/persons/lea/otp/reset", "", "platform").status == 403);
    auto reset = o.inst.request("POST", "/v1/persons/lea/otp/reset", "", "officer");
    BOOST_TEST(reset.status == 200, reset.body);
    const std::string fresh = o.enrol_otp("lea");
    auto signed_again = o.sign("lea", Office::code(fresh));
    BOOST_TEST(signed_again.status == 200, signed_again.body);
}

BOOST_AUTO_TEST_CASE(no_certificate_or_a_bad_one_means_no_signature) {
    auto& o = office();
    // A key without its certificate.
    auto made = o.inst.request("POST", "/v1/persons/tom/key", R"({"algorithm": "ec-p256"})");
    BOOST_REQUIRE(made.status == 201);
    auto stranger = o.inst.request("POST", "/v1/persons/nobody/key", "{}");
    BOOST_TEST(stranger.status == 404, stranger.body);  // not a member of any tenant
    // Expired: refused at import, so the person still has no certificate.
    auto expired = o.issue_and_import("tom", made.json().at("csr"), -1, 422);
    BOOST_TEST(expired.body.find("expired on") != std::string::npos, expired.body);
    const int before = o.inst.hsm_signatures();
    // Tom has no delegation to sign: give him one, then the missing certificate is the refusal.
    auto granted = o.inst.request("POST", "/v1/tenants/cabinet-durand/delegations",
                                  json{{"grantor", "marie.durand"}, {"grantee", "tom"}, {"rights", {"signer"}},
                                       {"expires", in_days(100)}}.dump());
    BOOST_REQUIRE(granted.status == 201);
    o.expect_refused(o.sign("tom", "123456"), 409, "conflict", "no personal certificate", before);
}

BOOST_AUTO_TEST_CASE(only_the_platform_submits_and_enrols) {
    auto& o = office();
    const std::string body = R"({"tenant": "cabinet-durand", "actor": "marie.durand", "document": "JVBERg==", "activation": {"otp": "123456"}})";
    BOOST_TEST(o.inst.request("POST", "/v1/sign", body, "officer").status == 403);
    BOOST_TEST(o.inst.request("POST", "/v1/sign", body, "auditor").status == 403);
    BOOST_TEST(o.inst.request("POST", "/v1/persons/paul/key", "{}", "officer").status == 403);
    BOOST_TEST(o.inst.request("POST", "/v1/persons/paul/otp", "{}", "auditor").status == 403);
    BOOST_TEST(o.inst.request("POST", "/v1/sign", R"({"tenant": "x"})").status == 400);
    BOOST_TEST(o.inst.request("POST", "/v1/sign",
                              R"({"tenant": "cabinet-durand", "actor": "paul", "document": "JVBERg==", "documents": ["JVBERg=="]})")
                   .status == 400);
    // Enrolment refusals: an algorithm persons may not have, a certificate with no key waiting
    // for it, a reset or a state for someone signetd knows nothing of.
    BOOST_TEST(o.inst.request("POST", "/v1/persons/paul/key", R"({"algorithm": "rsa-4096"})").status == 400);
    auto no_key = o.inst.request("PUT", "/v1/persons/luc/certificate", R"({"certificate": "x"})");
    BOOST_TEST(no_key.status == 404, no_key.body);
    BOOST_TEST(no_key.body.find("no key waiting") != std::string::npos, no_key.body);
    BOOST_TEST(o.inst.request("POST", "/v1/persons/nobody/otp/reset", "", "officer").status == 404);
    BOOST_TEST(o.inst.request("GET", "/v1/persons/nobody", "", "officer").status == 404);
    BOOST_TEST(o.inst.request("POST", "/v1/persons/nobody/otp", "{}").status == 404);
    json too_many{{"tenant", "cabinet-durand"}, {"actor", "paul"}, {"documents", std::vector<std::string>(21, "JVBERg==")}};
    BOOST_TEST(o.inst.request("POST", "/v1/sign", too_many.dump()).status == 400);
}

// The raw form: the PDF as the body, the code in the query string, the signed PDF as the
// answer. The code must reach no log line and no audit entry.
BOOST_AUTO_TEST_CASE(raw_form_signs_one_document_and_keeps_the_code_out_of_the_logs) {
    auto& o = office();
    o.inst.put("/v1/tenants/cabinet-durand/members/ines.morel", R"({"role": "ec", "name": "Inès Morel"})");
    const std::string secret = o.enrol("ines.morel");
    const int before = o.inst.hsm_signatures();
    const auto input = signet::test::ps2pdf_sample(o.work.path(), "raw-lettre", 2);
    const std::string original = read_file(input);
    const std::string target = "/v1/sign?tenant=cabinet-durand&actor=ines.morel&page=1&rect=300,40,560,120&otp=";
    auto raw_sign = [&](const std::string& code) {
        return o.inst.request("POST", target + code, original, "platform", "application/pdf");
    };

    const std::string code = Office::code(secret);
    auto result = raw_sign(code);
    BOOST_REQUIRE_MESSAGE(result.status == 200, result.body << result.curl_output);
    BOOST_TEST(result.headers["content-type"] == "application/pdf");
    BOOST_TEST((result.body.compare(0, original.size(), original) == 0));  // an incremental update
    const auto file = o.work / "ines-raw.pdf";
    write_file(file, result.body);
    o.validate_file(file);
    auto text = run({"pdftotext", file.string(), "-"});
    BOOST_TEST(text.output.find("Signé électroniquement par Inès Morel") != std::string::npos, text.output);
    BOOST_TEST(o.inst.hsm_signatures() == before + 1);

    // The headers are what the log recorded.
    const auto audit_seq = std::stoll(result.headers.at("signet-audit-seq"));
    const auto activation_seq = std::stoll(result.headers.at("signet-activation-seq"));
    bool signed_entry = false;
    bool activation_entry = false;
    for (const auto& entry : o.entries()) {
        if (entry.at("seq") == activation_seq) {
            activation_entry = entry.at("event") == "activation" && entry.at("actor") == "ines.morel";
        }
        if (entry.at("seq") != audit_seq) continue;
        signed_entry = true;
        BOOST_TEST(entry.at("event") == "sign");
        BOOST_TEST(entry.at("outcome") == "signed");
        BOOST_TEST(entry.at("key_id") == result.headers.at("signet-key-id"));
        BOOST_TEST(entry.at("certificate_sha256") == result.headers.at("signet-certificate-sha256"));
        BOOST_TEST(entry.at("signed_digest_sha256") == result.headers.at("signet-digest-sha256"));
        BOOST_TEST(entry.at("detail").at("activation_seq") == activation_seq);
        BOOST_TEST(entry.at("document_sha256") == run({"sha256sum"}, original).output.substr(0, 64));
        BOOST_TEST(entry.at("output_sha256") == run({"sha256sum"}, result.body).output.substr(0, 64));
    }
    BOOST_TEST(signed_entry);
    BOOST_TEST(activation_entry);

    // Refusals as in the JSON form: the same code again, a wrong one, none.
    o.expect_refused(raw_sign(code), 403, "activation_failed", "already used", before + 1);
    const std::string wrong = Office::code(secret, -3600);
    o.expect_refused(raw_sign(wrong), 403, "activation_failed", "not ines.morel's current code", before + 1);
    o.expect_refused(o.inst.request("POST", "/v1/sign?tenant=cabinet-durand&actor=ines.morel", original, "platform",
                                    "application/pdf"),
                     403, "activation_failed", "activation code", before + 1);
    auto batch = o.inst.request("POST", target + code + "&documents=2", original, "platform", "application/pdf");
    BOOST_TEST(batch.status == 400, batch.body);

    // Neither code is in signetd's log or in any audit entry, and no query string is logged.
    const std::string log = read_file(o.inst.dir / "signetd.log");
    BOOST_TEST(log.find("/v1/sign") != std::string::npos);  // the requests were logged...
    const auto entries = o.entries();
    for (const std::string& secret_code : {code, wrong}) {
        BOOST_TEST(!contains_code(log, secret_code), secret_code << " in signetd's log");
        for (const auto& entry : entries) BOOST_TEST(!contains_code(entry.dump(), secret_code), entry.dump());
    }
    BOOST_TEST(log.find("otp=") == std::string::npos);  // ... without their query strings
    BOOST_TEST(log.find("tenant=") == std::string::npos);
}

// B-T (issue 17): the same job with a signature time-stamp from signetd's TSA over the
// personal signature's value, which `openssl ts -verify` accepts.
BOOST_AUTO_TEST_CASE(a_b_t_signature_carries_the_tsas_token) {
    auto& o = office();
    const std::string secret = o.enrol("ines");
    json body{{"tenant", "cabinet-durand"}, {"actor", "ines"}, {"document", o.document_b64},
              {"activation", {{"otp", Office::code(secret)}}}, {"level", "B-T"},
              {"appearance", {{"page", 1}, {"rect", {300, 40, 560, 120}}}}};
    auto done = o.inst.request("POST", "/v1/sign", body.dump());
    BOOST_REQUIRE_MESSAGE(done.status == 200, done.body);
    const json answer = done.json();
    BOOST_TEST(answer.at("signature").at("level") == "B-T");
    BOOST_TEST(answer.at("signature").at("timestamp").at("tsa").get<std::string>().find("signet development TSA") !=
               std::string::npos);
    o.validate(answer.at("document"), "ines-bt");
    auto tokens = signet::test::verify_signature_timestamps(o.work / "ines-bt.pdf",
                                                            o.inst.install / "pki" / "signing-ca.pem", o.work.path());
    BOOST_TEST(tokens.verified == 1);
    for (const auto& failure : tokens.failures) BOOST_ERROR(failure);
}

// B-LTA for a person's key, whose certificate was imported without its chain: the DSS holds the
// chain completed from the signing trust anchors, and its status.
BOOST_AUTO_TEST_CASE(a_b_lta_signature_carries_the_dss_and_a_document_timestamp) {
    auto& o = office();
    const std::string secret = o.enrol("lucas");
    json body{{"tenant", "cabinet-durand"}, {"actor", "lucas"}, {"document", o.document_b64},
              {"activation", {{"otp", Office::code(secret)}}}, {"level", "B-LTA"}};
    auto done = o.inst.request("POST", "/v1/sign", body.dump());
    BOOST_REQUIRE_MESSAGE(done.status == 200, done.body);
    const json answer = done.json();
    BOOST_TEST(answer.at("signature").at("level") == "B-LTA");
    BOOST_TEST(!answer.at("signature").at("document_timestamp").at("serial").get<std::string>().empty());
    const auto pdf = o.work / "lucas-blta.pdf";
    write_file(pdf, run({"base64", "-d"}, answer.at("document").get<std::string>()).output);
    const auto ca = o.inst.install / "pki" / "signing-ca.pem";
    auto cms = signet::test::openssl_verify_all(pdf, ca, o.work.path());
    BOOST_TEST(cms.verified == 1);
    for (const auto& failure : cms.failures) BOOST_ERROR(failure);
    auto ltv = signet::test::check_ltv(pdf, ca, o.work.path());
    for (const auto& problem : ltv.problems) BOOST_ERROR(problem);
    BOOST_TEST(ltv.document_timestamps == 1);
    BOOST_TEST(ltv.vri_entries == 1);
    BOOST_TEST(ltv.crls == 1);
    BOOST_TEST(ltv.certificates >= 3);  // the person's, the TSA's, the signing CA
}

// Issue 20: the PIN, a TOTP seed, one-time codes (a good one and a wrong one) and the TLS
// private key appear in no log, argument, environment, error message or audit entry of signetd.
BOOST_AUTO_TEST_CASE(secrets_stay_out_of_logs_arguments_environment_and_answers) {
    auto& o = office();
    o.inst.put("/v1/tenants/cabinet-durand/members/sam", json{{"role", "collaborator"}, {"name", "Sam"}}.dump());
    auto granted = o.inst.request("POST", "/v1/tenants/cabinet-durand/delegations",
                                  json{{"grantor", "marie.durand"}, {"grantee", "sam"}, {"rights", {"signer"}},
                                       {"expires", in_days(200)}}.dump());
    BOOST_REQUIRE_MESSAGE(granted.status == 201, granted.body);
    const std::string secret = o.enrol("sam");
    std::string wrong = "000000";
    for (int offset : {-30, 0, 30}) {
        if (Office::code(secret, offset) == wrong) wrong = "111111";
    }
    auto refused = o.sign("sam", wrong);
    BOOST_TEST(refused.status != 200, refused.body);
    const std::string good = Office::code(secret);
    auto signed_ = o.sign("sam", good);
    BOOST_REQUIRE_MESSAGE(signed_.status == 200, signed_.body);

    const std::string pin = first_line_of(o.inst.install / "secrets" / "user-pin");
    const std::string so_pin = first_line_of(o.inst.install / "secrets" / "so-pin");
    const std::string seed_hex =
        run({"sh", "-c", "printf %s \"$0\" | base32 -d | od -An -tx1 | tr -d ' \\n'", secret}).output;
    // The PEM's second line of base64: key material only (the first begins with the algorithm's
    // identifiers, the same in every key of its kind).
    const std::string key_pem = read_file(o.inst.install / "pki" / "server.key");
    const auto second = key_pem.find('\n', key_pem.find('\n') + 1) + 1;
    const std::string key_line = key_pem.substr(second, 40);
    BOOST_REQUIRE(pin.size() >= 8 && so_pin.size() >= 8 && seed_hex.size() == 40 && key_line.size() == 40);
    // A code counts only as a token of its own: six digits can occur inside a digest.
    auto has_code = [](const std::string& text, const std::string& code) {
        for (auto at = text.find(code); at != std::string::npos; at = text.find(code, at + 1)) {
            const bool before = at > 0 && std::isalnum(static_cast<unsigned char>(text[at - 1]));
            const bool after = at + code.size() < text.size() &&
                               std::isalnum(static_cast<unsigned char>(text[at + code.size()]));
            if (!before && !after) return true;
        }
        return false;
    };
    const std::string proc = "/proc/" + std::to_string(o.inst.signetd->pid());
    const std::vector<std::pair<std::string, std::string>> places = {
        {"signetd's log", read_file(o.inst.dir / "signetd.log")},
        {"its arguments", read_file(proc + "/cmdline")},
        {"its environment", read_file(proc + "/environ")},
        {"the refusal", refused.body},
        {"the audit log", [&] {
             std::string all;
             for (const auto& entry : o.entries()) all += entry.dump() + "\n";
             return all;
         }()}};
    for (const auto& [place, text] : places) {
        BOOST_TEST(!text.empty(), place << " is empty");
        for (const auto& [what, value] : std::vector<std::pair<std::string, std::string>>{
                 {"the user PIN", pin}, {"the SO PIN", so_pin}, {"the TOTP seed", secret},
                 {"the TOTP seed in hex", seed_hex}, {"the TLS private key", key_line}}) {
            BOOST_TEST(text.find(value) == std::string::npos, what << " is in " << place);
        }
        BOOST_TEST(!has_code(text, good), "the good code is in " << place);
        BOOST_TEST(!has_code(text, wrong), "the wrong code is in " << place);
    }
}

// Issue 20: signetd leaves no core file, however it was started: its memory holds the PIN and
// a logged-in session. A process without that refusal, started the same way, shows that this
// kernel would write one.
BOOST_AUTO_TEST_CASE(signetd_leaves_no_core_file) {
    rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
    BOOST_REQUIRE(::setrlimit(RLIMIT_CORE, &unlimited) == 0);
    TempDir work{"signet-core"};
    const std::string pattern = first_line_of("/proc/sys/kernel/core_pattern");
    if (pattern.empty() || pattern.front() == '|' || pattern.find('/') != std::string::npos) {
        BOOST_TEST_MESSAGE("core files go to '" << pattern << "' here, not to the process's folder: not checked");
        return;
    }
    // The pattern names a file in the crashing process's folder: this test's, which every
    // process below inherits.
    const auto folder = std::filesystem::current_path();
    auto cores = [&](pid_t pid) {
        int found = 0;
        for (const auto& file : std::filesystem::directory_iterator(folder)) {
            const std::string name = file.path().filename().string();
            if (name == "core" || name == "core." + std::to_string(pid)) {
                std::filesystem::remove(file.path());
                ++found;
            }
        }
        return found;
    };
    // Aborted, then left to end by itself: a SIGTERM (stop()) that arrives before the abort is
    // handled ends the process at once, without a core file, and would prove nothing.
    auto abort_and_reap = [](signet::test::BackgroundProcess& process) {
        const pid_t pid = process.pid();
        ::kill(pid, SIGABRT);
        for (int i = 0; i < 1000 && process.running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        process.stop();
        return pid;
    };
    cores(0);  // none left from earlier runs
    {
        signet::test::BackgroundProcess control({"sleep", "30"}, work / "sleep.log");
        const pid_t pid = abort_and_reap(control);
        BOOST_TEST(cores(pid) == 1, "the control process left no core file: the check below proves nothing");
    }
    Installation own;
    const pid_t pid = abort_and_reap(*own.signetd);
    own.signetd.reset();
    BOOST_TEST(cores(pid) == 0);
}

// signetctl sign (issue 24): the code is read from standard input when it is not a terminal
// (a script pipes it), never taken from the command line, and is not in signetctl's output.
BOOST_AUTO_TEST_CASE(signetctl_sign_reads_the_code_from_standard_input) {
    auto& o = office();
    const std::string secret = o.enrol("clara");
    const auto pki = o.inst.install / "pki";
    const std::vector<std::string> environment{"SIGNET_URL=https://127.0.0.1:" + std::to_string(o.inst.port),
                                               "SIGNET_CACERT=" + (pki / "tls-ca.pem").string(),
                                               "SIGNET_CERT=" + (pki / "platform.pem").string(),
                                               "SIGNET_KEY=" + (pki / "platform.key").string()};
    write_file(o.work / "cli-in.pdf", run({"base64", "-d"}, o.document_b64).output);
    const std::vector<std::string> argv{SIGNETCTL_PATH, "sign", (o.work / "cli-in.pdf").string(),
                                        (o.work / "cli-signed.pdf").string(), "--tenant", "cabinet-durand",
                                        "--actor", "clara", "--visible", "1:300,40,560,120"};
    const std::string code = Office::code(secret);
    auto signed_by_cli = run(argv, code + "\n", environment);
    BOOST_REQUIRE_MESSAGE(signed_by_cli.exit_code == 0, signed_by_cli.output);
    BOOST_TEST(signed_by_cli.output.find("signed " + (o.work / "cli-signed.pdf").string()) == 0U, signed_by_cli.output);
    BOOST_TEST(signed_by_cli.output.find("activation entry") != std::string::npos, signed_by_cli.output);
    BOOST_TEST(!contains_code(signed_by_cli.output, code));
    o.validate_file(o.work / "cli-signed.pdf");

    // The same code again is refused by signetd, and signetctl says so in one sentence.
    auto replayed = run(argv, code + "\n", environment);
    BOOST_TEST(replayed.exit_code == 1);
    BOOST_TEST(replayed.output.find("signetctl sign: signetd answered 403: ") == 0U, replayed.output);
    auto no_code = run(argv, "", environment);
    BOOST_TEST(no_code.exit_code == 2);
    BOOST_TEST(no_code.output == "signetctl sign: no code on standard input\n");
}

BOOST_AUTO_TEST_SUITE_END()
