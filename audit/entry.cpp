#include "audit/entry.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "audit/json_number.hpp"
#include "base/base64.hpp"

namespace signet::audit {
namespace {

using nlohmann::json;

// The text fields, in one list so that writing and reading cannot drift apart.
constexpr std::array<std::pair<std::string_view, std::string Entry::*>, 16> text_fields = {{
    {"time", &Entry::time},
    {"event", &Entry::event},
    {"outcome", &Entry::outcome},
    {"client_fingerprint", &Entry::client_fingerprint},
    {"client_role", &Entry::client_role},
    {"tenant", &Entry::tenant},
    {"actor", &Entry::actor},
    {"approver", &Entry::approver},
    {"action", &Entry::action},
    {"key_id", &Entry::key_id},
    {"certificate_sha256", &Entry::certificate_sha256},
    {"signed_digest_sha256", &Entry::signed_digest_sha256},
    {"document_sha256", &Entry::document_sha256},
    {"output_sha256", &Entry::output_sha256},
    {"reason", &Entry::reason},
    {"prev_hash", &Entry::prev_hash},
}};

// The other keys of an entry object; "type" is an export line's and is ignored.
constexpr std::array<std::string_view, 6> other_fields = {"seq", "intent_seq", "detail", "hash", "type", "node"};

bool is_known(const std::string& key) {
    auto named = [&](const auto& field) { return field.first == key; };
    return std::ranges::any_of(text_fields, named) || std::ranges::find(other_fields, key) != other_fields.end();
}

// Deep enough for any event's detail, shallow enough for the stack.
constexpr int max_detail_depth = 32;

// Whether `value` nests no deeper than `levels`; stops there, so an export line of a million
// nested objects cannot exhaust the stack of the recursive copy and dump that would follow.
bool nests_within(const json& value, int levels) {
    if (!value.is_structured()) return true;
    if (levels == 0) return false;
    return std::ranges::all_of(value, [&](const json& inner) { return nests_within(inner, levels - 1); });
}

std::unexpected<Error> bad_field(std::string_view field, std::string_view problem) {
    return fail(Errc::bad_request, "audit entry: '" + std::string(field) + "' " + std::string(problem));
}

}  // namespace

json to_json(const Entry& entry) {
    json object = json::object();
    object["seq"] = entry.seq;
    for (const auto& [name, member] : text_fields) {
        const std::string& value = entry.*member;
        object[name] = value.empty() ? json(nullptr) : json(value);
    }
    object["intent_seq"] = entry.intent_seq ? json(*entry.intent_seq) : json(nullptr);
    object["detail"] = entry.detail.is_object() ? entry.detail : json(nullptr);
    object["hash"] = entry.hash.empty() ? json(nullptr) : json(entry.hash);
    if (!entry.node.empty()) object["node"] = entry.node;
    return object;
}

Result<Entry> entry_from_json(const json& object) {
    if (!object.is_object()) return fail(Errc::bad_request, "audit entry: not a JSON object");
    for (const auto& [key, value] : object.items()) {
        if (!is_known(key)) return bad_field(key, "is not a field of an audit entry");
    }
    Entry entry;
    auto seq = object.find("seq");
    if (seq == object.end()) return bad_field("seq", "is missing");
    auto seq_number = positive_int64(*seq);
    if (!seq_number) return bad_field("seq", "must be an integer from 1");
    entry.seq = *seq_number;
    for (const auto& [name, member] : text_fields) {
        auto it = object.find(name);
        if (it == object.end()) return bad_field(name, "is missing");
        if (it->is_string()) {
            // An absent value is null; "" would be a second spelling of it, with another hash.
            if (it->get_ref<const std::string&>().empty()) return bad_field(name, "is empty (absent is null)");
            entry.*member = it->get<std::string>();
        } else if (!it->is_null()) {
            return bad_field(name, "must be a string or null");
        }
    }
    auto intent = object.find("intent_seq");
    if (intent == object.end()) return bad_field("intent_seq", "is missing");
    if (!intent->is_null()) {
        entry.intent_seq = positive_int64(*intent);
        if (!entry.intent_seq) return bad_field("intent_seq", "must be an integer from 1 or null");
    }
    auto detail = object.find("detail");
    if (detail == object.end()) return bad_field("detail", "is missing");
    if (!detail->is_object() && !detail->is_null()) return bad_field("detail", "must be an object or null");
    if (!nests_within(*detail, max_detail_depth)) return bad_field("detail", "is nested too deeply");
    entry.detail = *detail;
    if (auto node = object.find("node"); node != object.end()) {
        if (!node->is_string() || node->get_ref<const std::string&>().empty()) {
            return bad_field("node", "must be a non-empty string when present");
        }
        entry.node = node->get<std::string>();
    }
    auto hash = object.find("hash");
    if (hash == object.end()) return bad_field("hash", "is missing");
    if (!hash->is_string() || hash->get_ref<const std::string&>().empty()) {
        return bad_field("hash", "must be a non-empty string");
    }
    entry.hash = hash->get<std::string>();
    return entry;
}

namespace {

// RFC 9162 §2.1.1: a leaf's hash input starts with 0x00. dump() is compact and, with
// nlohmann's default std::map objects, writes keys in byte order.
std::string leaf_hash(const json& without_hash) { return sha256_hex(std::string(1, '\0') + without_hash.dump()); }

}  // namespace

std::string compute_hash(const Entry& entry) {
    json canonical = to_json(entry);
    canonical.erase("hash");
    return leaf_hash(canonical);
}

std::string hash_and_encode(Entry& entry) {
    json object = to_json(entry);
    object.erase("hash");
    entry.hash = leaf_hash(object);
    object["hash"] = entry.hash;
    return object.dump();
}

}  // namespace signet::audit
