// Three nodes behind HAProxy under load (issue 23): every seal carries an Idempotency-Key, one
// node is killed with SIGKILL a third of the way through and restarted, another drained with
// SIGTERM at two thirds, and every request that got no answer is sent again with its key.
// Nothing acknowledged may be lost, fail the validators, or be signed twice.
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
#include "tests/integration/support/validators.hpp"
#include "tests/support/pdf_fixtures.hpp"

namespace {

using nlohmann::json;
using signet::test::HttpResult;
using signet::test::Installation;
using signet::test::read_file;
using signet::test::run;
using namespace std::chrono_literals;

constexpr int job_count = 2000;
constexpr int clients = 8;

struct Job {
    std::string tenant;
    std::string key;
    std::string body;
    std::string input_sha256;  // each job's document is its own: its audit entries are its own
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
    std::map<std::string, int> retried;  // why a request was sent again: status or curl error
    const auto deadline = std::chrono::steady_clock::now() + 300s;
    const auto started = std::chrono::steady_clock::now();
    auto client = [&] {
        for (int i = next++; i < job_count; i = next++) {
            Job& job = jobs[static_cast<std::size_t>(i)];
            auto args = balancer.connect_to();
            args.insert(args.end(), {"-H", "Idempotency-Key: " + job.key});
            while (std::chrono::steady_clock::now() < deadline) {
                ++job.sends;
                const HttpResult answer = a.request("POST", "/v1/seal", job.body, "platform", "application/json", args);
                if (answer.status == 200) {
                    job.signed_b64 = answer.json().at("document").get<std::string>();
                    ++acknowledged;
                    break;
                }
                {
                    std::lock_guard lock(mutex);
                    ++retried[answer.status != 0 ? "status " + std::to_string(answer.status)
                                                 : "curl " + std::to_string(answer.curl_exit)];
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

    // Every acknowledged document, through the independent validators (pdfsig, two at a time).
    std::atomic<int> unverified = 0;
    std::atomic<std::size_t> checked = 0;
    auto verify = [&] {
        for (std::size_t i = checked++; i < jobs.size(); i = checked++) {
            if (jobs[i].signed_b64.empty()) continue;
            auto bytes = signet::base64_decode(jobs[i].signed_b64);
            const auto file = a.dir / ("chaos-" + std::to_string(i) + ".pdf");
            signet::test::write_file(file, std::string(bytes->begin(), bytes->end()));
            const auto report = signet::test::pdfsig(a.nss_db, file);
            if (report.valid != 1 || report.trusted != 1) ++unverified;
            std::filesystem::remove(file);
        }
    };
    std::thread first(verify), second(verify);
    first.join();
    second.join();

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
