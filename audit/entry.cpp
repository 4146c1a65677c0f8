#include "audit/entry.hpp"

#include <array>

#include "audit/openssl_util.hpp"

namespace signet::audit {
namespace {

using nlohmann::json;

// The text fields, in one list so that writing and reading cannot drift apart.
constexpr std::array<std::pair<const char*, std::string Entry::*>, 16> text_fields = {{
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

std::unexpected<Error> bad_field(const char* field, std::string_view problem) {
    return fail(Errc::bad_request, std::string("audit entry: '") + field + "' " + std::string(problem));
}

// Every key of an entry object but "hash" (and an export line's "type").
json canonical_object(const Entry& entry) {
    json object = to_json(entry);
    object.erase("hash");
    return object;
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
    return object;
}

Result<Entry> entry_from_json(const json& object) {
    if (!object.is_object()) return fail(Errc::bad_request, "audit entry: not a JSON object");
    Entry entry;
    std::size_t known = 0;
    auto seq = object.find("seq");
    if (seq == object.end() || !seq->is_number_integer() || seq->get<std::int64_t>() < 1) {
        return bad_field("seq", "must be an integer from 1");
    }
    entry.seq = seq->get<std::int64_t>();
    ++known;
    for (const auto& [name, member] : text_fields) {
        auto it = object.find(name);
        if (it == object.end()) return bad_field(name, "is missing");
        if (it->is_string()) {
            entry.*member = it->get<std::string>();
            if ((entry.*member).empty()) return bad_field(name, "is empty (absent values are null)");
        } else if (!it->is_null()) {
            return bad_field(name, "must be a string or null");
        }
        ++known;
    }
    auto intent = object.find("intent_seq");
    if (intent == object.end()) return bad_field("intent_seq", "is missing");
    if (intent->is_number_integer()) {
        entry.intent_seq = intent->get<std::int64_t>();
    } else if (!intent->is_null()) {
        return bad_field("intent_seq", "must be an integer or null");
    }
    ++known;
    auto detail = object.find("detail");
    if (detail == object.end()) return bad_field("detail", "is missing");
    if (!detail->is_object() && !detail->is_null()) return bad_field("detail", "must be an object or null");
    entry.detail = detail->is_object() ? *detail : json(nullptr);
    ++known;
    auto hash = object.find("hash");
    if (hash == object.end() || !hash->is_string()) return bad_field("hash", "must be a string");
    entry.hash = hash->get<std::string>();
    ++known;
    if (object.contains("type")) ++known;
    if (object.size() != known) return fail(Errc::bad_request, "audit entry: it has a field the format does not know");
    return entry;
}

std::string compute_hash(const Entry& entry) {
    std::string input(1, '\0');  // RFC 9162 leaf prefix
    input += canonical_object(entry).dump();
    return sha256_hex(input);
}

}  // namespace signet::audit
