// The key-usage log under concurrent jobs: entries recorded at the same time share commits
// (group commit) and still form one unbroken chain that verifies offline, each caller getting
// back its own entry.

#include <boost/test/unit_test.hpp>

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
    constexpr int threads = 8;
    constexpr int each = 25;
    std::vector<std::vector<audit::Entry>> stored(threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (int i = 0; i < each; ++i) {
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
    for (int t = 0; t < threads; ++t) {
        BOOST_TEST(stored[t].size() == static_cast<std::size_t>(each));
        for (std::size_t i = 0; i < stored[t].size(); ++i) {
            // Each caller gets its own entry back, not a neighbour's from the same commit.
            BOOST_TEST(stored[t][i].actor == "thread-" + std::to_string(t) + "-" + std::to_string(i));
            seqs.insert(stored[t][i].seq);
        }
    }
    BOOST_TEST(seqs.size() == static_cast<std::size_t>(threads * each));
    BOOST_TEST(need(trail.state()).entries == before + threads * each);
    BOOST_REQUIRE(trail.checkpoint());
    audit::Log log(*db, clock);
    auto verification = audit::verify_export(need(log.export_ndjson()),
                                             read_file(dir / "pki" / "audit.pem"), "");
    BOOST_TEST(verification.intact, verification.problem);
    BOOST_TEST(verification.entries == before + threads * each);
}

BOOST_AUTO_TEST_SUITE_END()
