// PAdES B-T through a real signetd (issue 17): seals whose signature time-stamp comes from
// signetd's own TSA key in the HSM or from an independent TSA (`openssl ts -reply` behind a
// loopback HTTP responder), checked by pdfsig, qpdf, `openssl cms -verify` and, for the token,
// `openssl ts -verify` over the SignerInfo's signature value; and every way an external TSA
// can fail, which must give 503 naming it and leave the failure in the audit log.
#include <boost/test/unit_test.hpp>


#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/pdf_samples.hpp"
#include "tests/integration/support/validators.hpp"
#include "tests/support/responders/tsa_responder.hpp"

namespace {

using nlohmann::json;
using signet::test::HttpResult;
using signet::test::Installation;
using signet::test::read_file;
using signet::test::run;
using signet::test::sample_letter;
using signet::test::seal_body;
using signet::test::TempDir;
using signet::test::TsaResponder;
using signet::test::write_file;

// The signed PDF of a JSON answer, written to `folder/name.pdf`, with every independent check.
std::filesystem::path accept(const Installation& inst, const json& answer, const std::filesystem::path& folder,
                             const std::string& name, int signatures, const std::filesystem::path& tsa_ca) {
    auto b64 = folder / (name + ".b64");
    auto pdf = folder / (name + ".pdf");
    write_file(b64, answer.at("document").get<std::string>());
    BOOST_REQUIRE(run({"sh", "-c", "base64 -d < '" + b64.string() + "' > '" + pdf.string() + "'"}).exit_code == 0);
    auto report = signet::test::pdfsig(inst.nss_db, pdf);
    BOOST_TEST(report.signatures == signatures, report.output);
    BOOST_TEST(report.valid == signatures, report.output);
    // poppler 22.12 reports "Unknown issue with Certificate" for every signature after the first
    // made with the same certificate (seal_test.cpp); openssl cms -verify checks every chain.
    BOOST_TEST(report.trusted >= 1, report.output);
    BOOST_TEST(signet::test::qpdf_check(pdf).first == 0);
    auto cms = signet::test::openssl_verify_all(pdf, inst.install / "pki" / "signing-ca.pem", folder);
    BOOST_TEST(cms.verified == signatures);
    BOOST_TEST(cms.failures.empty());
    auto tokens = signet::test::verify_signature_timestamps(pdf, tsa_ca, folder);
    BOOST_TEST(tokens.verified == signatures);
    for (const auto& failure : tokens.failures) BOOST_ERROR(failure);
    return pdf;
}

HttpResult seal_with(const Installation& inst, const std::string& document, const std::string& extra) {
    return inst.request("POST", "/v1/seal", seal_body(document, extra));
}

// An installation whose trusted time is the responder, with short timeouts for the hang case.
std::string external_config(const TsaResponder& tsa, const std::filesystem::path& trust) {
    return "[timestamp]\nsource = \"external\"\nurls = [\"" + tsa.url() + "\"]\ntrust = \"" + trust.string() +
           "\"\nconnect_timeout_ms = 1000\ntimeout_ms = 2000\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pades_b_t)

BOOST_AUTO_TEST_CASE(a_b_t_seal_carries_the_internal_tsas_token_and_a_cosignature_keeps_it_valid) {
    auto& inst = signet::test::installation();
    TempDir work{"signet-bt"};
    const auto signing_ca = inst.install / "pki" / "signing-ca.pem";

    auto sealed = seal_with(inst, sample_letter(), ", \"level\": \"B-T\"");
    BOOST_REQUIRE_MESSAGE(sealed.status == 200, sealed.body);
    const json answer = sealed.json();
    const json& signature = answer.at("signature");
    BOOST_TEST(signature.at("level") == "B-T");
    const json& stamp = signature.at("timestamp");
    BOOST_TEST(stamp.at("tsa").get<std::string>().find("CN=signet development TSA") != std::string::npos);
    BOOST_TEST(!stamp.at("serial").get<std::string>().empty());
    BOOST_TEST(stamp.at("gen_time").get<std::string>().size() == 20U);  // 2026-12-05T18:00:00Z
    auto once = accept(inst, answer, work.path(), "bt-once", 1, signing_ca);

    // The token is a key use of the TSA key on record, billed with the seal: intent, then
    // stamped with the serial the answer gives.
    bool stamped = false;
    for (const auto& entry : inst.audit_entries()) {
        if (entry.at("event") == "timestamp" && entry.at("outcome") == "stamped" &&
            entry.at("detail").at("serial") == stamp.at("serial")) {
            stamped = true;
            BOOST_TEST(entry.at("action") == "document.seal");
            BOOST_TEST(entry.at("tenant") == "cabinet-durand");
        }
    }
    BOOST_TEST(stamped);

    // A second B-T seal over the first: both signatures and both tokens stay valid.
    auto again = seal_with(inst, read_file(once), ", \"level\": \"B-T\"");
    BOOST_REQUIRE_MESSAGE(again.status == 200, again.body);
    accept(inst, again.json(), work.path(), "bt-twice", 2, signing_ca);
}

BOOST_AUTO_TEST_CASE(the_raw_form_answers_the_level_and_token_in_headers) {
    auto sealed = signet::test::raw_seal(sample_letter(), "&level=B-T");
    BOOST_REQUIRE_MESSAGE(sealed.status == 200, sealed.body.substr(0, 300));
    BOOST_TEST(sealed.headers.at("signet-level") == "B-T");
    BOOST_TEST(sealed.headers.at("signet-timestamp-tsa").find("signet development TSA") != std::string::npos);
    BOOST_TEST(!sealed.headers.at("signet-timestamp-serial").empty());
    BOOST_TEST(!sealed.headers.at("signet-timestamp-gen-time").empty());

    auto plain = signet::test::raw_seal(sample_letter());
    BOOST_REQUIRE(plain.status == 200);
    BOOST_TEST(plain.headers.at("signet-level") == "B-B");
    BOOST_TEST(plain.headers.count("signet-timestamp-serial") == 0U);
}

BOOST_AUTO_TEST_CASE(levels_signet_does_not_make_are_refused) {
    auto& inst = signet::test::installation();
    for (const std::string level : {"B-X", "b-t", "", "B-LTB", "b-lta"}) {
        auto refused = seal_with(inst, sample_letter(), ", \"level\": \"" + level + "\"");
        BOOST_TEST(refused.status == 400, level << ": " << refused.body);
        BOOST_TEST(refused.json().at("error") == "bad_request");
    }
    auto raw = signet::test::raw_seal(sample_letter(), "&level=B-Z");
    BOOST_TEST(raw.status == 400);
}

BOOST_AUTO_TEST_CASE(the_configured_level_applies_when_the_request_names_none) {
    Installation inst(false, "[signature]\nlevel = \"B-T\"\n");
    TempDir work{"signet-bt-default"};
    auto sealed = seal_with(inst, sample_letter(), "");
    BOOST_REQUIRE_MESSAGE(sealed.status == 200, sealed.body);
    BOOST_TEST(sealed.json().at("signature").at("level") == "B-T");
    accept(inst, sealed.json(), work.path(), "default", 1, inst.install / "pki" / "signing-ca.pem");
    auto explicit_bb = seal_with(inst, sample_letter(), ", \"level\": \"B-B\"");
    BOOST_REQUIRE(explicit_bb.status == 200);
    BOOST_TEST(explicit_bb.json().at("signature").at("level") == "B-B");
    BOOST_TEST(!explicit_bb.json().at("signature").contains("timestamp"));
}

BOOST_AUTO_TEST_CASE(an_external_tsas_token_is_checked_then_embedded) {
    TempDir tsa_dir{"signet-bt-tsa"};
    TsaResponder tsa(tsa_dir.path());
    Installation inst(false, external_config(tsa, tsa.ca_pem_path()));
    TempDir work{"signet-bt-external"};
    auto sealed = seal_with(inst, sample_letter(), ", \"level\": \"B-T\"");
    BOOST_REQUIRE_MESSAGE(sealed.status == 200, sealed.body);
    const json answer = sealed.json();
    const json& stamp = answer.at("signature").at("timestamp");
    BOOST_TEST(stamp.at("tsa").get<std::string>().find(TsaResponder::tsa_common_name) != std::string::npos);
    accept(inst, answer, work.path(), "external", 1, tsa.ca_pem_path());
    BOOST_TEST(tsa.requests() == 1U);

    bool received = false;
    for (const auto& entry : inst.audit_entries()) {
        if (entry.at("event") == "timestamp" && entry.at("outcome") == "received") {
            received = entry.at("detail").at("tsa") == tsa.url();
        }
    }
    BOOST_TEST(received);
}

BOOST_AUTO_TEST_CASE(a_bad_or_unreachable_external_tsa_gives_503_naming_it) {
    TempDir tsa_dir{"signet-bt-bad-tsa"};
    TsaResponder tsa(tsa_dir.path());
    Installation inst(false, external_config(tsa, tsa.ca_pem_path()));
    struct Case {
        TsaResponder::Mode mode;
        const char* says;
    };
    for (const auto& [mode, says] : std::vector<Case>{{TsaResponder::Mode::wrong_imprint, "imprint"},
                                                       {TsaResponder::Mode::no_eku_signer, "extendedKeyUsage"},
                                                       {TsaResponder::Mode::garbage, ""},
                                                       {TsaResponder::Mode::rejection, "rejection"},
                                                       {TsaResponder::Mode::hang, "timed out"}}) {
        tsa.set_mode(mode);
        auto refused = seal_with(inst, sample_letter(), ", \"level\": \"B-T\"");
        BOOST_TEST(refused.status == 503, says << ": " << refused.body);
        const std::string message = refused.json().value("message", "");
        BOOST_TEST(refused.json().at("error") == "unavailable");
        BOOST_TEST(message.find(tsa.url()) != std::string::npos, message);
        BOOST_TEST(message.find(says) != std::string::npos, says << " in: " << message);
    }
    // Each failure is on record: the TSA and why, and the seal itself failed after its intent.
    int failed_stamps = 0;
    for (const auto& entry : inst.audit_entries()) {
        if (entry.at("event") == "timestamp" && entry.at("outcome") == "failed") {
            ++failed_stamps;
            BOOST_TEST(entry.at("reason").get<std::string>().find(tsa.url()) != std::string::npos);
        }
    }
    BOOST_TEST(failed_stamps == 5);

    // The same TSA serving well again is used again: no failure is remembered.
    tsa.set_mode(TsaResponder::Mode::good);
    auto sealed = seal_with(inst, sample_letter(), ", \"level\": \"B-T\"");
    BOOST_TEST(sealed.status == 200, sealed.body);
}

BOOST_AUTO_TEST_CASE(an_untrusted_or_unreachable_tsa_is_refused) {
    TempDir tsa_dir{"signet-bt-untrusted"};
    TsaResponder tsa(tsa_dir.path());
    // Trusting the development signing CA instead of the responder's own CA.
    {
        Installation inst(false, "");
        Installation untrusting(false, external_config(tsa, inst.install / "pki" / "signing-ca.pem"));
        auto refused = seal_with(untrusting, sample_letter(), ", \"level\": \"B-T\"");
        BOOST_TEST(refused.status == 503, refused.body);
        BOOST_TEST(refused.json().value("message", "").find(tsa.url()) != std::string::npos);
    }
    // A URL where nothing listens.
    const std::string closed = "http://127.0.0.1:" + std::to_string(signet::test::free_port()) + "/tsa";
    Installation unreachable(false, "[timestamp]\nsource = \"external\"\nurls = [\"" + closed + "\"]\ntrust = \"" +
                                        tsa.ca_pem_path().string() + "\"\n");
    auto refused = seal_with(unreachable, sample_letter(), ", \"level\": \"B-T\"");
    BOOST_TEST(refused.status == 503, refused.body);
    BOOST_TEST(refused.json().value("message", "").find(closed) != std::string::npos, refused.body);
    // B-B needs no trusted time and still works.
    BOOST_TEST(seal_with(unreachable, sample_letter(), "").status == 200);
}

BOOST_AUTO_TEST_CASE(signetctl_timestamp_writes_a_token_that_openssl_verifies) {
    auto& inst = signet::test::installation();
    TempDir work{"signet-ctl-ts"};
    const auto file = work / "minutes.txt";
    write_file(file, "procès-verbal de l'assemblée\n");
    const auto pki = inst.install / "pki";
    auto stamped = run({SIGNETCTL_PATH, "timestamp", file.string(), "--tenant", "cabinet-durand", "--hash", "sha384",
                        "--url", "https://127.0.0.1:" + std::to_string(inst.port), "--cacert",
                        (pki / "tls-ca.pem").string(), "--cert", (pki / "platform.pem").string(), "--key",
                        (pki / "platform.key").string()});
    BOOST_REQUIRE_MESSAGE(stamped.exit_code == 0, stamped.output);
    BOOST_TEST(stamped.output.find("serial ") != std::string::npos, stamped.output);
    BOOST_TEST(stamped.output.find("gen_time ") != std::string::npos, stamped.output);
    auto verified = run({"openssl", "ts", "-verify", "-data", file.string(), "-in", file.string() + ".tsr",
                         "-CAfile", (pki / "signing-ca.pem").string()});
    BOOST_TEST(verified.exit_code == 0, verified.output);
    // A tenant the register does not know is not billed: the command fails and says why.
    auto refused = run({SIGNETCTL_PATH, "timestamp", file.string(), "--tenant", "nobody", "--url",
                        "https://127.0.0.1:" + std::to_string(inst.port), "--cacert", (pki / "tls-ca.pem").string(),
                        "--cert", (pki / "platform.pem").string(), "--key", (pki / "platform.key").string(), "-o",
                        (work / "nobody.tsr").string()});
    BOOST_TEST(refused.exit_code == 1);
    BOOST_TEST(refused.output.find("not registered") != std::string::npos, refused.output);
}

BOOST_AUTO_TEST_SUITE_END()
