// The key-usage log under concurrent jobs: entries recorded at the same time share commits
// (group commit) and still form one unbroken chain that verifies offline, each caller getting
// back its own entry.

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>
#include <vector>

#include "audit/verify.hpp"
#include "jobs/audit_trail.hpp"
#include "tests/support/dev_installation.hpp"

namespace {

using namespace signet;
using signet::test::DevInstallation;
using signet::test::need;

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_trail)

BOOST_FIXTURE_TEST_CASE(concurrent_records_share_commits_and_keep_one_chain, DevInstallation) {
    daemon::AuditTrail trail(*db, db_mutex, clock, *token, *audit_slot, config.audit);
    const std::int64_t before = need(trail.state()).entries;
    constexpr std::size_t threads = 8;
    constexpr std::size_t each = 25;
    std::vector<std::vector<audit::Entry>> stored(threads);
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (std::size_t i = 0; i < each; ++i) {
                audit::Entry entry;
                entry.event = "seal";
                entry.outcome = "intended";
                entry.actor = "thread-" + std::to_string(t) + "-" + std::to_string(i);
                if (auto done = trail.record(entry)) stored[t].push_back(std::move(*done));
            }
        });
    }
    for (auto& worker : workers) worker.join();

    std::set<std::int64_t> seqs;
    for (std::size_t t = 0; t < threads; ++t) {
        BOOST_TEST(stored[t].size() == each);
        for (std::size_t i = 0; i < stored[t].size(); ++i) {
            // Each caller gets its own entry back, not a neighbour's from the same commit.
            BOOST_TEST(stored[t][i].actor == "thread-" + std::to_string(t) + "-" + std::to_string(i));
            seqs.insert(stored[t][i].seq);
        }
    }
    BOOST_TEST(seqs.size() == threads * each);
    BOOST_TEST(need(trail.state()).entries == before + static_cast<std::int64_t>(threads * each));
    BOOST_REQUIRE(trail.checkpoint());
    audit::Log log(*db, clock);
    auto verification = audit::verify_export(need(log.export_ndjson()),
                                             read_file(dir / "pki" / "audit.pem"), "");
    BOOST_TEST(verification.intact, verification.problem);
    BOOST_TEST(verification.entries == before + static_cast<std::int64_t>(threads * each));
}

BOOST_FIXTURE_TEST_CASE(key_uses_without_an_outcome_are_recorded_as_interrupted_once, DevInstallation) {
    daemon::AuditTrail trail(*db, db_mutex, clock, *token, *audit_slot, config.audit);
    audit::Entry start;
    start.event = "daemon_start";
    start.outcome = "done";
    need(trail.record(start));
    audit::Entry intent;
    intent.event = "seal";
    intent.outcome = "intended";
    intent.tenant = "cabinet-x";
    intent.action = "document.seal";
    intent.key_id = "0a0b";
    intent.signed_digest_sha256 = std::string(64, 'c');
    // One key use finished, one refused before any key use, one begun and never finished.
    const audit::Entry finished = need(trail.record(intent));
    audit::Entry sealed = finished;
    sealed.outcome = "sealed";
    sealed.intent_seq = finished.seq;
    need(trail.record(sealed));
    audit::Entry refusal = intent;
    refusal.event = "refusal";
    refusal.outcome = "refused";
    need(trail.record(refusal));
    const audit::Entry left = need(trail.record(intent));

    BOOST_TEST(need(trail.account_for_interrupted()) == 1u);
    audit::Log log(*db, clock);
    const auto after = need(log.read(left.seq, 10));
    BOOST_REQUIRE_EQUAL(after.size(), 1u);
    BOOST_TEST(after[0].outcome == "interrupted");
    BOOST_TEST(after[0].event == "seal");
    BOOST_TEST((after[0].intent_seq == std::optional<std::int64_t>(left.seq)));
    BOOST_TEST(after[0].signed_digest_sha256 == left.signed_digest_sha256);
    BOOST_TEST(after[0].key_id == left.key_id);
    BOOST_TEST(after[0].reason.find("before this key use's outcome was on disk") != std::string::npos);
    // Accounted for once.
    BOOST_TEST(need(trail.account_for_interrupted()) == 0u);

    // An intent the next start did not account for (a log written before this rule) stays as
    // it is: each start reads back only to the newest start.
    need(trail.record(intent));
    need(trail.record(start));
    BOOST_TEST(need(trail.account_for_interrupted()) == 0u);
    BOOST_TEST(need(log.open_intents()).empty());

    BOOST_REQUIRE(trail.checkpoint());
    auto verification = audit::verify_export(need(log.export_ndjson()), read_file(dir / "pki" / "audit.pem"), "");
    BOOST_TEST(verification.intact, verification.problem);
}

// A job's outcomes and an idempotent answer commit together (issue 20): under other threads'
// records, a job's entries stay consecutive, `also` sees the last as stored, and when it fails
// none of them is written.
BOOST_FIXTURE_TEST_CASE(a_jobs_entries_commit_together_with_what_commits_with_them, DevInstallation) {
    daemon::AuditTrail trail(*db, db_mutex, clock, *token, *audit_slot, config.audit);
    std::atomic<bool> stop = false;
    std::thread other([&] {
        while (!stop) {
            audit::Entry entry;
            entry.event = "seal";
            entry.outcome = "intended";
            entry.actor = "other";
            (void)trail.record(entry);
        }
    });
    auto entries = [](const std::string& actor) {
        std::vector<audit::Entry> out(3);
        for (auto& entry : out) {
            entry.event = "sign";
            entry.outcome = "signed";
            entry.actor = actor;
        }
        return out;
    };
    for (int round = 0; round < 20; ++round) {
        std::int64_t seen = 0;
        auto stored = trail.record_all(entries("job"), [&](const audit::Entry& last) -> Status {
            seen = last.seq;
            return {};
        });
        BOOST_REQUIRE(stored);
        BOOST_REQUIRE(stored->size() == 3U);
        BOOST_TEST((*stored)[1].seq == (*stored)[0].seq + 1);
        BOOST_TEST((*stored)[2].seq == (*stored)[0].seq + 2);
        BOOST_TEST(seen == (*stored)[2].seq);
    }
    const std::int64_t before = need(trail.state()).entries;
    auto refused = trail.record_all(entries("refused"), [](const audit::Entry&) -> Status {
        return fail(Errc::unavailable, "the answer cannot be kept");
    });
    stop = true;
    other.join();
    BOOST_REQUIRE(!refused);
    std::lock_guard lock(db_mutex);
    auto count = db->prepare("SELECT COUNT(*) FROM audit_log WHERE entry LIKE '%\"refused\"%'");
    BOOST_REQUIRE(count);
    BOOST_REQUIRE(need(count->step()));
    BOOST_TEST(count->column_int(0) == 0);
    BOOST_TEST(before > 0);
}

BOOST_AUTO_TEST_SUITE_END()
