#include <boost/test/unit_test.hpp>

#include "tests/support/need.hpp"
#include "tests/unit/audit/log_fixture.hpp"

namespace {

using namespace signet;
using signet::test::GeneratedLog;
using signet::test::need;

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_log)

BOOST_AUTO_TEST_CASE(entries_chain_from_genesis) {
    GeneratedLog generated;
    generated.grow(5, 100);
    auto entries = generated.log.read(0, 10);
    BOOST_REQUIRE(entries);
    BOOST_REQUIRE(entries->size() == 5U);
    BOOST_TEST((*entries)[0].prev_hash == audit::genesis_hash);
    for (std::size_t i = 0; i < entries->size(); ++i) {
        const auto& entry = (*entries)[i];
        BOOST_TEST(entry.seq == static_cast<std::int64_t>(i + 1));
        BOOST_TEST(entry.hash == audit::compute_hash(entry));
        if (i > 0) BOOST_TEST(entry.prev_hash == (*entries)[i - 1].hash);
    }
    BOOST_TEST((*entries)[1].time == "2026-11-02T00:00:07Z");
    auto page = generated.log.read(3, 1);
    BOOST_REQUIRE(page);
    BOOST_TEST(page->size() == 1U);
    BOOST_TEST(page->front().seq == 4);
}

// On a store several nodes share, a node's start accounts for its own unfinished key uses only:
// another node's intent may be running while this one starts.
BOOST_AUTO_TEST_CASE(intents_are_accounted_by_the_node_that_made_them) {
    GeneratedLog generated;
    auto append = [&](const std::string& node, const std::string& event, const std::string& outcome) {
        generated.db.set_node(node);
        audit::Entry entry;
        entry.event = event;
        entry.outcome = outcome;
        return need(generated.log.append(entry));
    };
    const auto before_nodes = append("", "seal", "intended");  // written by one signetd, before nodes
    append("a", "daemon_start", "done");
    const auto of_a = append("a", "seal", "intended");
    append("b", "daemon_start", "done");
    const auto of_b = append("b", "seal", "intended");
    BOOST_TEST(of_a.node == "a");
    BOOST_TEST(of_b.node == "b");

    generated.db.set_node("a");
    auto open_a = need(generated.log.open_intents());
    BOOST_REQUIRE(open_a.size() == 1U);
    BOOST_TEST(open_a.front().seq == of_a.seq);
    generated.db.set_node("b");
    auto open_b = need(generated.log.open_intents());
    BOOST_REQUIRE(open_b.size() == 1U);
    BOOST_TEST(open_b.front().seq == of_b.seq);
    // A node that never started before counts the entries without a node as its own.
    generated.db.set_node("c");
    auto open_c = need(generated.log.open_intents());
    BOOST_REQUIRE(open_c.size() == 1U);
    BOOST_TEST(open_c.front().seq == before_nodes.seq);
}

BOOST_AUTO_TEST_CASE(the_tables_are_append_only) {
    GeneratedLog generated;
    generated.grow(3, 3);
    BOOST_TEST(!generated.db.execute("UPDATE audit_log SET outcome = 'sealed' WHERE seq = 2"));
    BOOST_TEST(!generated.db.execute("DELETE FROM audit_log WHERE seq = 3"));
    BOOST_TEST(!generated.db.execute("DELETE FROM audit_checkpoints"));
    BOOST_TEST(generated.log.head()->size == 3);
}

BOOST_AUTO_TEST_CASE(the_hash_covers_every_field_and_nothing_else) {
    audit::Entry entry;
    entry.seq = 1;
    entry.time = "2026-11-23T10:00:00Z";
    entry.event = "seal";
    entry.outcome = "intended";
    entry.actor = "Élodie Müller";
    entry.prev_hash = audit::genesis_hash;
    const std::string hash = audit::compute_hash(entry);
    BOOST_TEST(hash.size() == 64U);
    entry.hash = "anything";
    BOOST_TEST(audit::compute_hash(entry) == hash);  // the hash is not part of its own input
    auto round_trip = audit::entry_from_json(audit::to_json(entry));
    BOOST_REQUIRE(round_trip);
    BOOST_TEST(audit::compute_hash(*round_trip) == hash);
    for (auto change : std::vector<std::function<void(audit::Entry&)>>{
             [](audit::Entry& e) { e.seq = 2; }, [](audit::Entry& e) { e.actor = "Elodie Müller"; },
             [](audit::Entry& e) { e.reason = "x"; }, [](audit::Entry& e) { e.intent_seq = 1; },
             [](audit::Entry& e) { e.detail = {{"a", 1}}; }, [](audit::Entry& e) { e.prev_hash[0] = '1'; }}) {
        audit::Entry changed = entry;
        change(changed);
        BOOST_TEST(audit::compute_hash(changed) != hash);
    }
    auto object = audit::to_json(entry);
    object["colour"] = "red";
    BOOST_TEST(!audit::entry_from_json(object));
    object.erase("colour");
    object.erase("tenant");
    BOOST_TEST(!audit::entry_from_json(object));
}

BOOST_AUTO_TEST_CASE(usage_counts_exactly_per_tenant_and_period) {
    GeneratedLog generated;
    generated.grow(24, 100);  // 6 of each event; tenants alternate every third entry
    auto usage = generated.log.usage("cabinet-été", *signet::parse_date("2026-11-02"), *signet::parse_date("2026-11-02"));
    BOOST_REQUIRE(usage);
    // Entries 0, 3, 6, ... are cabinet-été; of those, i % 4 == 0 are seals and i % 4 == 1 refusals.
    BOOST_TEST(usage->seals == 2);     // i = 0, 12
    BOOST_TEST(usage->refusals == 2);  // i = 9, 21
    BOOST_TEST(usage->refusals_by_action.at("document.seal") == 2);
    auto before = generated.log.usage("cabinet-été", *signet::parse_date("2026-10-01"), *signet::parse_date("2026-11-01"));
    BOOST_REQUIRE(before);
    BOOST_TEST(before->seals == 0);
}

// Time-stamps are billed as "timestamps" only when asked for through POST /v1/timestamp; a
// token made inside a seal carries the seal's action and is billed with the seal.
BOOST_AUTO_TEST_CASE(usage_counts_the_tokens_asked_for_alone) {
    GeneratedLog generated;
    auto stamp = [&](const std::string& action, const std::string& outcome) {
        audit::Entry entry;
        entry.event = "timestamp";
        entry.outcome = outcome;
        entry.tenant = "cabinet-été";
        entry.action = action;
        BOOST_REQUIRE(generated.log.append(entry));
    };
    stamp("timestamp", "intended");
    stamp("timestamp", "stamped");
    stamp("timestamp", "stamped");
    stamp("timestamp", "failed");
    stamp("document.seal", "stamped");
    const auto day = *signet::parse_date("2026-11-01");
    auto usage = generated.log.usage("cabinet-été", day, *signet::parse_date("2026-11-03"));
    BOOST_REQUIRE(usage);
    BOOST_TEST(usage->timestamps == 2);
    BOOST_TEST(usage->seals == 0);
}

BOOST_AUTO_TEST_SUITE_END()
