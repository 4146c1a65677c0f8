// Issue 20, crash consistency: jobs (seals, raw and JSON, and personal signatures) against a real
// signetd that is killed with SIGKILL at random moments, once during a seal key rotation, and
// started again; unacknowledged requests are sent again with their Idempotency-Key. Then it
// prints and checks the figures: acknowledged jobs, acknowledged PDFs that do not verify (0),
// duplicate key uses for one Idempotency-Key (0), key uses without an audit intent (0), and
// `signetctl audit verify` on the export (intact).
//
// SIGNET_CHAOS_JOBS (100) and SIGNET_CHAOS_KILLS (5) set the size; tests/chaos/run.sh runs the
// long version (1000 jobs, 20 kills). docs/reliability.md has its figures.

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <iostream>

#include <boost/test/unit_test.hpp>

#include "tests/chaos/chaos_office.hpp"
#include "tests/integration/support/validators.hpp"

namespace {

using nlohmann::json;
using signet::test::HttpResult;
using signet::test::chaos::Job;
using signet::test::chaos::Office;

int setting(const char* name, int fallback) {
    const char* value = std::getenv(name);
    return value != nullptr ? std::atoi(value) : fallback;
}

// Sends `job` until it has an answer that is not "signetd is not there" (no connection, 503, a
// 409 "still running"): with its key it is sent again as often as needed; without one, a
// request whose answer was lost is left unacknowledged (sending it again could sign twice).
void run_job(const Office& office, Job& job, const std::atomic<bool>& stopping) {
    for (;;) {
        ++job.attempts;
        HttpResult answer = office.send(job);
        const bool lost = answer.curl_exit != 0 || answer.status == 503 ||
                          (answer.status == 409 && answer.body.find("still running") != std::string::npos);
        if (!lost) {
            job.status = answer.status;
            if (answer.status == 200) job.output = office.document_of(job, answer);
            else job.refusal = answer.body;
            job.first_answer = std::move(answer.body);
            return;
        }
        if (job.key.empty() || stopping) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(killed_at_random_signetd_loses_nothing_and_signs_nothing_twice) {
    const int job_count = setting("SIGNET_CHAOS_JOBS", 100);
    const int kill_count = setting("SIGNET_CHAOS_KILLS", 5);
    BOOST_REQUIRE(job_count >= 10 && kill_count >= 1);
    Office office(job_count);
    std::mt19937 random(static_cast<unsigned>(setting("SIGNET_CHAOS_SEED", 20)));

    // Kill points: a kill after each of these numbers of jobs begun, spread over the run.
    std::vector<int> kill_at;
    std::uniform_int_distribution<int> position(1, job_count - 1);
    for (int i = 0; i < kill_count; ++i) kill_at.push_back(position(random));
    std::ranges::sort(kill_at);
    const std::size_t rotation_kill = kill_at.size() / 2;

    std::atomic<int> next_job = 0;
    std::atomic<int> begun = 0;
    std::atomic<bool> stopping = false;
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
        clients.emplace_back([&] {
            for (int i = next_job++; i < job_count; i = next_job++) {
                ++begun;
                Job& job = office.job(i);
                run_job(office, job, stopping);
                if (job.status == 200 && !job.key.empty() && i % 5 == 0) office.replay(job);
            }
        });
    }
    int kills = 0;
    bool rotated = false;
    std::uniform_int_distribution<int> delay_ms(0, 60);
    for (std::size_t k = 0; k < kill_at.size(); ++k) {
        while (begun < kill_at[k]) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        if (k == rotation_kill) {
            // The second officer's approval is sent and signetd killed while it runs.
            rotated = office.rotate_with_a_kill(std::chrono::milliseconds(delay_ms(random) / 4));
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
            office.inst.crash();
            office.inst.start();
        }
        ++kills;
    }
    for (auto& client : clients) client.join();
    stopping = true;
    // Personal signatures, each with a code of its own, once the seals are done: a code is good
    // for one 30-second step, so they are few.
    office.sign_jobs(random);

    // Stopped cleanly once, so that the export ends with a checkpoint.
    office.inst.restart();
    auto figures = office.figures();
    figures["kills"] = kills + office.extra_kills();
    BOOST_TEST_MESSAGE(figures.dump(2));
    std::cout << "chaos: " << figures.dump() << std::endl;
    BOOST_TEST(kills == kill_count);
    BOOST_TEST(rotated, "the seal key rotation interrupted by a kill was completed");
    BOOST_TEST(figures.at("acknowledged").get<int>() >= job_count * 8 / 10, figures.dump());
    BOOST_TEST(figures.at("acknowledged_not_verifying").get<int>() == 0, figures.dump());
    BOOST_TEST(figures.at("duplicate_key_uses").get<int>() == 0, figures.dump());
    BOOST_TEST(figures.at("key_uses_without_intent").get<int>() == 0, figures.dump());
    // The spy's account is whole: every acknowledged job is one of its signatures.
    BOOST_TEST(figures.at("hsm_document_signatures").get<int>() >= figures.at("acknowledged").get<int>(), figures.dump());
    BOOST_TEST(figures.at("acknowledged_not_in_audit_log").get<int>() == 0, figures.dump());
    BOOST_TEST(figures.at("unacknowledged_with_key").get<int>() == 0, figures.dump());
    BOOST_TEST(figures.at("replays_differing").get<int>() == 0, figures.dump());
    BOOST_TEST(figures.at("audit_verify").get<std::string>() == "intact", figures.dump());
}
