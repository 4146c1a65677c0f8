// Archive renewal through a real signetd (issue 18, POST /v1/extend and signetctl extend): our own
// B-T and B-LTA files and a B-B file made by poppler's `pdfsig -add-signature`, extended twice
// in a row, each round checked by pdfsig, qpdf, openssl and the DSS checks of ltv_checks.hpp;
// and the refusals: a tampered document, a signer under an unknown CA, a revoked signer, a file
// without signatures.
#include <boost/test/unit_test.hpp>

#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/pdf_samples.hpp"
#include "tests/integration/support/validators.hpp"
#include "tests/support/ltv_checks.hpp"

namespace {

using nlohmann::json;
using signet::test::HttpResult;
using signet::test::Installation;
using signet::test::read_file;
using signet::test::run;
using signet::test::sample_letter;
using signet::test::seal_body;
using signet::test::TempDir;
using signet::test::write_file;

std::string b64(const std::string& bytes) {
    return run({"base64", "-w0"}, bytes).output;
}

HttpResult extend(const Installation& inst, const std::string& document, const std::string& tenant = "cabinet-durand") {
    return inst.request("POST", "/v1/extend",
                        json{{"tenant", tenant}, {"document", b64(document)}}.dump());
}

std::string decoded(const json& answer) {
    return run({"base64", "-d"}, answer.at("document").get<std::string>()).output;
}

void must(const signet::test::RunResult& result) { BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.output); }

// A renewed file: the signatures still valid, the DSS and every document time-stamp sound.
void accept(const Installation& inst, const std::string& bytes, const std::filesystem::path& folder,
            const std::string& name, int signatures, int timestamps, const std::filesystem::path& anchors) {
    const auto pdf = folder / (name + ".pdf");
    write_file(pdf, bytes);
    auto report = signet::test::pdfsig(inst.nss_db, pdf);
    BOOST_TEST(report.valid == signatures, report.output);
    BOOST_TEST(signet::test::qpdf_check(pdf).first == 0);
    auto ltv = signet::test::check_ltv(pdf, anchors, folder);
    for (const auto& problem : ltv.problems) BOOST_ERROR(name + ": " + problem);
    BOOST_TEST(ltv.document_timestamps == timestamps);
    BOOST_TEST(ltv.vri_entries >= signatures);
}

// A certificate for another producer's signatures, issued by `ca` with `ca_key`, in an NSS
// database of its own for pdfsig; returns the database's folder.
std::filesystem::path signer_for_pdfsig(const std::filesystem::path& dir, const std::filesystem::path& ca,
                                        const std::filesystem::path& ca_key, const std::string& name) {
    const auto key = dir / (name + ".key");
    const auto cert = dir / (name + ".pem");
    write_file(dir / "ext.cnf", "keyUsage=critical,digitalSignature,nonRepudiation\nbasicConstraints=critical,CA:FALSE\n");
    must(run({"openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key.string(), "-subj",
              "/O=Autre Producteur/CN=" + name, "-out", (dir / (name + ".csr")).string()}));
    must(run({"openssl", "x509", "-req", "-in", (dir / (name + ".csr")).string(), "-CA", ca.string(), "-CAkey",
              ca_key.string(), "-CAcreateserial", "-days", "30", "-sha256", "-extfile", (dir / "ext.cnf").string(),
              "-out", cert.string()}));
    must(run({"openssl", "pkcs12", "-export", "-inkey", key.string(), "-in", cert.string(), "-certfile", ca.string(),
              "-name", name, "-out", (dir / (name + ".p12")).string(), "-passout", "pass:extend"}));
    const auto nss = dir / ("nss-" + name);
    std::filesystem::create_directories(nss);
    must(run({"certutil", "-N", "-d", "sql:" + nss.string(), "--empty-password"}));
    must(run({"pk12util", "-i", (dir / (name + ".p12")).string(), "-d", "sql:" + nss.string(), "-W", "extend"}));
    return nss;
}

std::string pdfsig_signed(const std::filesystem::path& dir, const std::filesystem::path& nss, const std::string& name) {
    write_file(dir / "in.pdf", sample_letter());
    const auto out = dir / (name + "-signed.pdf");
    must(run({"pdfsig", "-add-signature", "-nssdir", "sql:" + nss.string(), "-nick", name, "-digest", "SHA256",
              (dir / "in.pdf").string(), out.string()}));
    return read_file(out);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(archive_renewal)

BOOST_AUTO_TEST_CASE(our_b_t_and_b_lta_files_are_extended_twice_in_a_row) {
    auto& inst = signet::test::installation();
    TempDir work{"signet-extend-ours"};
    const auto ca = inst.install / "pki" / "signing-ca.pem";
    for (const std::string level : {"B-T", "B-LTA"}) {
        auto sealed = inst.request("POST", "/v1/seal", seal_body(sample_letter(), ", \"level\": \"" + level + "\""));
        BOOST_REQUIRE_MESSAGE(sealed.status == 200, sealed.body);
        std::string document = decoded(sealed.json());
        const int before = level == "B-LTA" ? 1 : 0;
        for (int round = 1; round <= 2; ++round) {
            auto extended = extend(inst, document);
            BOOST_REQUIRE_MESSAGE(extended.status == 200, extended.body);
            const json answer = extended.json();
            BOOST_TEST(answer.at("timestamps") == before + round);
            BOOST_REQUIRE(answer.at("signatures").size() == 1U);
            BOOST_TEST(answer.at("signatures")[0].at("valid") == true);
            // The level found in the file sent: B-T first, B-LTA once it was renewed.
            BOOST_TEST(answer.at("signatures")[0].at("level") == (round == 1 ? level : std::string("B-LTA")));
            document = decoded(answer);
            accept(inst, document, work.path(), level + "-round-" + std::to_string(round), 1, before + round, ca);
        }
    }
    // Each extension's time-stamp is a key use billed as an extension.
    auto usage = inst.request("GET", "/v1/audit/usage?tenant=cabinet-durand&from=2020-01-01&to=2099-12-31", "",
                              "auditor");
    BOOST_REQUIRE(usage.status == 200);
    BOOST_TEST(usage.json().at("extensions").get<int>() >= 4);
}

BOOST_AUTO_TEST_CASE(another_producers_b_b_file_is_extended_and_its_refusals) {
    auto& inst = signet::test::installation();
    TempDir work{"signet-extend-pdfsig"};
    const auto pki = inst.install / "pki";
    const auto nss = signer_for_pdfsig(work.path(), pki / "signing-ca.pem", pki / "signing-ca.key", "autre");
    const std::string signed_by_other = pdfsig_signed(work.path(), nss, "autre");

    auto extended = extend(inst, signed_by_other);
    BOOST_REQUIRE_MESSAGE(extended.status == 200, extended.body);
    BOOST_TEST(extended.json().at("signatures")[0].at("level") == "B-B");
    const std::string once = decoded(extended.json());
    accept(inst, once, work.path(), "pdfsig-once", 1, 1, pki / "signing-ca.pem");
    auto again = extend(inst, once);
    BOOST_REQUIRE_MESSAGE(again.status == 200, again.body);
    accept(inst, decoded(again.json()), work.path(), "pdfsig-twice", 1, 2, pki / "signing-ca.pem");

    // A byte changed under the signature.
    std::string tampered = signed_by_other;
    const auto at = tampered.find("Helvetica");
    BOOST_REQUIRE(at != std::string::npos);
    tampered[at] = 'h';
    auto changed = extend(inst, tampered);
    BOOST_TEST(changed.status == 422, changed.body);
    BOOST_TEST(changed.json().at("error") == "invalid_document");
    BOOST_TEST(changed.json().at("message").get<std::string>().find("changed") != std::string::npos, changed.body);

    // A signer under a CA that is not among the trust anchors.
    write_file(work / "rogue.cnf", "[v3_ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
    must(run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", (work / "rogue-ca.key").string(),
              "-subj", "/CN=Rogue CA", "-days", "30", "-config", "/usr/lib/ssl/openssl.cnf", "-extensions", "v3_ca",
              "-out", (work / "rogue-ca.pem").string()}));
    const auto rogue_nss = signer_for_pdfsig(work.path(), work / "rogue-ca.pem", work / "rogue-ca.key", "rogue");
    auto untrusted = extend(inst, pdfsig_signed(work.path(), rogue_nss, "rogue"));
    BOOST_TEST(untrusted.status == 422, untrusted.body);
    BOOST_TEST(untrusted.json().at("message").get<std::string>().find("trust") != std::string::npos, untrusted.body);

    // A file without signatures; an unknown tenant; another role.
    auto unsigned_file = extend(inst, sample_letter());
    BOOST_TEST(unsigned_file.status == 422, unsigned_file.body);
    BOOST_TEST(unsigned_file.json().at("message").get<std::string>().find("no signature") != std::string::npos);
    BOOST_TEST(extend(inst, signed_by_other, "nobody").status == 404);
    BOOST_TEST(inst.request("POST", "/v1/extend", json{{"tenant", "cabinet-durand"}, {"document", "JVBERi0="}}.dump(),
                            "officer")
                   .status == 403);
}

BOOST_AUTO_TEST_CASE(a_revoked_signer_is_refused_and_signetctl_extend_renews_a_file) {
    Installation inst;
    TempDir work{"signet-extend-revoked"};
    const auto pki = inst.install / "pki";
    const auto nss = signer_for_pdfsig(work.path(), pki / "signing-ca.pem", pki / "signing-ca.key", "partant");
    const std::string signed_file = pdfsig_signed(work.path(), nss, "partant");

    // signetctl extend, the raw form's twin for operators.
    write_file(work / "in.pdf", signed_file);
    auto cli = run({SIGNETCTL_PATH, "extend", (work / "in.pdf").string(), (work / "out.pdf").string(), "--tenant",
                    "cabinet-durand", "--url", "https://127.0.0.1:" + std::to_string(inst.port), "--cacert",
                    (pki / "tls-ca.pem").string(), "--cert", (pki / "platform.pem").string(), "--key",
                    (pki / "platform.key").string()});
    BOOST_REQUIRE_MESSAGE(cli.exit_code == 0, cli.output);
    BOOST_TEST(cli.output.find("document time-stamps 1") != std::string::npos, cli.output);
    accept(inst, read_file(work / "out.pdf"), work.path(), "cli", 1, 1, pki / "signing-ca.pem");

    // The raw form.
    auto raw = inst.request("POST", "/v1/extend?tenant=cabinet-durand", signed_file, "platform", "application/pdf");
    BOOST_REQUIRE_MESSAGE(raw.status == 200, raw.body.substr(0, 300));
    BOOST_TEST(raw.headers.at("signet-timestamps") == "1");
    BOOST_TEST(raw.headers.at("signet-signatures").find("\"valid\":true") != std::string::npos);
    BOOST_TEST(!raw.headers.at("signet-document-timestamp-serial").empty());

    // With an Idempotency-Key (issue 20): the repeat gets the first extended file byte for byte,
    // with its headers, and makes no second document time-stamp.
    auto time_stamps = [&] {
        int made = 0;
        for (const auto& entry : inst.audit_entries()) {
            const std::string outcome = entry.value("outcome", "");
            made += entry.at("action") == "extend" && (outcome == "stamped" || outcome == "received") ? 1 : 0;
        }
        return made;
    };
    const std::vector<std::string> key{"-H", "Idempotency-Key: extend-once"};
    auto keyed = inst.request("POST", "/v1/extend?tenant=cabinet-durand", signed_file, "platform", "application/pdf", key);
    BOOST_REQUIRE_MESSAGE(keyed.status == 200, keyed.body.substr(0, 300));
    const int stamped = time_stamps();
    auto repeated = inst.request("POST", "/v1/extend?tenant=cabinet-durand", signed_file, "platform", "application/pdf", key);
    BOOST_TEST(repeated.status == 200);
    BOOST_TEST((repeated.body == keyed.body));
    BOOST_TEST(repeated.headers.at("signet-document-timestamp-serial") ==
               keyed.headers.at("signet-document-timestamp-serial"));
    BOOST_TEST(time_stamps() == stamped);

    // Revoked: the file proves no time before now, so the signature is not valid any more.
    must(run({SIGNETCTL_PATH, "dev-crl", inst.install.string(), "--revoke", (work / "partant.pem").string()}));
    auto refused = extend(inst, signed_file);
    BOOST_TEST(refused.status == 422, refused.body);
    BOOST_TEST(refused.json().at("message").get<std::string>().find("revoked") != std::string::npos, refused.body);
    int recorded = 0;
    for (const auto& entry : inst.audit_entries()) {
        if (entry.at("event") == "refusal" && entry.at("action") == "extend") ++recorded;
    }
    BOOST_TEST(recorded == 1);
}

BOOST_AUTO_TEST_SUITE_END()
