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

// A base64 PDF from `value` (the field `name`), not empty.
Result<std::vector<std::uint8_t>> document_bytes(const json& value, const std::string& name) {
    if (!value.is_string()) return fail(Errc::bad_request, "the field '" + name + "' must be a base64 string");
    auto bytes = base64_decode(value.get_ref<const std::string&>());
    if (!bytes) {
        return std::unexpected(Error{Errc::bad_request, "the field '" + name + "' is not valid base64: " +
                                                            bytes.error().message});
    }
    if (bytes->empty()) return fail(Errc::bad_request, "the field '" + name + "' is empty");
    return bytes;
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
    SIGNET_TRY(request.document, document_bytes(fields->at("document"), "document"));

    if (fields->has("appearance")) SIGNET_TRY(request.appearance, parse_appearance(fields->at("appearance")));
    if (fields->has("approved_by")) SIGNET_TRY(request.approved_by, fields->text("approved_by"));
    return request;
}

Result<SignRequest> parse_sign_request(std::string_view body, unsigned max_batch) {
    auto fields = JsonFields::parse(body, {"tenant", "actor", "document", "documents", "appearance", "activation"});
    if (!fields) return std::unexpected(fields.error());
    SignRequest request;
    SIGNET_TRY(request.tenant, fields->text("tenant"));
    SIGNET_TRY(request.actor, fields->text("actor"));
    if (fields->has("document") == fields->has("documents")) {
        return fail(Errc::bad_request, "give either 'document' or 'documents'");
    }
    if (fields->has("document")) {
        std::vector<std::uint8_t> document;
        SIGNET_TRY(document, document_bytes(fields->at("document"), "document"));
        request.documents.push_back(std::move(document));
    } else {
        const json& list = fields->at("documents");
        if (!list.is_array() || list.empty() || list.size() > max_batch) {
            return fail(Errc::bad_request, "the field 'documents' must be an array of 1 to " +
                                               std::to_string(max_batch) + " base64 documents");
        }
        request.batch = true;
        for (std::size_t i = 0; i < list.size(); ++i) {
            std::vector<std::uint8_t> document;
            SIGNET_TRY(document, document_bytes(list[i], "documents[" + std::to_string(i) + "]"));
            request.documents.push_back(std::move(document));
        }
    }
    if (fields->has("appearance")) SIGNET_TRY(request.appearance, parse_appearance(fields->at("appearance")));
    if (!fields->has("activation")) return request;  // refused, and recorded, by the job
    const json& activation = fields->at("activation");
    if (!activation.is_object() || activation.size() != 1 || !activation.contains("otp") ||
        !activation["otp"].is_string() || activation["otp"].get_ref<const std::string&>().size() > 16) {
        return fail(Errc::bad_request, "the field 'activation' must be {\"otp\": \"<the code>\"}");
    }
    request.otp = activation["otp"].get<std::string>();
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
