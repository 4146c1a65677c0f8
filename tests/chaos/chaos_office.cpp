#include "tests/chaos/chaos_office.hpp"

#include <future>
#include <map>
#include <set>
#include <thread>

#include "base/base64.hpp"
#include "tests/integration/support/validators.hpp"
#include "tests/support/pdf_fixtures.hpp"

namespace signet::test::chaos {
namespace {

using nlohmann::json;

const std::string tenant = "cabinet-durand";
const std::string raw_seal_path = "/v1/seal?tenant=cabinet-durand&actor=marie.durand";

std::string must(const HttpResult& result, int status, const std::string& what) {
    if (result.status != status) {
        throw std::runtime_error(what + " answered " + std::to_string(result.status) + ": " + result.body);
    }
    return result.body;
}

// A certificate for `csr` from the development signing CA, as a CA's operator would issue it.
std::string issue(const Installation& inst, const std::filesystem::path& folder, const std::string& name,
                  const std::string& csr) {
    write_file(folder / (name + ".csr"), csr);
    write_file(folder / "ext", "keyUsage=critical,digitalSignature,nonRepudiation\nbasicConstraints=critical,CA:FALSE\n");
    const auto pki = inst.install / "pki";
    static std::atomic<int> serial = 7000;
    auto issued = run({"openssl", "x509", "-req", "-in", (folder / (name + ".csr")).string(), "-CA",
                       (pki / "signing-ca.pem").string(), "-CAkey", (pki / "signing-ca.key").string(), "-days", "365",
                       "-set_serial", std::to_string(++serial), "-extfile", (folder / "ext").string(), "-out",
                       (folder / (name + ".pem")).string()});
    if (issued.exit_code != 0) throw std::runtime_error("openssl x509 -req: " + issued.output);
    return read_file(folder / (name + ".pem"));
}

std::string sha256_of(const std::string& bytes) { return signet::sha256_hex(bytes); }

}  // namespace

Office::Office(int jobs) : inst(true, "\n[audit]\ncheckpoint_entries = 1000000\ncheckpoint_seconds = 86400\n") {
    for (int i = 0; i < jobs; ++i) jobs_.push_back(make_seal(i));
    for (const char* person : {"chaos.anna", "chaos.bruno", "chaos.chloe"}) enrol(person);
    rounds_ = std::max(1, jobs / 500);
    baseline_hsm_ = inst.hsm_signatures();
    for (const auto& entry : inst.audit_entries()) baseline_intents_ += entry.value("outcome", "") == "intended" ? 1 : 0;
}

Job Office::make_seal(int id) const {
    Job job;
    job.id = id;
    job.kind = id % 3 == 0 ? Job::Kind::seal_raw : Job::Kind::seal_json;
    // One job in ten without a key: its lost answers are not sent again.
    if (id % 10 != 9) job.key = "chaos-" + std::to_string(id);
    job.document = signet::pdf::test::simple_pdf({}, "/ChaosJob " + std::to_string(id));
    if (job.kind == Job::Kind::seal_json) job.body = seal_body(job.document);
    else job.body = job.document;
    return job;
}

void Office::enrol(const std::string& person) {
    inst.put("/v1/tenants/" + tenant + "/members/" + person, json{{"role", "collaborator"}, {"name", person}}.dump());
    must(inst.request("POST", "/v1/tenants/" + tenant + "/delegations",
                      json{{"grantor", "marie.durand"}, {"grantee", person}, {"rights", {"signer"}},
                           {"expires", in_days(200)}}
                          .dump()),
         201, "granting " + person);
    auto made = inst.request("POST", "/v1/persons/" + person + "/key", json{{"algorithm", "ec-p256"}}.dump());
    const json key = json::parse(must(made, 201, "a key for " + person));
    const std::string certificate = issue(inst, work_.path(), person, key.at("csr").get<std::string>());
    must(inst.request("PUT", "/v1/persons/" + person + "/certificate", json{{"certificate", certificate}}.dump()), 200,
         "importing " + person + "'s certificate");
    const json otp = json::parse(must(inst.request("POST", "/v1/persons/" + person + "/otp", "{}"), 201,
                                      "enrolling " + person + "'s authenticator"));
    const std::string uri = otp.at("otpauth_uri");
    const auto start = uri.find("secret=") + 7;
    persons_.emplace_back(person, uri.substr(start, uri.find('&', start) - start));
}

std::string Office::code(const std::string& secret) const {
    auto result = run({"oathtool", "--totp", "-b", secret});
    if (result.exit_code != 0) throw std::runtime_error("oathtool: " + result.output);
    return result.output.substr(0, 6);
}

HttpResult Office::send(const Job& job) const {
    std::vector<std::string> extra{"--max-time", "60"};
    if (!job.key.empty()) extra.insert(extra.end(), {"-H", "Idempotency-Key: " + job.key});
    switch (job.kind) {
        case Job::Kind::seal_raw: return inst.request("POST", raw_seal_path, job.body, "platform", "application/pdf", extra);
        case Job::Kind::seal_json: return inst.request("POST", "/v1/seal", job.body, "platform", "application/json", extra);
        case Job::Kind::sign_json: return inst.request("POST", "/v1/sign", job.body, "platform", "application/json", extra);
    }
    throw std::logic_error("a job of no kind");
}

std::string Office::document_of(const Job& job, const HttpResult& answer) const {
    if (job.kind == Job::Kind::seal_raw) return answer.body;
    const json body = json::parse(answer.body);
    auto decoded = signet::base64_decode(body.at("document").get<std::string>());
    if (!decoded) throw std::runtime_error("a signed document that is not base64");
    return std::string(decoded->begin(), decoded->end());
}

void Office::replay(const Job& job) {
    for (int attempt = 0; attempt < 600; ++attempt) {
        HttpResult again = send(job);
        if (again.curl_exit != 0 || again.status == 503) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        ++replays_;
        if (again.status != job.status || again.body != job.first_answer) ++replays_differing_;
        return;
    }
}

bool Office::rotate_with_a_kill(std::chrono::milliseconds delay) {
    const json made = json::parse(must(
        inst.request("POST", "/v1/keys", json{{"purpose", "seal"}, {"algorithm", "ec-p256"}, {"label", "chaos seal"}}.dump(),
                     "officer"),
        201, "generating a seal key"));
    const std::string key_id = made.at("key_id");
    const std::string certificate = issue(inst, work_.path(), "chaos-seal", made.at("csr").get<std::string>());
    must(inst.request("PUT", "/v1/keys/" + key_id + "/certificate", json{{"certificate", certificate}}.dump(), "officer"),
         200, "importing the seal certificate");
    const json approval = json::parse(
        must(inst.request("POST", "/v1/keys/" + key_id + "/activate", "", "officer"), 202, "asking for the activation"));
    const std::string approve = "/v1/approvals/" + std::to_string(approval.at("approval_id").get<std::int64_t>()) + "/approve";
    auto approving = std::async(std::launch::async, [&] { return inst.request("POST", approve, "", "officer2"); });
    std::this_thread::sleep_for(delay);
    inst.crash();
    inst.start();
    approving.wait();
    auto active = [&] {
        const json keys = inst.request("GET", "/v1/keys", "", "officer").json();
        for (const auto& key : keys.at("keys")) {
            if (key.at("key_id") == key_id) return key.at("state") == "active";
        }
        return false;
    };
    if (active()) return true;
    // The approval did not land before the kill: the second officer approves again.
    inst.request("POST", approve, "", "officer2");
    return active();
}

void Office::sign_jobs(std::mt19937& random) {
    std::uniform_int_distribution<int> delay_ms(0, 40);
    for (int round = 0; round < rounds_; ++round) {
        if (round > 0) std::this_thread::sleep_for(std::chrono::seconds(31));  // a new step for every code
        for (std::size_t p = 0; p < persons_.size(); ++p) {
            const auto& [person, secret] = persons_[p];
            Job job;
            job.id = static_cast<int>(jobs_.size());
            job.kind = Job::Kind::sign_json;
            job.key = "chaos-sign-" + std::to_string(job.id);
            job.person = person;
            job.document = signet::pdf::test::simple_pdf({}, "/ChaosJob " + std::to_string(job.id));
            auto encoded = run({"base64", "-w0"}, job.document);
            job.body = json{{"tenant", tenant},
                            {"actor", person},
                            {"document", encoded.output},
                            {"activation", {{"otp", code(secret)}}}}
                           .dump();
            // The first signature of each round is interrupted by a kill, then sent again.
            std::future<void> killer;
            if (p == 0) {
                killer = std::async(std::launch::async, [&] {
                    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
                    inst.crash();
                    inst.start();
                });
                ++extra_kills_;
            }
            for (;;) {
                ++job.attempts;
                HttpResult answer = send(job);
                if (answer.curl_exit != 0 || answer.status == 503 ||
                    (answer.status == 409 && answer.body.find("still running") != std::string::npos)) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
                    continue;
                }
                job.status = answer.status;
                job.first_answer = answer.body;
                if (answer.status == 200) job.output = document_of(job, answer);
                else job.refusal = answer.body;
                break;
            }
            if (killer.valid()) killer.wait();
            jobs_.push_back(std::move(job));
        }
    }
}

json Office::figures() {
    const auto entries = inst.audit_entries();
    std::map<std::int64_t, const json*> intents;
    std::map<std::string, int> uses_per_document;  // sealed or signed outcomes per input digest
    std::set<std::string> outputs;                 // the signed files the log vouches for
    int without_intent = 0;
    int interrupted = 0;
    for (const auto& entry : entries) {
        const std::string outcome = entry.value("outcome", "");
        if (outcome == "intended") intents[entry.at("seq").get<std::int64_t>()] = &entry;
        if (!entry.contains("intent_seq") || !entry.at("intent_seq").is_number()) continue;
        if (!intents.contains(entry.at("intent_seq").get<std::int64_t>())) ++without_intent;
        if (outcome == "interrupted") ++interrupted;
        if (outcome == "sealed" || outcome == "signed") {
            ++uses_per_document[entry.value("document_sha256", "")];
            outputs.insert(entry.value("output_sha256", ""));
        }
    }
    int duplicates = 0;
    for (const auto& [digest, uses] : uses_per_document) duplicates += uses > 1 ? uses - 1 : 0;
    // The HSM's own account: signatures the module was asked for during the run, less the one
    // request (CSR) of the rotation's key, against the intents of the run.
    const int hsm_signatures = inst.hsm_signatures() - baseline_hsm_ - 1;
    const int run_intents = static_cast<int>(intents.size()) - baseline_intents_;
    const int spy_excess = std::max(0, hsm_signatures - run_intents);

    int acknowledged = 0;
    int signatures = 0;
    int not_verifying = 0;
    int not_in_log = 0;
    int unacknowledged_keyed = 0;
    int unacknowledged_unkeyed = 0;
    int refused = 0;
    int attempts = 0;
    std::map<std::string, int> refusals;
    for (const Job& job : jobs_) {
        attempts += job.attempts;
        if (job.status == 0) {
            ++(job.key.empty() ? unacknowledged_unkeyed : unacknowledged_keyed);
            continue;
        }
        if (job.status != 200) {
            ++refused;
            ++refusals[std::to_string(job.status) + " " + job.refusal.substr(0, 120)];
            continue;
        }
        ++acknowledged;
        signatures += job.kind == Job::Kind::sign_json ? 1 : 0;
        const auto file = work_ / ("job-" + std::to_string(job.id) + ".pdf");
        write_file(file, job.output);
        const auto report = pdfsig(inst.nss_db, file);
        const bool incremental = job.output.compare(0, job.document.size(), job.document) == 0;
        if (report.signatures != 1 || report.valid != 1 || !incremental) ++not_verifying;
        if (!outputs.contains(sha256_of(job.output))) ++not_in_log;
    }

    const auto exported = work_ / "audit-export.ndjson";
    write_file(exported, inst.request("GET", "/v1/audit/export", "", "auditor").body);
    auto verified = run({SIGNETCTL_PATH, "audit", "verify", exported.string(), "--trust",
                         (inst.install / "pki" / "audit.pem").string(), "--checkpoints",
                         (inst.install / "audit-checkpoints.ndjson").string()});
    json out{{"jobs", jobs_.size()},
             {"signature_jobs", std::ranges::count_if(jobs_, [](const Job& j) { return j.kind == Job::Kind::sign_json; })},
             {"requests_sent", attempts},
             {"acknowledged", acknowledged},
             {"acknowledged_signatures", signatures},
             {"refused", refused},
             {"refusals", refusals},
             {"unacknowledged_with_key", unacknowledged_keyed},
             {"unacknowledged_without_key", unacknowledged_unkeyed},
             {"acknowledged_not_verifying", not_verifying},
             {"acknowledged_not_in_audit_log", not_in_log},
             {"duplicate_key_uses", duplicates},
             {"key_uses_without_intent", without_intent + spy_excess},
             {"hsm_document_signatures", hsm_signatures},
             {"audit_intents", run_intents},
             {"interrupted_outcomes", interrupted},
             {"replays", replays_.load()},
             {"replays_differing", replays_differing_.load()},
             {"audit_entries", entries.size()},
             {"audit_verify", verified.exit_code == 0 ? "intact" : verified.output}};
    return out;
}

}  // namespace signet::test::chaos
