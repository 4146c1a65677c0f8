#include "daemon/api_json.hpp"

#include <cmath>
#include <set>

#include "daemon/base64.hpp"

namespace signet::daemon {
namespace {

using nlohmann::json;

Result<std::string> required_string(const json& body, const char* field) {
    auto it = body.find(field);
    if (it == body.end()) return fail(Errc::bad_request, std::string("the field '") + field + "' is missing");
    if (!it->is_string()) return fail(Errc::bad_request, std::string("the field '") + field + "' must be a string");
    std::string value = it->get<std::string>();
    if (value.empty()) return fail(Errc::bad_request, std::string("the field '") + field + "' must not be empty");
    // Identifiers end up in logs and records: keep them printable and bounded.
    if (value.size() > 256) return fail(Errc::bad_request, std::string("the field '") + field + "' is longer than 256 bytes");
    for (unsigned char c : value) {
        if (c < 0x20 || c == 0x7F) {
            return fail(Errc::bad_request, std::string("the field '") + field + "' contains a control character");
        }
    }
    return value;
}

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
    json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return fail(Errc::bad_request, "the request body is not valid JSON");
    if (!parsed.is_object()) return fail(Errc::bad_request, "the request body must be a JSON object");
    static const std::set<std::string> known = {"tenant", "actor", "document", "appearance",
                                                "approved_by"};
    for (const auto& [key, ignored] : parsed.items()) {
        if (!known.contains(key)) {
            return fail(Errc::bad_request, "the field '" + key + "' is not part of the API");
        }
    }
    SealRequest request;
    auto tenant = required_string(parsed, "tenant");
    if (!tenant) return std::unexpected(tenant.error());
    request.tenant = std::move(*tenant);
    auto actor = required_string(parsed, "actor");
    if (!actor) return std::unexpected(actor.error());
    request.actor = std::move(*actor);

    auto document = parsed.find("document");
    if (document == parsed.end()) return fail(Errc::bad_request, "the field 'document' is missing");
    if (!document->is_string()) {
        return fail(Errc::bad_request, "the field 'document' must be a base64 string");
    }
    auto bytes = base64_decode(document->get_ref<const std::string&>());
    if (!bytes) return std::unexpected(Error{Errc::bad_request, "the field 'document' is not valid base64: " + bytes.error().message});
    if (bytes->empty()) return fail(Errc::bad_request, "the field 'document' is empty");
    request.document = std::move(*bytes);

    if (auto appearance = parsed.find("appearance"); appearance != parsed.end() && !appearance->is_null()) {
        auto parsed_appearance = parse_appearance(*appearance);
        if (!parsed_appearance) return std::unexpected(parsed_appearance.error());
        request.appearance = std::move(*parsed_appearance);
    }
    if (parsed.contains("approved_by") && !parsed["approved_by"].is_null()) {
        auto approver = required_string(parsed, "approved_by");
        if (!approver) return std::unexpected(approver.error());
        request.approved_by = std::move(*approver);
    }
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
