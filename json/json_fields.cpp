#include "json/json_fields.hpp"

namespace signet::daemon {
namespace {

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

Result<JsonFields> JsonFields::parse(std::string_view body, std::initializer_list<std::string_view> known) {
    nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return fail(Errc::bad_request, "the request body is not valid JSON");
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
