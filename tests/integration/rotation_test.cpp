// The security officers' key lifecycle through the API and signetctl (issue 5): a seal
// rotation ceremony end to end, with the dev signing CA issuing the new certificate through
// openssl, and every refusal an officer can meet on the way. Its own installation, because it
// changes the active seal key.

#include <atomic>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "config/config.hpp"
#include "store/database.hpp"
#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/pdf_samples.hpp"
#include "tests/integration/support/validators.hpp"

namespace {

using nlohmann::json;
using signet::test::Installation;
using signet::test::read_file;
using signet::test::run;
using signet::test::TempDir;
using signet::test::write_file;

Installation& officers_installation() {
    static Installation shared;
    return shared;
}

// signetctl as one of dev-init's clients.
signet::test::RunResult signetctl(const Installation& inst, const std::string& client, std::vector<std::string> args) {
    auto pki = inst.install / "pki";
    std::vector<std::string> argv{SIGNETCTL_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--url", "https://127.0.0.1:" + std::to_string(inst.port), "--cacert",
                             (pki / "tls-ca.pem").string(), "--cert", (pki / (client + ".pem")).string(), "--key",
                             (pki / (client + ".key")).string()});
    return run(argv);
}

const std::string signing_usage = "keyUsage=critical,digitalSignature,nonRepudiation\nbasicConstraints=critical,CA:FALSE\n";

// The certificate `ca` issues for `csr` with `extensions`, valid `days` from now (negative: it
// has already ended), made by openssl as a CA's operator would.
std::filesystem::path issue(const std::filesystem::path& csr, const std::filesystem::path& ca_cert,
                            const std::filesystem::path& ca_key, const std::filesystem::path& out,
                            const std::string& extensions = signing_usage, int days = 365) {
    auto extfile = out.parent_path() / (out.stem().string() + ".ext");
    write_file(extfile, extensions);
    auto issued = run({"openssl", "x509", "-req", "-in", csr.string(), "-CA", ca_cert.string(), "-CAkey",
                       ca_key.string(), "-days", std::to_string(days), "-set_serial",
                       std::to_string(1000 + std::rand() % 100000), "-extfile", extfile.string(), "-out", out.string()});
    BOOST_REQUIRE_MESSAGE(issued.exit_code == 0, issued.output);
    return out;
}

std::filesystem::path issue_dev(const Installation& inst, const std::filesystem::path& csr,
                                const std::filesystem::path& out, const std::string& extensions = signing_usage,
                                int days = 365) {
    auto pki = inst.install / "pki";
    return issue(csr, pki / "signing-ca.pem", pki / "signing-ca.key", out, extensions, days);
}

// A pending seal key made through the API; its request is written to `csr`.
std::string generate(const Installation& inst, const std::filesystem::path& csr, const std::string& label) {
    auto made = inst.request("POST", "/v1/keys",
                             json{{"purpose", "seal"}, {"algorithm", "ec-p256"}, {"label", label}}.dump(), "officer");
    BOOST_REQUIRE_MESSAGE(made.status == 201, made.body);
    const json body = made.json();
    BOOST_TEST(body.at("state") == "pending");
    write_file(csr, body.at("csr").get<std::string>());
    return body.at("key_id").get<std::string>();
}

std::string import_body(const std::filesystem::path& certificate) {
    return json{{"certificate", read_file(certificate)}}.dump();
}

json key_entry(const Installation& inst, const std::string& key_id) {
    const json listed = inst.request("GET", "/v1/keys", "", "officer").json();
    for (const auto& key : listed.at("keys")) {
        if (key.at("key_id") == key_id) return key;
    }
    BOOST_FAIL("key " + key_id + " is not in the inventory");
    return {};
}

std::string active_seal_key(const Installation& inst) {
    const json listed = inst.request("GET", "/v1/keys", "", "officer").json();
    for (const auto& key : listed.at("keys")) {
        if (key.at("purpose") == "seal" && key.at("state") == "active") return key.at("key_id").get<std::string>();
    }
    return "";
}

std::string base64_of(const std::filesystem::path& file) {
    auto result = run({"base64", "-w0", file.string()});
    BOOST_REQUIRE(result.exit_code == 0);
    return result.output;
}

// Seals `input`; returns the response (status in "status").
json seal(const Installation& inst, const std::filesystem::path& input, const std::filesystem::path& output) {
    auto result = inst.request("POST", "/v1/seal",
                               R"({"tenant": "cabinet-durand", "actor": "marie.durand", "document": ")" +
                                   base64_of(input) + "\"}");
    json body = result.status == 200 ? result.json() : json::object();
    body["status"] = result.status;
    if (result.status == 200) {
        auto decoded = run({"base64", "-d"}, body.at("document").get<std::string>());
        write_file(output, decoded.output);
        body.erase("document");
    } else {
        body["error_body"] = result.body;
    }
    return body;
}

// pdfsig (trusted), qpdf --check and openssl cms -verify against the dev signing CA.
void validate(const Installation& inst, const std::filesystem::path& pdf, const std::filesystem::path& work) {
    auto report = signet::test::pdfsig(inst.nss_db, pdf);
    BOOST_TEST(report.valid == 1, report.output);
    BOOST_TEST(report.trusted == 1, report.output);
    auto [qpdf_exit, qpdf_output] = signet::test::qpdf_check(pdf);
    BOOST_TEST(qpdf_exit == 0, qpdf_output);
    auto cms = signet::test::openssl_verify_all(pdf, inst.install / "pki" / "signing-ca.pem", work);
    BOOST_TEST(cms.verified == 1);
    for (const auto& failure : cms.failures) BOOST_ERROR(failure);
}

std::string certificate_sha256(const std::filesystem::path& pem) {
    auto result = run({"sh", "-c", "openssl x509 -in '" + pem.string() + "' -outform DER | sha256sum"});
    BOOST_REQUIRE(result.exit_code == 0);
    return result.output.substr(0, 64);
}

// The export's entries with this event.
std::vector<json> audit_events(const Installation& inst, const std::string& event) {
    std::vector<json> out;
    for (auto& entry : inst.audit_entries()) {
        if (entry.at("event") == event) out.push_back(std::move(entry));
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(key_rotation)

BOOST_AUTO_TEST_CASE(a_seal_rotation_ceremony_with_two_officers) {
    auto& inst = officers_installation();
    TempDir work;
    const auto document = signet::test::ps2pdf_sample(work.path(), "letter", 1);
    const std::string old_key = active_seal_key(inst);
    BOOST_REQUIRE(!old_key.empty());
    auto before = seal(inst, document, work / "before.pdf");
    BOOST_REQUIRE_MESSAGE(before.at("status") == 200, before.dump());
    BOOST_TEST(before.at("signature").at("key_id") == old_key);

    // Generate: the CSR comes from the token and openssl accepts its self-signature.
    auto csr = work / "seal-2027.csr";
    auto generated = signetctl(inst, "officer", {"keys", "generate", "--purpose", "seal", "--algorithm", "ec-p256",
                                                 "--label", "signet seal 2027", "--organization", "Signet Dev",
                                                 "--csr", csr.string()});
    BOOST_REQUIRE_MESSAGE(generated.exit_code == 0, generated.output);
    const std::string new_key = generated.output.substr(4, 32);  // "key <id> generated ..."
    BOOST_TEST(key_entry(inst, new_key).at("state") == "pending");
    auto verified = run({"openssl", "req", "-in", csr.string(), "-noout", "-verify", "-subject"});
    BOOST_TEST(verified.exit_code == 0, verified.output);
    BOOST_TEST(verified.output.find("CN = signet seal 2027") != std::string::npos, verified.output);

    // Issue with the signing CA, import.
    auto certificate = issue_dev(inst, csr, work / "seal-2027.pem");
    auto imported = signetctl(inst, "officer", {"keys", "import-cert", new_key, "--certificate", certificate.string()});
    BOOST_REQUIRE_MESSAGE(imported.exit_code == 0, imported.output);
    BOOST_TEST(key_entry(inst, new_key).at("state") == "ready");

    // One officer asks; nothing changes until a second one approves.
    auto requested = signetctl(inst, "officer", {"keys", "activate", new_key});
    BOOST_REQUIRE_MESSAGE(requested.exit_code == 0, requested.output);
    BOOST_REQUIRE(requested.output.find("approval ") == 0U);
    const std::string approval = requested.output.substr(9, requested.output.find(' ', 9) - 9);
    BOOST_TEST(key_entry(inst, new_key).at("state") == "ready");
    BOOST_TEST(active_seal_key(inst) == old_key);
    auto same_officer = signetctl(inst, "officer", {"approvals", "approve", approval});
    BOOST_TEST(same_officer.exit_code == 1);
    BOOST_TEST(same_officer.output.find("403") != std::string::npos, same_officer.output);
    BOOST_TEST(same_officer.output.find("dual control") != std::string::npos, same_officer.output);
    BOOST_TEST(inst.request("POST", "/v1/approvals/" + approval + "/approve", "", "platform").status == 403);
    BOOST_TEST(inst.request("POST", "/v1/approvals/" + approval + "/approve", "", "auditor").status == 403);
    BOOST_TEST(active_seal_key(inst) == old_key);
    auto pending = signetctl(inst, "officer2", {"approvals", "list"});
    BOOST_TEST(pending.exit_code == 0, pending.output);
    BOOST_TEST(pending.output.find(new_key) != std::string::npos, pending.output);

    // The second officer approves while seals keep coming: none fails, each uses one of the two keys.
    std::atomic<bool> stop = false;
    std::vector<json> during;
    std::thread sealer([&] {
        for (int i = 0; !stop || i < 3; ++i) during.push_back(seal(inst, document, work / ("during.pdf")));
    });
    auto approved = signetctl(inst, "officer2", {"approvals", "approve", approval});
    stop = true;
    sealer.join();
    BOOST_REQUIRE_MESSAGE(approved.exit_code == 0, approved.output);
    BOOST_TEST(approved.output.find("key " + old_key + " is retired") != std::string::npos, approved.output);
    for (const auto& job : during) {
        BOOST_TEST(job.at("status") == 200, job.dump());
        if (job.at("status") != 200) continue;
        const auto used = job.at("signature").at("key_id").get<std::string>();
        BOOST_TEST((used == old_key || used == new_key), used);
    }
    BOOST_TEST(during.back().at("signature").at("key_id") == new_key);

    // After: the new key seals, validators accept it; the old key is retired and still listed.
    BOOST_TEST(active_seal_key(inst) == new_key);
    const json old_entry = key_entry(inst, old_key);
    BOOST_TEST(old_entry.at("state") == "retired");
    BOOST_TEST(old_entry.at("subject").get<std::string>().find("signet development seal") != std::string::npos);
    auto after = seal(inst, document, work / "after.pdf");
    BOOST_REQUIRE_MESSAGE(after.at("status") == 200, after.dump());
    BOOST_TEST(after.at("signature").at("key_id") == new_key);
    BOOST_TEST(after.at("signature").at("certificate_sha256") == certificate_sha256(certificate));
    validate(inst, work / "after.pdf", work.path());
    validate(inst, work / "before.pdf", work.path());  // sealed before the rotation, still valid

    // Every step is on record, naming both officers where two acted.
    BOOST_TEST(audit_events(inst, "key_generated").size() >= 1U);
    BOOST_TEST(audit_events(inst, "key_certificate_imported").size() >= 1U);
    BOOST_TEST(audit_events(inst, "key_change_requested").size() >= 1U);
    bool activation_recorded = false;
    for (const auto& entry : audit_events(inst, "key_activated")) {
        if (entry.at("key_id") != new_key) continue;
        activation_recorded = true;
        BOOST_TEST(entry.at("actor") == "officer");
        BOOST_TEST(entry.at("approver") == "officer2");
        BOOST_TEST(entry.at("detail").at("replaces") == old_key);
    }
    BOOST_TEST(activation_recorded);
    bool refusal_recorded = false;
    for (const auto& entry : audit_events(inst, "refusal")) {
        refusal_recorded = refusal_recorded || (entry.at("key_id") == new_key && entry.at("actor") == "officer");
    }
    BOOST_TEST(refusal_recorded, "the same-officer approval is on record");

    // Destroy the retired key: dual control again, then the token no longer holds it.
    auto destroy = inst.request("POST", "/v1/keys/" + old_key + "/destroy", "", "officer2");
    BOOST_REQUIRE_MESSAGE(destroy.status == 202, destroy.body);
    const auto destroy_id = std::to_string(destroy.json().at("approval_id").get<std::int64_t>());
    auto destroyed = inst.request("POST", "/v1/approvals/" + destroy_id + "/approve", "", "officer");
    BOOST_REQUIRE_MESSAGE(destroyed.status == 200, destroyed.body);
    BOOST_TEST(key_entry(inst, old_key).at("state") == "destroyed");
    BOOST_TEST(audit_events(inst, "key_destroyed").size() == 1U);
    auto objects = run({"pkcs11-tool", "--module", SIGNET_SOFTHSM_MODULE, "--token-label", "signet-dev", "--login",
                        "--pin", read_file(inst.install / "secrets" / "user-pin"), "--list-objects"},
                       {}, {"SOFTHSM2_CONF=" + (inst.install / "softhsm2.conf").string()});
    BOOST_TEST(objects.exit_code == 0, objects.output);
    BOOST_TEST(objects.output.find(new_key) != std::string::npos, objects.output);
    BOOST_TEST(objects.output.find(old_key) == std::string::npos, objects.output);

    // The log stays verifiable offline.
    auto exported = work / "export.ndjson";
    auto exporting = signetctl(inst, "auditor", {"audit", "export", "-o", exported.string()});
    BOOST_REQUIRE(exporting.exit_code == 0);
    auto intact = run({SIGNETCTL_PATH, "audit", "verify", exported.string(), "--trust",
                       (inst.install / "pki" / "audit.pem").string()});
    BOOST_TEST(intact.exit_code == 0, intact.output);
}

BOOST_AUTO_TEST_CASE(certificates_that_do_not_fit_the_key_are_refused) {
    auto& inst = officers_installation();
    TempDir work;
    auto csr = work / "key.csr";
    const std::string key = generate(inst, csr, "refusals");
    const std::string path = "/v1/keys/" + key + "/certificate";
    auto expect_refusal = [&](const std::filesystem::path& certificate, const std::string& reason) {
        auto answer = inst.request("PUT", path, import_body(certificate), "officer");
        BOOST_TEST(answer.status == 422, answer.body);
        BOOST_TEST(answer.body.find("invalid_certificate") != std::string::npos, answer.body);
        BOOST_TEST(answer.body.find(reason) != std::string::npos, reason << " not in " << answer.body);
    };

    // A certificate for another key (another request, made by openssl).
    auto other_csr = work / "other.csr";
    BOOST_REQUIRE(run({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                       "-keyout", (work / "other.key").string(), "-subj", "/CN=other", "-out", other_csr.string()})
                      .exit_code == 0);
    expect_refusal(issue_dev(inst, other_csr, work / "other.pem"), "not this key");
    expect_refusal(issue_dev(inst, csr, work / "expired.pem", signing_usage, -1), "expired on");
    expect_refusal(issue_dev(inst, csr, work / "no-nr.pem",
                             "keyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n"),
                   "lacks nonRepudiation");
    // A CA nobody configured.
    BOOST_REQUIRE(run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                       "-keyout", (work / "foreign.key").string(), "-subj", "/CN=foreign CA", "-days", "30",
                       "-out", (work / "foreign.pem").string()})
                      .exit_code == 0);
    expect_refusal(issue(csr, work / "foreign.pem", work / "foreign.key", work / "foreign-issued.pem"),
                   "does not chain to a configured signing trust anchor");
    auto not_pem = inst.request("PUT", path, R"({"certificate": "hello"})", "officer");
    BOOST_TEST(not_pem.status == 422, not_pem.body);
    BOOST_TEST(key_entry(inst, key).at("state") == "pending");

    // Nothing to activate before a certificate; malformed and unknown requests.
    auto early = inst.request("POST", "/v1/keys/" + key + "/activate", "", "officer");
    BOOST_TEST(early.status == 409, early.body);
    BOOST_TEST(early.body.find("import its certificate first") != std::string::npos, early.body);
    BOOST_TEST(inst.request("POST", "/v1/keys", R"({"purpose": "seal", "algorithm": "rsa-1024", "label": "x"})",
                            "officer").status == 400);
    BOOST_TEST(inst.request("POST", "/v1/keys", R"({"purpose": "personal", "algorithm": "ec-p256", "label": "x"})",
                            "officer").status == 400);
    BOOST_TEST(inst.request("POST", "/v1/keys", "{", "officer").status == 400);
    BOOST_TEST(inst.request("POST", "/v1/keys/00ff/activate", "", "officer").status == 404);
    BOOST_TEST(inst.request("POST", "/v1/approvals/999999/approve", "", "officer").status == 404);
}

BOOST_AUTO_TEST_CASE(the_active_seal_key_is_retired_only_by_its_successor) {
    auto& inst = officers_installation();
    const std::string active = active_seal_key(inst);
    auto retire = inst.request("POST", "/v1/keys/" + active + "/retire", "", "officer");
    BOOST_TEST(retire.status == 409, retire.body);
    BOOST_TEST(retire.body.find("activating its successor retires it") != std::string::npos, retire.body);
    auto destroy = inst.request("POST", "/v1/keys/" + active + "/destroy", "", "officer");
    BOOST_TEST(destroy.status == 409, destroy.body);
    BOOST_TEST(active_seal_key(inst) == active);
}

BOOST_AUTO_TEST_CASE(only_officers_call_the_officer_endpoints) {
    auto& inst = officers_installation();
    const std::string generate_body = R"({"purpose": "seal", "algorithm": "ec-p256", "label": "x"})";
    for (const std::string client : {"platform", "auditor"}) {
        BOOST_TEST(inst.request("POST", "/v1/keys", generate_body, client).status == 403);
        BOOST_TEST(inst.request("PUT", "/v1/keys/00ff/certificate", R"({"certificate": "x"})", client).status == 403);
        BOOST_TEST(inst.request("POST", "/v1/keys/00ff/activate", "", client).status == 403);
        BOOST_TEST(inst.request("GET", "/v1/approvals", "", client).status == 403);
    }
    BOOST_TEST(inst.request("POST", "/v1/keys", generate_body, "").status == 401);  // no client certificate
}

BOOST_AUTO_TEST_CASE(health_and_metrics_show_how_long_the_certificates_last) {
    auto& inst = officers_installation();
    auto health = inst.request("GET", "/v1/health", "", "officer");
    BOOST_REQUIRE(health.status == 200);
    const json body = health.json();
    BOOST_REQUIRE(body.at("certificates").size() == 4U);  // the seal, audit, TSA and guest CA keys
    for (const auto& certificate : body.at("certificates")) {
        BOOST_TEST(certificate.at("days_left").get<int>() > 300);  // dev-init certificates last years
        BOOST_TEST(certificate.at("expiring") == false);
    }
    auto metrics = inst.request("GET", "/metrics", "", "auditor");
    BOOST_TEST(metrics.status == 200);
    BOOST_TEST(metrics.body.find("signet_certificate_expiry_seconds{purpose=\"seal\"") != std::string::npos,
               metrics.body);
    BOOST_TEST(metrics.body.find("signet_certificate_expiring{purpose=\"audit\"") != std::string::npos, metrics.body);
    BOOST_TEST(metrics.body.find("signet_certificate_expiry_seconds{purpose=\"tsa\"") != std::string::npos,
               metrics.body);
    BOOST_TEST(metrics.body.find("signet_certificate_expiry_seconds{purpose=\"guest-ca\"") != std::string::npos,
               metrics.body);
}

// The installation ceremony (docs/systemd.md): a token and a database with no key, the first
// seal and audit keys made by signetctl with --config before signetd's first start, two
// officers named for each activation. Then signetd starts on them and its seals validate.
BOOST_AUTO_TEST_CASE(the_first_keys_are_made_offline_before_the_first_start) {
    const Installation& dev = officers_installation();  // for its PKI and its signing CA
    TempDir work;
    write_file(work / "softhsm2.conf", "directories.tokendir = " + (work / "tokens").string() +
                                           "\nobjectstore.backend = file\nlog.level = ERROR\n");
    std::filesystem::create_directories(work / "tokens");
    const std::string softhsm_env = "SOFTHSM2_CONF=" + (work / "softhsm2.conf").string();
    auto token = run({"softhsm2-util", "--init-token", "--free", "--label", "signet-first", "--so-pin", "5678567856785678",
                      "--pin", "1234123412341234"},
                     "", {softhsm_env});
    BOOST_REQUIRE_MESSAGE(token.exit_code == 0, token.output);
    write_file(work / "pin", "1234123412341234");
    std::filesystem::permissions(work / "pin", std::filesystem::perms::owner_read);

    std::string config = read_file(dev.install / "signetd.toml");
    auto replace = [&config](const std::string& from, const std::string& to) {
        auto at = config.find(from);
        BOOST_REQUIRE_MESSAGE(at != std::string::npos, from);
        config.replace(at, from.size(), to);
    };
    const std::uint16_t port = signet::test::free_port();
    replace("port = " + std::to_string(dev.port), "port = " + std::to_string(port));
    replace("softhsm_conf = \"softhsm2.conf\"", "softhsm_conf = \"" + (work / "softhsm2.conf").string() + "\"");
    replace("pkcs11:token=signet-dev", "pkcs11:token=signet-first");
    replace("pin_file = \"secrets/user-pin\"", "pin_file = \"" + (work / "pin").string() + "\"");
    const auto store_at = config.find("[store]");
    config.replace(store_at, config.find("[policy]") - store_at, signet::test::new_store_table(work.path()));
    config += "\n[audit]\ncheckpoint_file = \"" + (work / "checkpoints.ndjson").string() + "\"\n";
    const auto config_file = dev.install / "first.toml";
    write_file(config_file, config);

    auto refused = run({SIGNETD_PATH, "--config", config_file.string()});
    BOOST_TEST(refused.exit_code == 1);
    BOOST_TEST(refused.output.find("no active seal key") != std::string::npos, refused.output);

    auto ctl = [&](std::vector<std::string> args) {
        args.insert(args.begin(), SIGNETCTL_PATH);
        args.insert(args.end(), {"--config", config_file.string()});
        return run(args);
    };
    auto make = [&](const std::string& purpose, const std::string& extensions) {
        auto csr = work / (purpose + ".csr");
        auto made = ctl({"keys", "generate", "--officer", "Alice Martin", "--purpose", purpose, "--algorithm", "ec-p256",
                         "--label", purpose + "-first", "--csr", csr.string()});
        BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.output);
        const std::string key = made.output.substr(4, made.output.find(' ', 4) - 4);
        auto certificate = issue_dev(dev, csr, work / (purpose + ".pem"), extensions);
        auto imported = ctl({"keys", "import-cert", key, "--officer", "Alice Martin", "--certificate", certificate.string()});
        BOOST_REQUIRE_MESSAGE(imported.exit_code == 0, imported.output);
        // One officer alone cannot activate: the approver must be someone else.
        auto alone = ctl({"keys", "activate", key, "--officer", "Alice Martin", "--approver", "Alice Martin"});
        BOOST_TEST(alone.exit_code == 1);
        BOOST_TEST(alone.output.find("dual control needs a second, different officer") != std::string::npos,
                   alone.output);
        auto activated = ctl({"keys", "activate", key, "--officer", "Alice Martin", "--approver", "Bruno Petit"});
        BOOST_REQUIRE_MESSAGE(activated.exit_code == 0, activated.output);
        return key;
    };
    const std::string seal_key = make("seal", signing_usage);
    make("audit", "keyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n");
    // The ceremony is for a first installation only.
    auto again = ctl({"keys", "generate", "--officer", "Alice Martin", "--purpose", "seal", "--algorithm", "ec-p256",
                      "--label", "seal-second", "--csr", (work / "second.csr").string()});
    BOOST_REQUIRE(again.exit_code == 0);
    const std::string second = again.output.substr(4, again.output.find(' ', 4) - 4);
    BOOST_REQUIRE(ctl({"keys", "import-cert", second, "--officer", "Alice Martin", "--certificate",
                       issue_dev(dev, work / "second.csr", work / "second.pem").string()})
                      .exit_code == 0);
    auto rotation = ctl({"keys", "activate", second, "--officer", "Alice Martin", "--approver", "Bruno Petit"});
    BOOST_TEST(rotation.exit_code == 1);
    BOOST_TEST(rotation.output.find("already active") != std::string::npos, rotation.output);
    // Only generate, import and activate exist offline, each with the officers it needs.
    auto retire = ctl({"keys", "retire", second, "--officer", "Alice Martin"});
    BOOST_TEST(retire.exit_code == 1);
    BOOST_TEST(retire.output.find("only activate") != std::string::npos, retire.output);
    auto no_approver = ctl({"keys", "activate", second, "--officer", "Alice Martin"});
    BOOST_TEST(no_approver.exit_code == 1);
    BOOST_TEST(no_approver.output.find("--approver") != std::string::npos, no_approver.output);
    // A command line wrong for the ceremony is exit 2, as every command-line error.
    auto nobody = ctl({"keys", "activate", second, "--approver", "Bruno Petit"});
    BOOST_TEST(nobody.exit_code == 2);
    BOOST_TEST(nobody.output.find("--config needs --officer") != std::string::npos, nobody.output);
    auto both = ctl({"keys", "activate", second, "--officer", "Alice Martin", "--approver", "Bruno Petit", "--url",
                     "https://127.0.0.1:1"});
    BOOST_TEST(both.exit_code == 2);
    BOOST_TEST(both.output.find("--config takes no --url") != std::string::npos, both.output);

    signet::test::BackgroundProcess signetd({SIGNETD_PATH, "--config", config_file.string()}, work / "signetd.log");
    const auto pki = dev.install / "pki";
    auto curl = [&](const std::string& client, std::vector<std::string> args) {
        std::vector<std::string> argv{"curl", "--silent", "--cacert", (pki / "tls-ca.pem").string(), "--cert",
                                      (pki / (client + ".pem")).string(), "--key", (pki / (client + ".key")).string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv);
    };
    const std::string base = "https://127.0.0.1:" + std::to_string(port);
    bool up = false;
    for (int i = 0; i < 100 && !up; ++i) {
        up = curl("auditor", {"--fail", base + "/v1/health"}).exit_code == 0;
        if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    BOOST_REQUIRE_MESSAGE(up, read_file(work / "signetd.log"));
    for (const auto& [path, body] : {std::pair{"/v1/tenants/cabinet-roux", R"({"kind": "cabinet", "name": "Cabinet Roux"})"},
                                     std::pair{"/v1/tenants/cabinet-roux/members/jeanne.roux",
                                               R"({"role": "ec", "name": "Jeanne Roux"})"}}) {
        BOOST_REQUIRE(curl("platform", {"--fail", "-X", "PUT", "-H", "Content-Type: application/json", "--data", body,
                                        "-o", "/dev/null", base + path})
                          .exit_code == 0);
    }
    auto input = signet::test::ps2pdf_sample(work.path(), "first", 1);
    write_file(work / "request.json", R"({"tenant": "cabinet-roux", "actor": "jeanne.roux", "document": ")" +
                                          base64_of(input) + "\"}");
    auto sealed = curl("platform", {"--fail", "-H", "Content-Type: application/json", "--data-binary",
                                    "@" + (work / "request.json").string(), base + "/v1/seal"});
    BOOST_REQUIRE_MESSAGE(sealed.exit_code == 0, sealed.output);
    const json answer = json::parse(sealed.output);
    BOOST_TEST(answer.at("signature").at("key_id") == seal_key);
    write_file(work / "sealed.pdf", run({"base64", "-d"}, answer.at("document").get<std::string>()).output);
    validate(dev, work / "sealed.pdf", work.path());
    BOOST_TEST(signetd.stop() == 0);

    // The log says who made and who approved the first keys.
    auto first = signet::config::load(config_file);
    BOOST_REQUIRE(first);
    auto db = signet::store::Database::open(first->store);
    BOOST_REQUIRE(db);
    auto activations = db->prepare("SELECT json_extract(entry, '$.actor'), json_extract(entry, '$.approver') "
                                   "FROM audit_log WHERE json_extract(entry, '$.event') = 'key_activated'");
    BOOST_REQUIRE(activations);
    int count = 0;
    while (*activations->step()) {
        ++count;
        BOOST_TEST(activations->column_text(0) == "Alice Martin");
        BOOST_TEST(activations->column_text(1) == "Bruno Petit");
    }
    BOOST_TEST(count == 2);
}

BOOST_AUTO_TEST_SUITE_END()
