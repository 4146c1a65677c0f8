// Three nodes behind HAProxy under load (issue 23): every seal carries an Idempotency-Key, one
// node is killed with SIGKILL a third of the way through and restarted, another drained with
// SIGTERM at two thirds, and every request that got no answer is sent again with its key.
// Nothing acknowledged may be lost, fail the validators, or be signed twice.
// The eight clients keep their TLS connections alive, as a platform's would: a connection that
// breaks (EOF, reset) when its node dies or drains leaves its request unanswered, and the client
// opens a new one to HAProxy and sends the request again with the same key.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "base/base64.hpp"
#include "tests/integration/cluster/extra_node.hpp"
#include "tests/integration/cluster/seal_verifier.hpp"
#include "tests/integration/support/tls_client.hpp"
#include "tests/integration/support/validators.hpp"
#include "tests/support/pdf_fixtures.hpp"

namespace {

using nlohmann::json;
using signet::test::Installation;
using signet::test::run;
using signet::test::TlsAnswer;
using signet::test::TlsClient;
using namespace std::chrono_literals;

constexpr int job_count = 2000;
constexpr int clients = 8;
// Every pdfsig_every-th job goes through pdfsig as well (see the verification below).
constexpr std::size_t pdfsig_every = 20;

struct Job {
    std::string tenant;
    std::string key;
    std::string body;
    std::string input_sha256;  // each job's document is its own: its audit entries are its own
    std::size_t input_size = 0;
    std::string signed_b64;    // the acknowledged answer's document
    int sends = 0;
};

std::vector<Job> make_jobs() {
    std::vector<Job> jobs(job_count);
    for (int i = 0; i < job_count; ++i) {
        Job& job = jobs[static_cast<std::size_t>(i)];
        job.tenant = i % 2 == 0 ? "cabinet-durand" : "cabinet-nord";
        job.key = "chaos-" + std::to_string(i);
        const std::string pdf = signet::pdf::test::simple_pdf("", "/SignetChaosJob (" + job.key + ")");
        job.input_sha256 = signet::sha256_hex(pdf);
        job.input_size = pdf.size();
        const std::string actor = job.tenant == "cabinet-durand" ? "marie.durand" : "louis.nord";
        job.body = json{{"tenant", job.tenant},
                        {"actor", actor},
                        {"document", signet::base64_encode(std::span(reinterpret_cast<const std::uint8_t*>(pdf.data()),
                                                                     pdf.size()))}}
                       .dump();
    }
    return jobs;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(chaos)

BOOST_AUTO_TEST_CASE(three_nodes_lose_no_job_when_one_is_killed_and_one_drained) {
    Installation a(false, "drain_notice_seconds = 3\n");
    a.put("/v1/tenants/cabinet-nord", R"({"kind": "cabinet", "name": "Cabinet Nord"})");
    a.put("/v1/tenants/cabinet-nord/members/louis.nord", R"({"role": "ec", "name": "Louis Nord"})");
    signet::test::ExtraNode b(a, "node-b");
    signet::test::ExtraNode c(a, "node-c");
    signet::test::Balancer balancer(a, {a.port, b.port, c.port});

    std::vector<Job> jobs = make_jobs();
    std::atomic<int> next = 0;
    std::atomic<int> acknowledged = 0;
    std::mutex mutex;
    std::map<std::string, int> retried;  // why a request was sent again: a status or a broken connection
    const auto deadline = std::chrono::steady_clock::now() + 300s;
    const auto started = std::chrono::steady_clock::now();
    const auto pki = a.install / "pki";
    auto client = [&] {
        std::unique_ptr<TlsClient> connection;  // kept across jobs; replaced when it breaks
        for (int i = next++; i < job_count; i = next++) {
            Job& job = jobs[static_cast<std::size_t>(i)];
            const std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json"},
                                                                              {"Idempotency-Key", job.key}};
            while (std::chrono::steady_clock::now() < deadline) {
                ++job.sends;
                std::string why;
                if (!connection) {
                    auto opened = TlsClient::open(pki, balancer.port, "platform", 10s);
                    if (opened) connection = std::move(*opened);
                    else why = "connect: " + opened.error();
                }
                if (connection) {
                    TlsAnswer answer = connection->request("POST", "/v1/seal", job.body, headers, 120s);
                    if (!answer.connection_open) connection.reset();
                    // Not json::parse's exception: it would end the process from this thread and
                    // leave the nodes running.
                    const json answered = json::parse(answer.body, nullptr, false);
                    if (answer.status == 200 && answered.contains("document") && answered.at("document").is_string()) {
                        job.signed_b64 = answered.at("document").get<std::string>();
                        ++acknowledged;
                        break;
                    }
                    why = answer.status == 200 ? "status 200 without a document"
                          : answer.status != 0 ? "status " + std::to_string(answer.status)
                                               : "connection: " + answer.error;
                }
                {
                    std::lock_guard lock(mutex);
                    ++retried[why];
                }
                std::this_thread::sleep_for(100ms);
            }
        }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i) threads.emplace_back(client);
    // The chaos: node B dies a third of the way through (systemd restarts it a second later);
    // node C is stopped at two thirds, and drains.
    while (acknowledged < job_count / 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    b.kill();
    const int at_kill = acknowledged;
    std::this_thread::sleep_for(1s);
    b.start();
    while (acknowledged < 2 * job_count / 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    const int at_drain = acknowledged;
    const int drained = c.stop();
    for (auto& thread : threads) thread.join();
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    std::string retries;
    for (const auto& [why, count] : retried) retries += " " + why + ": " + std::to_string(count) + ";";
    BOOST_TEST_MESSAGE("chaos: " << acknowledged << " of " << job_count << " jobs acknowledged in " << seconds
                                 << " s; node-b killed at " << at_kill << ", node-c drained at " << at_drain
                                 << " (exit " << drained << "); sent again:" << retries);
    BOOST_TEST(acknowledged == job_count);
    BOOST_TEST(drained == 0);

    // Every acknowledged document is checked in-process: its one signature's CMS verified by
    // OpenSSL over its ByteRange against the signing CA, and its first revision is its job's
    // document. That costs well under a millisecond, so it covers all 2,000. pdfsig with the NSS
    // database stays the independent check (poppler and NSS, another reading of the PDF and another
    // CMS implementation), but it is a process per document, which cost more than the seals on
    // 2 CI cores: it sees every 20th job and every job sent more than once, the ones the chaos
    // touched. Two threads at a time.
    const auto verifying = std::chrono::steady_clock::now();
    const auto verifier = signet::test::SealVerifier::create(pki / "signing-ca.pem");
    BOOST_REQUIRE_MESSAGE(verifier.has_value(), (verifier.has_value() ? "" : verifier.error()));
    std::atomic<int> unverified = 0;
    std::atomic<int> through_pdfsig = 0;
    std::atomic<std::size_t> checked = 0;
    std::vector<std::string> failures;  // the first few, for the person reading the log
    auto verify = [&] {
        for (std::size_t i = checked++; i < jobs.size(); i = checked++) {
            const Job& job = jobs[i];
            if (job.signed_b64.empty()) continue;
            const auto bytes = signet::base64_decode(job.signed_b64);
            const std::string pdf = bytes ? std::string(bytes->begin(), bytes->end()) : std::string();
            std::string failure;
            const auto cms = verifier->check(pdf);
            if (!cms) {
                failure = "OpenSSL: " + cms.error();
            } else if (signet::sha256_hex(pdf.substr(0, job.input_size)) != job.input_sha256) {
                // A seal is an incremental update (ISO 32000-1 §7.5.6): the job's bytes come first.
                failure = "not its job's document";
            }
            if (failure.empty() && (i % pdfsig_every == 0 || job.sends > 1)) {
                ++through_pdfsig;
                const auto file = a.dir / ("chaos-" + std::to_string(i) + ".pdf");
                signet::test::write_file(file, pdf);
                const auto report = signet::test::pdfsig(a.nss_db, file);
                if (report.valid != 1 || report.trusted != 1) failure = "pdfsig: " + report.output;
                std::filesystem::remove(file);
            }
            if (failure.empty()) continue;
            ++unverified;
            std::lock_guard lock(mutex);
            if (failures.size() < 3) failures.push_back(job.key + ": " + failure);
        }
    };
    std::thread first(verify), second(verify);
    first.join();
    second.join();
    BOOST_TEST_MESSAGE("chaos: all acknowledged jobs checked with OpenSSL, "
                       << through_pdfsig << " also with pdfsig, in "
                       << std::chrono::duration<double>(std::chrono::steady_clock::now() - verifying).count() << " s");
    for (const std::string& failure : failures) BOOST_TEST_MESSAGE("chaos: " << failure);
    // The in-process check can fail: one byte changed inside the signed range of a good seal.
    const auto first_seal = signet::base64_decode(jobs.front().signed_b64);
    std::string tampered = first_seal ? std::string(first_seal->begin(), first_seal->end()) : std::string();
    if (const auto at = tampered.find("SignetChaosJob"); at != std::string::npos) tampered[at] = 's';
    BOOST_TEST(!verifier->check(tampered).has_value());

    // Key uses from the one chain: each job's document sealed exactly once.
    std::map<std::string, int> sealed;
    std::set<std::string> nodes;
    for (const json& entry : a.audit_entries()) {
        if (entry.contains("node")) nodes.insert(entry.at("node").get<std::string>());
        if (entry.at("outcome") == "sealed") ++sealed[entry.at("document_sha256").get<std::string>()];
    }
    int duplicates = 0, missing = 0;
    std::map<std::string, int> per_tenant;
    for (const Job& job : jobs) {
        const int uses = sealed[job.input_sha256];
        duplicates += std::max(uses - 1, 0);
        if (uses == 0) ++missing;
        if (!job.signed_b64.empty()) ++per_tenant[job.tenant];
    }
    BOOST_TEST_MESSAGE("chaos: acknowledged jobs that do not verify " << unverified << ", duplicate key uses "
                                                                       << duplicates << ", jobs not on record "
                                                                       << missing << ", nodes on record "
                                                                       << nodes.size());
    BOOST_TEST(unverified == 0);
    BOOST_TEST(duplicates == 0);
    BOOST_TEST(missing == 0);
    char host[256] = {};
    BOOST_REQUIRE(gethostname(host, sizeof host - 1) == 0);
    for (const std::string& node : {std::string(host), std::string("node-b"), std::string("node-c")}) {
        BOOST_TEST(nodes.contains(node), node);
    }

    // The export verifies, and usage counts each tenant's acknowledged seals.
    auto exported = a.request("GET", "/v1/audit/export", "", "auditor");
    BOOST_REQUIRE(exported.status == 200);
    signet::test::write_file(a.dir / "chaos-export.ndjson", exported.body);
    auto verified = run({SIGNETCTL_PATH, "audit", "verify", (a.dir / "chaos-export.ndjson").string(), "--trust",
                         (a.install / "pki" / "audit.pem").string()});
    BOOST_TEST(verified.exit_code == 0, verified.output);
    BOOST_TEST(verified.output.find("intact") != std::string::npos, verified.output);
    const std::string today = signet::test::in_days(0);
    for (const auto& [tenant, count] : per_tenant) {
        auto usage = a.request("GET", "/v1/audit/usage?tenant=" + tenant + "&from=" + today + "&to=" + today, "", "auditor");
        BOOST_REQUIRE_MESSAGE(usage.status == 200, usage.body);
        BOOST_TEST(usage.json().at("seals").get<int>() == count, tenant);
    }
}

BOOST_AUTO_TEST_SUITE_END()
