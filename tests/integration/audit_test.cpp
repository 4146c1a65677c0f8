// The key-usage log through the API and signetctl: what a seal leaves in it, the export an
// auditor verifies offline (and every tampering of it caught), exact usage counts, who may read
// it, and no key use when it cannot be written.

#include <sstream>

#include <boost/test/unit_test.hpp>

#include "store/database.hpp"
#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/pdf_samples.hpp"
#include "tests/support/audit_tamper.hpp"

namespace {

using nlohmann::json;
using signet::test::HttpResult;
using signet::test::Installation;
using signet::test::read_file;
using signet::test::run;
using signet::test::TempDir;

// A checkpoint every 3 entries, so that a few seals make several.
struct Audited {
    Installation inst{/*spy_on_hsm=*/true, "\n[audit]\ncheckpoint_entries = 3\norigin = \"signet-it\"\n"};
    TempDir work{"signet-audit"};
    std::string document_b64;

    Audited() {
        inst.put("/v1/tenants/cabinet-audit", R"({"kind": "cabinet", "name": "Cabinet Audit"})");
        inst.put("/v1/tenants/cabinet-audit/members/ec", R"({"role": "ec", "name": "Élise Comptable"})");
        inst.put("/v1/tenants/cabinet-audit/members/stagiaire", R"({"role": "collaborator", "name": "Sam"})");
        inst.put("/v1/tenants/cabinet-autre", R"({"kind": "cabinet", "name": "Cabinet Autre"})");
        inst.put("/v1/tenants/cabinet-autre/members/ec", R"({"role": "ec", "name": "Ana"})");
        auto pdf = signet::test::ps2pdf_sample(work.path(), "audit", 1);
        document_b64 = run({"base64", "-w0", pdf.string()}).output;
    }

    HttpResult seal(const std::string& tenant, const std::string& actor) const {
        return inst.request("POST", "/v1/seal",
                            json{{"tenant", tenant}, {"actor", actor}, {"document", document_b64}}.dump());
    }

    std::vector<std::string> tls_args() const {
        auto pki = inst.install / "pki";
        return {"--url", "https://127.0.0.1:" + std::to_string(inst.port), "--cacert", (pki / "tls-ca.pem").string(),
                "--cert", (pki / "auditor.pem").string(), "--key", (pki / "auditor.key").string()};
    }

    // `signetctl audit export` into the work folder.
    std::filesystem::path export_log(const std::string& name) const {
        auto file = work.path() / name;
        std::vector<std::string> argv{SIGNETCTL_PATH, "audit", "export", "-o", file.string()};
        auto args = tls_args();
        argv.insert(argv.end(), args.begin(), args.end());
        auto exported = run(argv);
        if (exported.exit_code != 0) throw std::runtime_error("export failed: " + exported.output);
        return file;
    }

    signet::test::RunResult verify(const std::filesystem::path& exported) const {
        return run({SIGNETCTL_PATH, "audit", "verify", exported.string(), "--trust",
                    (inst.install / "pki" / "audit.pem").string(), "--checkpoints",
                    (inst.install / "audit-checkpoints.ndjson").string()});
    }
};

Audited& audited() {
    static Audited instance;
    return instance;
}

std::vector<json> entries_of(const std::filesystem::path& exported) {
    std::vector<json> out;
    std::istringstream lines(read_file(exported));
    for (std::string line; std::getline(lines, line);) {
        auto object = json::parse(line);
        if (object.at("type") == "entry") out.push_back(object);
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_log)

BOOST_AUTO_TEST_CASE(a_seal_leaves_its_intent_and_outcome_and_the_export_verifies) {
    auto& a = audited();
    auto sealed = a.seal("cabinet-audit", "ec");
    BOOST_REQUIRE_MESSAGE(sealed.status == 200, sealed.body);
    auto response = sealed.json();
    auto exported = a.export_log("after-seal.ndjson");
    auto entries = entries_of(exported);
    BOOST_REQUIRE(!entries.empty());
    const json& outcome = entries.back();
    BOOST_TEST(outcome.at("seq") == response.at("audit_seq"));
    BOOST_TEST(outcome.at("event") == "seal");
    BOOST_TEST(outcome.at("outcome") == "sealed");
    BOOST_TEST(outcome.at("signed_digest_sha256") == response.at("signature").at("digest_sha256"));
    BOOST_TEST(outcome.at("certificate_sha256") == response.at("signature").at("certificate_sha256"));
    BOOST_TEST(outcome.at("tenant") == "cabinet-audit");
    BOOST_TEST(outcome.at("client_role") == "platform");
    const json& intent = entries[static_cast<std::size_t>(outcome.at("intent_seq").get<std::int64_t>() - 1)];
    BOOST_TEST(intent.at("outcome") == "intended");
    BOOST_TEST(intent.at("signed_digest_sha256") == outcome.at("signed_digest_sha256"));
    BOOST_TEST(intent.at("document_sha256") ==
               run({"bash", "-c", "base64 -d <<< '" + a.document_b64 + "' | sha256sum"}).output.substr(0, 64));
    // The register's changes are in the log too, with who made them.
    bool member_logged = false;
    for (const auto& entry : entries) {
        member_logged = member_logged || (entry.at("event") == "member_registered" && entry.at("actor") == "stagiaire");
    }
    BOOST_TEST(member_logged);
    BOOST_TEST(entries.front().at("event") == "daemon_start");

    auto verified = a.verify(exported);
    BOOST_TEST(verified.exit_code == 0, verified.output);
    BOOST_TEST(verified.output.find("intact") != std::string::npos, verified.output);
}

BOOST_AUTO_TEST_CASE(every_tampering_of_a_real_export_is_caught) {
    auto& a = audited();
    for (int i = 0; i < 4; ++i) BOOST_REQUIRE(a.seal("cabinet-audit", "ec").status == 200);
    BOOST_REQUIRE(a.seal("cabinet-audit", "stagiaire").status == 403);
    auto exported = a.export_log("tamper.ndjson");
    auto report = signet::test::tamper_test(read_file(exported), read_file(a.inst.install / "pki" / "audit.pem"),
                                            read_file(a.inst.install / "audit-checkpoints.ndjson"), 1000, 20261123);
    BOOST_TEST(report.untouched_intact);
    BOOST_TEST(report.tried == 1000);
    BOOST_TEST(report.caught == report.tried);
    for (const auto& missed : report.missed) BOOST_ERROR("not caught: " << missed);
    BOOST_TEST_MESSAGE("tamper test on a real export: " << report.caught << " caught of " << report.tried);
}

BOOST_AUTO_TEST_CASE(the_cli_names_the_first_bad_sequence_number) {
    auto& a = audited();
    auto exported = a.export_log("edited.ndjson");
    // An insider rewrites who asked for entry 4, leaving every hash as it was.
    std::string text;
    std::istringstream lines(read_file(exported));
    for (std::string line; std::getline(lines, line);) {
        auto object = json::parse(line);
        if (object.at("type") == "entry" && object.at("seq") == 4) {
            object["actor"] = "quelqu'un d'autre";
            line = object.dump();
        }
        text += line + "\n";
    }
    auto edited = a.work.path() / "edited-forged.ndjson";
    signet::test::write_file(edited, text);
    auto verified = a.verify(edited);
    BOOST_TEST(verified.exit_code == 1, verified.output);
    BOOST_TEST(verified.output.find("first bad sequence number: 4") != std::string::npos, verified.output);
}

BOOST_AUTO_TEST_CASE(only_auditors_read_the_log_and_usage_is_exact) {
    auto& a = audited();
    BOOST_TEST(a.inst.request("GET", "/v1/audit", "", "platform").status == 403);
    BOOST_TEST(a.inst.request("GET", "/v1/audit/export", "", "platform").status == 403);
    BOOST_TEST(a.inst.request("GET", "/v1/audit/export", "", "officer").status == 403);
    auto page = a.inst.request("GET", "/v1/audit?after=1&limit=2", "", "auditor");
    BOOST_REQUIRE_MESSAGE(page.status == 200, page.body);
    auto body = page.json();
    BOOST_TEST(body.at("entries").size() == 2U);
    BOOST_TEST(body.at("entries")[0].at("seq") == 2);
    BOOST_TEST(body.at("next") == 3);
    BOOST_TEST(a.inst.request("GET", "/v1/audit?limit=5000", "", "auditor").status == 400);
    BOOST_TEST(a.inst.request("GET", "/v1/audit?colour=red", "", "auditor").status == 400);

    auto today = run({"date", "-u", "+%Y-%m-%d"}).output.substr(0, 10);
    auto usage_of = [&](const std::string& tenant) {
        auto result = a.inst.request("GET", "/v1/audit/usage?tenant=" + tenant + "&from=" + today + "&to=" + today, "", "platform");
        BOOST_REQUIRE_MESSAGE(result.status == 200, result.body);
        return result.json();
    };
    auto before = usage_of("cabinet-autre");
    for (int i = 0; i < 3; ++i) BOOST_REQUIRE(a.seal("cabinet-autre", "ec").status == 200);
    BOOST_REQUIRE(a.seal("cabinet-autre", "nobody").status == 403);
    BOOST_REQUIRE(a.seal("cabinet-autre", "nobody").status == 403);
    auto after = usage_of("cabinet-autre");
    BOOST_TEST(after.at("seals").get<int>() - before.at("seals").get<int>() == 3);
    BOOST_TEST(after.at("refusals").get<int>() - before.at("refusals").get<int>() == 2);
    BOOST_TEST(after.at("refusals_by_action").at("document.seal").get<int>() >= 2);
    auto past = a.inst.request("GET", "/v1/audit/usage?tenant=cabinet-autre&from=2020-01-01&to=2020-12-31", "", "auditor");
    BOOST_REQUIRE(past.status == 200);
    BOOST_TEST(past.json().at("seals") == 0);
    for (const char* bad : {"/v1/audit/usage?from=2026-01-01&to=2026-01-31",
                            "/v1/audit/usage?tenant=cabinet-autre&from=2026-02-01&to=2026-01-31",
                            "/v1/audit/usage?tenant=cabinet-autre&from=2026-02-30&to=2026-03-01"}) {
        BOOST_TEST(a.inst.request("GET", bad, "", "auditor").status == 400, bad);
    }
    BOOST_TEST(a.inst.request("POST", "/v1/audit/usage", "", "auditor").status == 400);
}

BOOST_AUTO_TEST_CASE(a_locked_log_refuses_the_seal_with_503_and_uses_no_key) {
    auto& a = audited();
    int before = a.inst.hsm_signatures();
    {
        // Another writer holds the store's write lock: no entry can be written.
        auto db = a.inst.open_store();
        auto held = db.transaction([&]() -> signet::Status {
            auto health = a.inst.request("GET", "/v1/health", "");
            BOOST_TEST(health.status == 503, health.body);
            BOOST_TEST(health.json().at("audit") == "unavailable");
            auto refused = a.seal("cabinet-audit", "ec");
            BOOST_TEST(refused.status == 503, refused.body);
            BOOST_TEST(refused.json().at("error") == "unavailable");
            BOOST_TEST(a.inst.hsm_signatures() == before);
            auto change = a.inst.request("PUT", "/v1/tenants/cabinet-audit/members/nouveau",
                                         R"({"role": "collaborator", "name": "N"})");
            BOOST_TEST(change.status == 503, change.body);
            return {};
        });
        BOOST_REQUIRE(held);
    }
    BOOST_TEST(a.inst.healthy());
    BOOST_TEST(a.seal("cabinet-audit", "ec").status == 200);
    BOOST_TEST(a.inst.hsm_signatures() == before + 1);
    // The refused change did not happen.
    auto authorize = a.inst.request("POST", "/v1/authorize",
                                    R"({"tenant": "cabinet-audit", "actor": "nouveau", "action": "platform.dashboard"})");
    BOOST_TEST(authorize.json().at("reason").get<std::string>().find("not a member") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
