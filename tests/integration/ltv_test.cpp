// PAdES B-LT and B-LTA and the revocation check before every key use (issue 18), through a real
// signetd: the status of the seal and TSA certificates from dev-init's CRL file, from an
// independent OCSP responder (`openssl ocsp` behind a loopback HTTP server) and from a CRL
// served over http; a revoked seal certificate stopping every seal; a responder down under
// "require" and under "prefer". Every file is checked by tools that are not signet's: pdfsig,
// qpdf, `openssl cms -verify`, `openssl ts -verify`, and the DSS checks of ltv_checks.hpp
// (`openssl ocsp -respin`, `openssl crl -verify`, the VRI keys, the document time-stamp).
#include <boost/test/unit_test.hpp>

#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/pdf_samples.hpp"
#include "tests/integration/support/validators.hpp"
#include "tests/support/ltv_checks.hpp"
#include "tests/support/responders/ocsp_responder.hpp"

namespace {

using nlohmann::json;
using signet::test::HttpResult;
using signet::test::Installation;
using signet::test::OcspResponder;
using signet::test::read_file;
using signet::test::run;
using signet::test::sample_letter;
using signet::test::seal_body;
using signet::test::TempDir;
using signet::test::write_file;

constexpr std::uint16_t first_port = 19700;
constexpr std::uint16_t last_port = 19749;

HttpResult seal_at(const Installation& inst, const std::string& document, const std::string& level) {
    return inst.request("POST", "/v1/seal", seal_body(document, ", \"level\": \"" + level + "\""));
}

std::filesystem::path write_pdf(const json& answer, const std::filesystem::path& folder, const std::string& name) {
    auto b64 = folder / (name + ".b64");
    auto pdf = folder / (name + ".pdf");
    write_file(b64, answer.at("document").get<std::string>());
    BOOST_REQUIRE(run({"sh", "-c", "base64 -d < '" + b64.string() + "' > '" + pdf.string() + "'"}).exit_code == 0);
    return pdf;
}

// Every independent check of a file with `signatures` signatures and `timestamps` document
// time-stamps, all by the development signing CA's keys; returns the DSS report.
signet::test::LtvReport accept(const Installation& inst, const std::filesystem::path& pdf,
                               const std::filesystem::path& folder, int signatures, int timestamps) {
    const auto ca = inst.install / "pki" / "signing-ca.pem";
    auto report = signet::test::pdfsig(inst.nss_db, pdf);
    // pdfsig lists a document time-stamp as a signature it cannot validate (NOTES-ltv.md).
    BOOST_TEST(report.signatures == signatures + timestamps, report.output);
    BOOST_TEST(report.valid == signatures, report.output);
    BOOST_TEST(signet::test::qpdf_check(pdf).first == 0);
    auto cms = signet::test::openssl_verify_all(pdf, ca, folder);
    BOOST_TEST(cms.verified == signatures);
    for (const auto& failure : cms.failures) BOOST_ERROR(failure);
    auto tokens = signet::test::verify_signature_timestamps(pdf, ca, folder);
    BOOST_TEST(tokens.verified == signatures);
    for (const auto& failure : tokens.failures) BOOST_ERROR(failure);
    auto ltv = signet::test::check_ltv(pdf, ca, folder);
    for (const auto& problem : ltv.problems) BOOST_ERROR(problem);
    BOOST_TEST(ltv.signatures == signatures);
    BOOST_TEST(ltv.document_timestamps == timestamps);
    BOOST_TEST(ltv.vri_entries >= signatures);
    return ltv;
}

// An OCSP responder for dev-init's signing CA, answering with the CA's own key for the seal and
// TSA certificates (index.txt written from the PEM files, as `openssl ca` would keep it).
void answer_for(OcspResponder& responder, const Installation& inst, const std::filesystem::path& work,
                const std::string& seal_revoked_reason = "") {
    const auto pki = inst.install / "pki";
    write_file(work / "index.txt", signet::test::index_line(pki / "seal.pem", seal_revoked_reason) +
                                       signet::test::index_line(pki / "tsa.pem"));
    responder.configure(work / "index.txt", pki / "signing-ca.pem", pki / "signing-ca.pem", pki / "signing-ca.key");
}

int entries_with(const Installation& inst, const std::string& event, const std::string& reason_part) {
    int count = 0;
    for (const auto& entry : inst.audit_entries()) {
        if (entry.at("event") == event && entry.at("reason").is_string() &&
            entry.at("reason").get<std::string>().find(reason_part) != std::string::npos) {
            ++count;
        }
    }
    return count;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pades_long_term)

// dev-init's configuration: the status of the seal and TSA certificates from its CRL file.
BOOST_AUTO_TEST_CASE(b_lt_and_b_lta_seals_with_the_local_crl_file) {
    auto& inst = signet::test::installation();
    TempDir work{"signet-ltv-crl"};

    auto lt = seal_at(inst, sample_letter(), "B-LT");
    BOOST_REQUIRE_MESSAGE(lt.status == 200, lt.body);
    const json signature = lt.json().at("signature");
    BOOST_TEST(signature.at("level") == "B-LT");
    // The CRL was issued by dev-init, before the time-stamp: the answer says so, for extend.
    BOOST_TEST(signature.at("validation_data").at("revocation_after_timestamp") == false);
    BOOST_TEST(!signature.at("validation_data").at("notes").empty());
    auto lt_pdf = write_pdf(lt.json(), work.path(), "b-lt");
    auto dss = accept(inst, lt_pdf, work.path(), 1, 0);
    BOOST_TEST(dss.crls == 1);
    BOOST_TEST(dss.ocsp_responses == 0);
    BOOST_TEST(dss.certificates >= 3);  // seal, TSA, signing CA

    auto lta = signet::test::raw_seal(sample_letter(), "&level=B-LTA");
    BOOST_REQUIRE_MESSAGE(lta.status == 200, lta.body.substr(0, 300));
    BOOST_TEST(lta.headers.at("signet-level") == "B-LTA");
    BOOST_TEST(lta.headers.at("signet-revocation-after-timestamp") == "false");
    const std::string archive_serial = lta.headers.at("signet-document-timestamp-serial");
    BOOST_TEST(!archive_serial.empty());
    BOOST_TEST(archive_serial != lta.headers.at("signet-timestamp-serial"));
    write_file(work / "b-lta.pdf", lta.body);
    accept(inst, work / "b-lta.pdf", work.path(), 1, 1);

    // Both tokens are key uses of the TSA key on record, billed with the seal.
    int stamped = 0;
    for (const auto& entry : inst.audit_entries()) {
        if (entry.at("event") == "timestamp" && entry.at("outcome") == "stamped" &&
            entry.at("detail").at("serial") == archive_serial) {
            ++stamped;
            BOOST_TEST(entry.at("action") == "document.seal");
        }
    }
    BOOST_TEST(stamped == 1);

    // A second B-LTA seal over the B-LTA file: every signature and time-stamp stays valid and
    // the DSS is extended, not replaced.
    auto again = seal_at(inst, read_file(work / "b-lta.pdf"), "B-LTA");
    BOOST_REQUIRE_MESSAGE(again.status == 200, again.body);
    auto twice = accept(inst, write_pdf(again.json(), work.path(), "b-lta-twice"), work.path(), 2, 2);
    BOOST_TEST(twice.vri_entries == 2);
    BOOST_TEST(twice.crls == 1);
}

BOOST_AUTO_TEST_CASE(a_revoked_seal_certificate_stops_every_seal) {
    Installation inst;
    auto before = seal_at(inst, sample_letter(), "B-B");
    BOOST_REQUIRE_MESSAGE(before.status == 200, before.body);

    auto revoked = run({SIGNETCTL_PATH, "dev-crl", inst.install.string(), "--revoke",
                        (inst.install / "pki" / "seal.pem").string()});
    BOOST_REQUIRE_MESSAGE(revoked.exit_code == 0, revoked.output);

    for (const std::string level : {"B-B", "B-LTA"}) {
        auto refused = seal_at(inst, sample_letter(), level);
        BOOST_TEST(refused.status == 503, refused.body);
        BOOST_TEST(refused.json().at("error") == "certificate_revoked");
        BOOST_TEST(refused.json().at("message").get<std::string>().find("revoked") != std::string::npos);
    }
    auto keys = inst.request("GET", "/v1/keys", "", "officer");
    BOOST_REQUIRE(keys.status == 200);
    bool shown = false;
    const json listed = keys.json();
    for (const auto& key : listed.at("keys")) {
        if (key.at("purpose") == "seal" && key.at("state") == "revoked") {
            shown = true;
            BOOST_TEST(key.at("lifecycle_state") == "active");
            BOOST_TEST(!key.at("revoked_at").get<std::string>().empty());
        }
    }
    BOOST_TEST(shown, keys.body);
    auto health = inst.request("GET", "/v1/health", "", "auditor");
    BOOST_TEST(health.status == 503);
    BOOST_TEST(health.json().at("status") == "degraded");
    BOOST_TEST(health.json().at("revoked_keys").size() == 1U);
    // Each refusal is on record; no seal was intended after the revocation.
    BOOST_TEST(entries_with(inst, "refusal", "is revoked") == 2);
}

BOOST_AUTO_TEST_CASE(b_lta_with_an_independent_ocsp_responder_only_by_post_and_by_get) {
    TempDir work{"signet-ltv-ocsp"};
    OcspResponder responder(work.path(), first_port, last_port);
    const std::string url = "http://127.0.0.1:" + std::to_string(responder.port()) + "/ocsp";
    Installation inst(false, "", Installation::max_body_bytes, Installation::max_raw_document_bytes,
                      {"--ocsp-url", url});
    answer_for(responder, inst, work.path());

    auto lta = seal_at(inst, sample_letter(), "B-LTA");
    BOOST_REQUIRE_MESSAGE(lta.status == 200, lta.body);
    // The responder answers now: every status in the DSS is later than the time-stamp.
    BOOST_TEST(lta.json().at("signature").at("validation_data").at("revocation_after_timestamp") == true,
               lta.body.substr(lta.body.find("\"signature\"")));
    auto archived = accept(inst, write_pdf(lta.json(), work.path(), "ocsp"), work.path(), 1, 1);
    BOOST_TEST(archived.ocsp_responses == 2);  // the seal certificate's and the TSA certificate's
    BOOST_TEST(archived.crls == 0);
    BOOST_TEST(responder.ocsp_requests() >= 2U);

    // A second seal within the responses' validity asks the responder only for B-LT's fresh
    // answers, not before the key use.
    const auto asked = responder.ocsp_requests();
    auto plain = seal_at(inst, sample_letter(), "B-B");
    BOOST_REQUIRE(plain.status == 200);
    BOOST_TEST(responder.ocsp_requests() == asked);

    // The same by GET (RFC 6960 A.1), for responders behind HTTP caches.
    Installation by_get(false, "[revocation]\nmode = \"require\"\nocsp_get = true\n", Installation::max_body_bytes,
                        Installation::max_raw_document_bytes, {"--ocsp-url", url});
    answer_for(responder, by_get, work.path());
    // pdfsig (NSS) asks the responder by GET too, when it checks a file: count signetd's only.
    const auto gets_before = responder.ocsp_get_requests();
    const auto before = responder.ocsp_requests();
    auto got = seal_at(by_get, sample_letter(), "B-LT");
    BOOST_REQUIRE_MESSAGE(got.status == 200, got.body);
    BOOST_TEST(responder.ocsp_get_requests() - gets_before >= 2U);
    BOOST_TEST(responder.ocsp_get_requests() - gets_before == responder.ocsp_requests() - before);
    auto dss = accept(by_get, write_pdf(got.json(), work.path(), "ocsp-get"), work.path(), 1, 0);
    BOOST_TEST(dss.ocsp_responses == 2);
}

BOOST_AUTO_TEST_CASE(b_lt_with_a_crl_served_over_http_only) {
    TempDir work{"signet-ltv-cdp"};
    OcspResponder server(work.path(), first_port, last_port);
    const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/ca.crl";
    Installation inst(false, "", Installation::max_body_bytes, Installation::max_raw_document_bytes,
                      {"--crl-url", url});
    server.set_crl(inst.install / "pki" / "signing-ca.crl");

    auto lt = seal_at(inst, sample_letter(), "B-LT");
    BOOST_REQUIRE_MESSAGE(lt.status == 200, lt.body);
    auto dss = accept(inst, write_pdf(lt.json(), work.path(), "cdp"), work.path(), 1, 0);
    BOOST_TEST(dss.crls == 1);
    BOOST_TEST(server.crl_requests() >= 1U);
}

BOOST_AUTO_TEST_CASE(a_responder_down_refuses_under_require_and_is_noted_under_prefer) {
    const std::string url = "http://127.0.0.1:" + std::to_string(signet::test::unused_port(first_port, last_port)) + "/ocsp";
    const std::string fast = "[revocation]\nmode = \"require\"\nconnect_timeout_ms = 500\ntimeout_ms = 1000\n";
    {
        Installation inst(false, fast, Installation::max_body_bytes, Installation::max_raw_document_bytes,
                          {"--ocsp-url", url});
        auto refused = seal_at(inst, sample_letter(), "B-B");
        BOOST_TEST(refused.status == 503, refused.body);
        BOOST_TEST(refused.json().at("error") == "unavailable");
        BOOST_TEST(refused.json().at("message").get<std::string>().find("127.0.0.1") != std::string::npos,
                   refused.body);
    }
    Installation inst(false, "[revocation]\nmode = \"prefer\"\nconnect_timeout_ms = 500\ntimeout_ms = 1000\n",
                      Installation::max_body_bytes, Installation::max_raw_document_bytes, {"--ocsp-url", url});
    auto sealed = seal_at(inst, sample_letter(), "B-LT");
    BOOST_REQUIRE_MESSAGE(sealed.status == 200, sealed.body);
    BOOST_TEST(sealed.json().at("signature").at("validation_data").at("revocation_after_timestamp") == false);
    bool noted = false;
    for (const auto& entry : inst.audit_entries()) {
        if (entry.at("event") == "seal" && entry.at("outcome") == "intended" && entry.at("detail").is_object() &&
            entry.at("detail").contains("revocation")) {
            noted = entry.at("detail").at("revocation").get<std::string>().starts_with("unknown");
        }
    }
    BOOST_TEST(noted);
}

BOOST_AUTO_TEST_SUITE_END()
