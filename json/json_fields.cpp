#include "json/json_fields.hpp"

#include <simdjson.h>

#include "base/base64.hpp"

namespace signet::daemon {
namespace {

// A body past this size gets a parser of its own, freed with it: the job threads' parsers
// keep the capacity of the largest body they read.
constexpr std::size_t kept_parser_bytes = std::size_t{1} << 20;

// simdjson's DOM as nlohmann's: the rest of signet reads nlohmann::json. The large value of a
// document body, a base64 string, is copied in one piece instead of character by character.
nlohmann::json converted(simdjson::dom::element element) {
    switch (element.type()) {
        case simdjson::dom::element_type::OBJECT: {
            nlohmann::json object = nlohmann::json::object();
            // A repeated key keeps its last value, as nlohmann's own parser does.
            for (auto field : simdjson::dom::object(element)) object[std::string(field.key)] = converted(field.value);
            return object;
        }
        case simdjson::dom::element_type::ARRAY: {
            nlohmann::json array = nlohmann::json::array();
            for (auto item : simdjson::dom::array(element)) array.push_back(converted(item));
            return array;
        }
        case simdjson::dom::element_type::STRING:
            return std::string(std::string_view(element));
        case simdjson::dom::element_type::INT64:
            return std::int64_t(element);
        case simdjson::dom::element_type::UINT64:
            return std::uint64_t(element);
        case simdjson::dom::element_type::DOUBLE:
            return double(element);
        case simdjson::dom::element_type::BOOL:
            return bool(element);
        case simdjson::dom::element_type::NULL_VALUE:
            return nullptr;
    }
    return nullptr;
}

// The body parsed by simdjson (UTF-8 checked, depth bounded at 1024): a 133 KB document body
// cost 2 ms of CPU in nlohmann's lexer, a 13 MB one more than 100 ms (docs/performance.md,
// issue 19).
// `release` is called once the parser no longer needs the body (which is then padded in
// place), before the conversion copies its strings.
template <typename Release>
Result<nlohmann::json> parse_body(std::string_view body, bool padded, Release release) {
    thread_local simdjson::dom::parser kept;
    simdjson::dom::parser own;
    simdjson::dom::parser& parser = body.size() > kept_parser_bytes ? own : kept;
    simdjson::dom::element root;
    const bool parsed = parser.parse(body.data(), body.size(), !padded).get(root) == simdjson::SUCCESS;
    release();
    if (!parsed) return fail(Errc::bad_request, "the request body is not valid JSON");
    return converted(root);
}



std::unexpected<Error> field_error(std::string_view field, std::string_view problem) {
    return fail(Errc::bad_request, "the field '" + std::string(field) + "' " + std::string(problem));
}

}  // namespace

Status check_text(const std::string& value, std::string_view what) {
    if (value.empty()) return fail(Errc::bad_request, std::string(what) + " must not be empty");
    if (value.size() > 256) return fail(Errc::bad_request, std::string(what) + " is longer than 256 bytes");
    for (unsigned char c : value) {
        if (c < 0x20 || c == 0x7F) {
            return fail(Errc::bad_request, std::string(what) + " contains a control character");
        }
    }
    return {};
}

namespace {

// `members` with the member `name` first, its value written by `value` into the text.
template <typename Value>
std::string spliced(const nlohmann::json& members, std::string_view name, std::size_t value_size, Value value) {
    const std::string rest = members.dump();  // "{}" or "{...}"
    std::string out;
    out.reserve(rest.size() + name.size() + value_size + 4);
    out += "{\"";
    out += name;
    out += "\":";
    value(out);
    if (rest.size() > 2) out += ',';
    out.append(rest, 1);
    return out;
}

}  // namespace

std::string dump_with(const nlohmann::json& members, std::string_view name, std::string_view value) {
    return spliced(members, name, value.size(), [&](std::string& out) { out += value; });
}

std::string dump_with_base64(const nlohmann::json& members, std::string_view name,
                             std::span<const std::uint8_t> bytes) {
    return spliced(members, name, 4 * ((bytes.size() + 2) / 3) + 2, [&](std::string& out) {
        out += '"';
        base64_append(out, bytes);
        out += '"';
    });
}

Result<JsonFields> JsonFields::parse(std::string_view body, std::initializer_list<std::string_view> known) {
    return from(parse_body(body, false, [] {}), known);
}

Result<JsonFields> JsonFields::parse_and_free(std::string&& body, std::initializer_list<std::string_view> known) {
    const bool padded = body.capacity() >= body.size() + simdjson::SIMDJSON_PADDING;
    return from(parse_body(body, padded, [&body] { std::string().swap(body); }), known);
}

Result<JsonFields> JsonFields::from(Result<nlohmann::json> body, std::initializer_list<std::string_view> known) {
    nlohmann::json parsed;
    SIGNET_TRY(parsed, std::move(body));
    if (!parsed.is_object()) return fail(Errc::bad_request, "the request body must be a JSON object");
    for (const auto& [key, ignored] : parsed.items()) {
        bool listed = false;
        for (std::string_view name : known) listed = listed || name == key;
        if (!listed) return field_error(key, "is not part of the API");
    }
    return JsonFields(std::move(parsed));
}

bool JsonFields::has(const char* field) const {
    auto it = body_.find(field);
    return it != body_.end() && !it->is_null();
}

Result<std::string> JsonFields::text(const char* field) const {
    if (!has(field)) return field_error(field, "is missing");
    const auto& value = body_.at(field);
    if (!value.is_string()) return field_error(field, "must be a string");
    std::string out = value.get<std::string>();
    if (auto checked = check_text(out, "the field '" + std::string(field) + "'"); !checked) {
        return std::unexpected(checked.error());
    }
    return out;
}

Result<bool> JsonFields::boolean(const char* field) const {
    if (!has(field)) return field_error(field, "is missing");
    if (!body_.at(field).is_boolean()) return field_error(field, "must be true or false");
    return body_.at(field).get<bool>();
}

Result<std::vector<std::string>> JsonFields::texts(const char* field) const {
    if (!has(field)) return field_error(field, "is missing");
    const auto& value = body_.at(field);
    if (!value.is_array() || value.empty() || value.size() > 64) {
        return field_error(field, "must be an array of 1 to 64 strings");
    }
    std::vector<std::string> out;
    for (const auto& item : value) {
        if (!item.is_string()) return field_error(field, "must hold strings only");
        out.push_back(item.get<std::string>());
        if (auto checked = check_text(out.back(), "an item of '" + std::string(field) + "'"); !checked) {
            return std::unexpected(checked.error());
        }
    }
    return out;
}

namespace {

constexpr std::size_t max_pem_bytes = 64 * 1024;

Status check_pem(const nlohmann::json& value, std::string_view field) {
    if (!value.is_string()) return field_error(field, "must hold PEM text");
    const auto& text = value.get_ref<const std::string&>();
    if (text.empty() || text.size() > max_pem_bytes) return field_error(field, "must hold 1 byte to 64 KiB of PEM");
    return {};
}

}  // namespace

Result<std::string> JsonFields::pem(const char* field) const {
    if (!has(field)) return field_error(field, "is missing");
    SIGNET_CHECK(check_pem(body_.at(field), field));
    return body_.at(field).get<std::string>();
}

Result<std::vector<std::string>> JsonFields::pems(const char* field) const {
    std::vector<std::string> out;
    if (!has(field)) return out;
    const auto& value = body_.at(field);
    if (!value.is_array() || value.size() > 16) return field_error(field, "must be an array of at most 16 PEM texts");
    for (const auto& item : value) {
        SIGNET_CHECK(check_pem(item, field));
        out.push_back(item.get<std::string>());
    }
    return out;
}

Result<signet::Date> JsonFields::date(const char* field) const {
    auto value = text(field);
    if (!value) return std::unexpected(value.error());
    auto date = signet::parse_date(*value);
    if (!date) return field_error(field, "must be a date written YYYY-MM-DD");
    return *date;
}

}  // namespace signet::daemon
