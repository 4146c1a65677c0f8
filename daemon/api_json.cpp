#include "daemon/api_json.hpp"

#include <cmath>

#include "daemon/base64.hpp"
#include "daemon/json_fields.hpp"

namespace signet::daemon {
namespace {

using nlohmann::json;

Result<pdf::Appearance> parse_appearance(const json& value) {
    if (!value.is_object()) return fail(Errc::bad_request, "the field 'appearance' must be an object");
    for (const auto& [key, ignored] : value.items()) {
        if (key != "page" && key != "rect") {
            return fail(Errc::bad_request, "the field 'appearance." + key + "' is not part of the API");
        }
    }
    pdf::Appearance appearance;
    auto page = value.find("page");
    if (page != value.end()) {
        if (!page->is_number_integer() || page->get<std::int64_t>() < 1 || page->get<std::int64_t>() > 1000000) {
            return fail(Errc::bad_request, "the field 'appearance.page' must be a page number from 1");
        }
        appearance.page = static_cast<int>(page->get<std::int64_t>());
    }
    auto rect = value.find("rect");
    if (rect == value.end() || !rect->is_array() || rect->size() != 4) {
        return fail(Errc::bad_request, "the field 'appearance.rect' must be [x1, y1, x2, y2]");
    }
    for (std::size_t i = 0; i < 4; ++i) {
        const json& number = (*rect)[i];
        if (!number.is_number() || !std::isfinite(number.get<double>())) {
            return fail(Errc::bad_request, "the field 'appearance.rect' must hold four numbers");
        }
        appearance.rect[i] = number.get<double>();
    }
    if (appearance.rect[0] >= appearance.rect[2] || appearance.rect[1] >= appearance.rect[3]) {
        return fail(Errc::bad_request, "the field 'appearance.rect' must have x1 < x2 and y1 < y2");
    }
    return appearance;
}

}  // namespace

std::string error_body(const Error& error) {
    return json{{"error", std::string(to_string(error.code))}, {"message", error.message}}.dump();
}

Result<SealRequest> parse_seal_request(std::string_view body) {
    auto fields = JsonFields::parse(body, {"tenant", "actor", "document", "appearance", "approved_by"});
    if (!fields) return std::unexpected(fields.error());
    SealRequest request;
    SIGNET_TRY(request.tenant, fields->text("tenant"));
    SIGNET_TRY(request.actor, fields->text("actor"));

    if (!fields->has("document")) return fail(Errc::bad_request, "the field 'document' is missing");
    const json& document = fields->at("document");
    if (!document.is_string()) {
        return fail(Errc::bad_request, "the field 'document' must be a base64 string");
    }
    auto bytes = base64_decode(document.get_ref<const std::string&>());
    if (!bytes) return std::unexpected(Error{Errc::bad_request, "the field 'document' is not valid base64: " + bytes.error().message});
    if (bytes->empty()) return fail(Errc::bad_request, "the field 'document' is empty");
    request.document = std::move(*bytes);

    if (fields->has("appearance")) SIGNET_TRY(request.appearance, parse_appearance(fields->at("appearance")));
    if (fields->has("approved_by")) SIGNET_TRY(request.approved_by, fields->text("approved_by"));
    return request;
}

std::string seal_response_body(const SealResult& result) {
    json body = {
        {"document", base64_encode(result.document)},
        {"signature",
         {{"key_id", result.key_id},
          {"certificate_sha256", result.certificate_sha256},
          {"digest_sha256", result.digest_sha256}}},
        {"audit_seq", result.audit_seq},
    };
    return body.dump();
}

}  // namespace signet::daemon
