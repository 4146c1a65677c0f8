// The entry format auditors verify offline: its canonical encoding and hash are fixed once, so
// these tests pin them to bytes computed outside signet.

#include <functional>
#include <limits>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "audit/entry.hpp"

namespace {

using nlohmann::json;
using signet::audit::Entry;

Entry known_entry() {
    Entry entry;
    entry.seq = 1;
    entry.time = "2026-11-23T23:40:00Z";
    entry.event = "seal";
    entry.outcome = "intended";
    entry.tenant = "cabinet-été";
    entry.actor = "Élodie";
    entry.reason = "dit \"non\"\n";
    entry.detail = {{"b", 1}, {"a", "x"}};
    entry.prev_hash = signet::audit::genesis_hash;
    return entry;
}

// Keys in byte order, absent values null, JSON's minimal escaping, UTF-8 as is.
const char* const known_canonical =
    R"({"action":null,"actor":"Élodie","approver":null,"certificate_sha256":null,"client_fingerprint":null,)"
    R"("client_role":null,"detail":{"a":"x","b":1},"document_sha256":null,"event":"seal","intent_seq":null,)"
    R"("key_id":null,"outcome":"intended","output_sha256":null,)"
    R"("prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","reason":"dit \"non\"\n",)"
    R"("seq":1,"signed_digest_sha256":null,"tenant":"cabinet-été","time":"2026-11-23T23:40:00Z"})";

// Computed without signet: printf '\x00%s' "$known_canonical" | sha256sum
const char* const known_hash = "be1184ce9d50d2482a5ed862c991cd3f22e27deb3d983af3bb111b168ac7cc5f";

json valid_object() {
    Entry entry = known_entry();
    entry.hash = signet::audit::compute_hash(entry);
    return signet::audit::to_json(entry);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_entry)

BOOST_AUTO_TEST_CASE(the_canonical_encoding_and_hash_are_fixed) {
    json object = signet::audit::to_json(known_entry());
    BOOST_TEST(object.size() == 20U);  // every field, "hash" included (null: not computed yet)
    BOOST_TEST(object.at("hash").is_null());
    object.erase("hash");
    BOOST_TEST(object.dump() == known_canonical);
    BOOST_TEST(signet::audit::compute_hash(known_entry()) == known_hash);
}

// The node that wrote an entry (issue 23) is hashed when there is one; an entry without one is
// encoded as before nodes existed, so that logs written then verify as they did.
BOOST_AUTO_TEST_CASE(the_node_is_hashed_when_present_and_absent_before_nodes) {
    Entry entry = known_entry();
    BOOST_TEST(!signet::audit::to_json(entry).contains("node"));
    entry.node = "node-a";
    json object = signet::audit::to_json(entry);
    object.erase("hash");
    std::string expected = known_canonical;
    expected.replace(expected.find("\"key_id\":null,") + 14, 0, "\"node\":\"node-a\",");
    BOOST_TEST(object.dump() == expected);
    // Computed without signet, as known_hash, over that text.
    BOOST_TEST(signet::audit::compute_hash(entry) == "00f4ec6c117f7a8381378d1b3b8de9c3f0b2a04f7aa7c91eb2a0755ea079530b");
    entry.hash = signet::audit::compute_hash(entry);
    auto back = signet::audit::entry_from_json(signet::audit::to_json(entry));
    BOOST_REQUIRE(back);
    BOOST_TEST(back->node == "node-a");
    for (const json& bad : {json(""), json(5), json(nullptr)}) {
        json with = valid_object();
        with["node"] = bad;
        BOOST_TEST(!signet::audit::entry_from_json(with).has_value(), bad.dump());
    }
}

BOOST_AUTO_TEST_CASE(the_hash_is_not_part_of_its_own_input) {
    Entry entry = known_entry();
    entry.hash = "anything";
    BOOST_TEST(signet::audit::compute_hash(entry) == known_hash);
}

BOOST_AUTO_TEST_CASE(the_hash_changes_with_every_single_field) {
    const std::vector<std::pair<const char*, std::function<void(Entry&)>>> changes = {
        {"seq", [](Entry& e) { e.seq = 2; }},
        {"time", [](Entry& e) { e.time = "2026-11-23T23:40:01Z"; }},
        {"event", [](Entry& e) { e.event = "refusal"; }},
        {"outcome", [](Entry& e) { e.outcome = "sealed"; }},
        {"intent_seq", [](Entry& e) { e.intent_seq = 1; }},
        {"client_fingerprint", [](Entry& e) { e.client_fingerprint = "ab"; }},
        {"client_role", [](Entry& e) { e.client_role = "platform"; }},
        {"tenant", [](Entry& e) { e.tenant = "cabinet-ete"; }},
        {"actor", [](Entry& e) { e.actor = "Elodie"; }},
        {"actor null", [](Entry& e) { e.actor.clear(); }},
        {"approver", [](Entry& e) { e.approver = "officer2"; }},
        {"action", [](Entry& e) { e.action = "document.seal"; }},
        {"key_id", [](Entry& e) { e.key_id = "0102"; }},
        {"certificate_sha256", [](Entry& e) { e.certificate_sha256 = "cd"; }},
        {"signed_digest_sha256", [](Entry& e) { e.signed_digest_sha256 = "ef"; }},
        {"document_sha256", [](Entry& e) { e.document_sha256 = "01"; }},
        {"output_sha256", [](Entry& e) { e.output_sha256 = "23"; }},
        {"reason", [](Entry& e) { e.reason = "dit \"non\""; }},
        {"detail value", [](Entry& e) { e.detail["b"] = 2; }},
        {"detail null", [](Entry& e) { e.detail = nullptr; }},
        {"detail empty", [](Entry& e) { e.detail = json::object(); }},
        {"prev_hash", [](Entry& e) { e.prev_hash[63] = '1'; }},
    };
    for (const auto& [name, change] : changes) {
        Entry changed = known_entry();
        change(changed);
        BOOST_TEST(signet::audit::compute_hash(changed) != known_hash, name);
    }
}

BOOST_AUTO_TEST_CASE(entries_round_trip_through_their_text_with_unicode_intact) {
    Entry entry = known_entry();
    entry.intent_seq = 7;
    entry.approver = "张伟 \xF0\x9F\x94\x8F";  // CJK and an emoji outside the BMP
    entry.hash = signet::audit::compute_hash(entry);
    const std::string text = signet::audit::to_json(entry).dump();
    BOOST_TEST(text.find("张伟") != std::string::npos);  // UTF-8 as is, not \u escapes
    auto read = signet::audit::entry_from_json(json::parse(text));
    BOOST_REQUIRE(read.has_value());
    BOOST_TEST(signet::audit::to_json(*read).dump() == text);
    BOOST_TEST(read->approver == entry.approver);
    BOOST_TEST(read->intent_seq.value_or(0) == 7);
    BOOST_TEST(signet::audit::compute_hash(*read) == entry.hash);
}

BOOST_AUTO_TEST_CASE(an_export_line_type_is_ignored_and_unknown_fields_refused) {
    json object = valid_object();
    object["type"] = "entry";
    BOOST_TEST(signet::audit::entry_from_json(object).has_value());
    object["colour"] = "red";
    auto read = signet::audit::entry_from_json(object);
    BOOST_REQUIRE(!read.has_value());
    BOOST_TEST(signet::to_string(read.error().code) == "bad_request");
    BOOST_TEST(read.error().message.find("colour") != std::string::npos, read.error().message);
}

BOOST_AUTO_TEST_CASE(every_field_must_be_present) {
    const json valid = valid_object();
    for (const auto& [key, value] : valid.items()) {
        json object = valid;
        object.erase(key);
        auto read = signet::audit::entry_from_json(object);
        BOOST_TEST_CONTEXT(key) {
            BOOST_REQUIRE(!read.has_value());
            BOOST_TEST(read.error().message.find("'" + key + "' is missing") != std::string::npos, read.error().message);
        }
    }
}

BOOST_AUTO_TEST_CASE(fields_of_the_wrong_type_are_refused) {
    const std::vector<std::pair<const char*, json>> wrong = {
        {"seq", "1"},
        {"seq", 0},
        {"seq", -3},
        {"seq", 1.0},
        {"seq", nullptr},
        {"seq", std::numeric_limits<std::uint64_t>::max()},
        {"intent_seq", 0},
        {"intent_seq", "4"},
        {"actor", 42},
        {"actor", ""},  // absent is null: "" would be a second spelling with another hash
        {"actor", json::array({"a"})},
        {"time", true},
        {"prev_hash", json::object()},
        {"detail", json::array({1})},
        {"detail", "text"},
        {"hash", nullptr},
        {"hash", ""},
    };
    for (const auto& [field, value] : wrong) {
        json object = valid_object();
        object[field] = value;
        auto read = signet::audit::entry_from_json(object);
        BOOST_TEST_CONTEXT(field << " = " << value.dump()) {
            BOOST_REQUIRE(!read.has_value());
            BOOST_TEST(read.error().message.find(field) != std::string::npos, read.error().message);
        }
    }
    json deep = 1;
    for (int i = 0; i < 40; ++i) deep = json{{"a", deep}};
    json object = valid_object();
    object["detail"] = deep;
    BOOST_TEST(!signet::audit::entry_from_json(object).has_value());
    BOOST_TEST(!signet::audit::entry_from_json(json::array()).has_value());
    BOOST_TEST(!signet::audit::entry_from_json(json("entry")).has_value());
}

// The writer's single serialisation agrees with compute_hash and with to_json.
BOOST_AUTO_TEST_CASE(hash_and_encode_is_compute_hash_and_to_json) {
    signet::audit::Entry entry = known_entry();
    entry.hash.clear();
    const std::string stored = signet::audit::hash_and_encode(entry);
    BOOST_TEST(entry.hash == known_hash);
    BOOST_TEST(stored == signet::audit::to_json(entry).dump());
}

BOOST_AUTO_TEST_SUITE_END()
