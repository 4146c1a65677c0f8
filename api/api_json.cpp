#include "api/api_json.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/base64.hpp"
#include "json/json_fields.hpp"
#include "pdf/form/text.hpp"

namespace signet::daemon {
namespace {

using nlohmann::json;

Result<pdf::Appearance> parse_appearance(const json& value) {
    if (!value.is_object()) return fail(Errc::bad_request, "the field 'appearance' must be an object");
    for (const auto& [key, ignored] : value.items()) {
        if (key != "page" && key != "rect" && key != "field") {
            return fail(Errc::bad_request, "the field 'appearance." + key + "' is not part of the API");
        }
    }
    // A field prepared in the document (POST /v1/prepare) has its own page and rectangle.
    if (auto field = value.find("field"); field != value.end()) {
        if (value.size() != 1) {
            return fail(Errc::bad_request, "the field 'appearance' has either 'field' or 'page' and 'rect'");
        }
        if (!field->is_string() || !valid_field_name(field->get_ref<const std::string&>())) {
            return fail(Errc::bad_request, "the field 'appearance.field' must name a field: 1 to 128 printable "
                                           "characters, no '.'");
        }
        pdf::Appearance appearance;
        appearance.field = field->get<std::string>();
        return appearance;
    }
    std::int64_t page = 1;
    if (auto found = value.find("page"); found != value.end()) {
        if (!found->is_number_integer()) {
            return fail(Errc::bad_request, "the field 'appearance.page' must be a page number from 1");
        }
        page = found->get<std::int64_t>();
    }
    auto rect = value.find("rect");
    if (rect == value.end() || !rect->is_array() || rect->size() != 4) {
        return fail(Errc::bad_request, "the field 'appearance.rect' must be [x1, y1, x2, y2]");
    }
    std::array<double, 4> corners{};
    for (std::size_t i = 0; i < 4; ++i) {
        const json& number = (*rect)[i];
        if (!number.is_number()) return fail(Errc::bad_request, "the field 'appearance.rect' must hold four numbers");
        corners[i] = number.get<double>();
    }
    return checked_appearance(page, corners, "the field 'appearance.page'", "the field 'appearance.rect'");
}

// A base64 PDF from `value` (the field `name`), not empty.
Result<std::vector<std::uint8_t>> document_bytes(const json& value, const std::string& name) {
    if (!value.is_string()) return fail(Errc::bad_request, "the field '" + name + "' must be a base64 string");
    // Room for what the job appends: the signature's update, its validation data, a document
    // time-stamp (as the raw form's body has, server/handler.hpp).
    constexpr std::size_t room = 256 * 1024;
    auto bytes = base64_decode(value.get_ref<const std::string&>(), room);
    if (!bytes) {
        return std::unexpected(Error{Errc::bad_request, "the field '" + name + "' is not valid base64: " +
                                                            bytes.error().message});
    }
    if (bytes->empty()) return fail(Errc::bad_request, "the field '" + name + "' is empty");
    return bytes;
}

// "document" (one) or "documents" (a batch of at most `max_batch`), base64, of a signature.
Status read_documents(const JsonFields& fields, unsigned max_batch, std::vector<std::vector<std::uint8_t>>& documents,
                      bool& batch) {
    if (fields.has("document") == fields.has("documents")) {
        return fail(Errc::bad_request, "give either 'document' or 'documents'");
    }
    if (fields.has("document")) {
        std::vector<std::uint8_t> document;
        SIGNET_TRY(document, document_bytes(fields.at("document"), "document"));
        documents.push_back(std::move(document));
        return {};
    }
    const json& list = fields.at("documents");
    if (!list.is_array() || list.empty() || list.size() > max_batch) {
        return fail(Errc::bad_request, "the field 'documents' must be an array of 1 to " + std::to_string(max_batch) +
                                           " base64 documents");
    }
    batch = true;
    for (std::size_t i = 0; i < list.size(); ++i) {
        std::vector<std::uint8_t> document;
        SIGNET_TRY(document, document_bytes(list[i], "documents[" + std::to_string(i) + "]"));
        documents.push_back(std::move(document));
    }
    return {};
}

}  // namespace

Result<pdf::Appearance> checked_appearance(std::int64_t page, const std::array<double, 4>& rect,
                                           std::string_view page_name, std::string_view rect_name) {
    if (page < 1 || page > 1000000) return fail(Errc::bad_request, std::string(page_name) + " must be a page number from 1");
    for (double number : rect) {
        if (!std::isfinite(number)) return fail(Errc::bad_request, std::string(rect_name) + " must hold four numbers");
    }
    if (rect[0] >= rect[2] || rect[1] >= rect[3]) {
        return fail(Errc::bad_request, std::string(rect_name) + " must have x1 < x2 and y1 < y2");
    }
    pdf::Appearance appearance;
    appearance.page = static_cast<int>(page);
    appearance.rect = rect;
    return appearance;
}

Result<config::SignatureLevel> parse_level(const std::string& text, std::string_view what) {
    if (auto level = config::parse_signature_level(text)) return *level;
    return fail(Errc::bad_request, std::string(what) + " must be \"B-B\", \"B-T\", \"B-LT\" or \"B-LTA\"");
}

namespace {

Result<std::optional<config::SignatureLevel>> level_field(const JsonFields& fields) {
    if (!fields.has("level")) return std::optional<config::SignatureLevel>{};
    std::string text;
    SIGNET_TRY(text, fields.text("level"));
    config::SignatureLevel level{};
    SIGNET_TRY(level, parse_level(text, "the field 'level'"));
    return std::optional<config::SignatureLevel>(level);
}

}  // namespace

bool valid_field_name(const std::string& name) {
    if (name.empty() || name.size() > 128 || !pdf::is_valid_utf8(name)) return false;
    return std::none_of(name.begin(), name.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == '.';
    });
}

Result<PrepareDocumentRequest> parse_prepare_request(std::string body) {
    auto fields = JsonFields::parse_and_free(std::move(body), {"tenant", "actor", "document", "fields"});
    if (!fields) return std::unexpected(fields.error());
    PrepareDocumentRequest request;
    SIGNET_TRY(request.tenant, fields->text("tenant"));
    SIGNET_TRY(request.actor, fields->text("actor"));
    if (!fields->has("document")) return fail(Errc::bad_request, "the field 'document' is missing");
    SIGNET_TRY(request.document, document_bytes(fields->at("document"), "document"));
    if (!fields->has("fields")) return fail(Errc::bad_request, "the field 'fields' is missing");
    const json& list = fields->at("fields");
    if (!list.is_array() || list.empty() || list.size() > max_prepared_fields) {
        return fail(Errc::bad_request, "the field 'fields' must be an array of 1 to " +
                                           std::to_string(max_prepared_fields) + " fields");
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string at = "fields[" + std::to_string(i) + "]";
        const json& item = list[i];
        if (!item.is_object()) return fail(Errc::bad_request, "the field '" + at + "' must be an object");
        for (const auto& [key, ignored] : item.items()) {
            if (key != "name" && key != "page" && key != "rect" && key != "signer") {
                return fail(Errc::bad_request, "the field '" + at + "." + key + "' is not part of the API");
            }
        }
        pdf::FieldRequest field;
        auto name = item.find("name");
        if (name == item.end() || !name->is_string() || !valid_field_name(name->get_ref<const std::string&>())) {
            return fail(Errc::bad_request, "the field '" + at + ".name' must be 1 to 128 printable characters, no '.'");
        }
        field.name = name->get<std::string>();
        auto page = item.find("page");
        if (page == item.end() || !page->is_number_integer() || page->get<std::int64_t>() < 1 ||
            page->get<std::int64_t>() > std::numeric_limits<int>::max()) {
            return fail(Errc::bad_request, "the field '" + at + ".page' must be a page number from 1");
        }
        field.page = static_cast<int>(page->get<std::int64_t>());
        auto rect = item.find("rect");
        if (rect == item.end() || !rect->is_array() || rect->size() != 4) {
            return fail(Errc::bad_request, "the field '" + at + ".rect' must be [x1, y1, x2, y2]");
        }
        for (std::size_t j = 0; j < 4; ++j) {
            if (!(*rect)[j].is_number() || !std::isfinite((*rect)[j].get<double>())) {
                return fail(Errc::bad_request, "the field '" + at + ".rect' must hold four numbers");
            }
            field.rect[j] = (*rect)[j].get<double>();
        }
        if (auto signer = item.find("signer"); signer != item.end()) {
            if (!signer->is_string() || signer->get_ref<const std::string&>().empty() ||
                signer->get_ref<const std::string&>().size() > 128 || !pdf::is_valid_utf8(signer->get<std::string>())) {
                return fail(Errc::bad_request, "the field '" + at + ".signer' must be a person's id");
            }
            field.signer = signer->get<std::string>();
        }
        request.fields.push_back(std::move(field));
    }
    return request;
}

Result<SealRequest> parse_seal_request(std::string body) {
    auto fields =
        JsonFields::parse_and_free(std::move(body), {"tenant", "actor", "document", "appearance", "approved_by", "level"});
    if (!fields) return std::unexpected(fields.error());
    SealRequest request;
    SIGNET_TRY(request.tenant, fields->text("tenant"));
    SIGNET_TRY(request.actor, fields->text("actor"));

    if (!fields->has("document")) return fail(Errc::bad_request, "the field 'document' is missing");
    SIGNET_TRY(request.document, document_bytes(fields->at("document"), "document"));

    if (fields->has("appearance")) SIGNET_TRY(request.appearance, parse_appearance(fields->at("appearance")));
    if (fields->has("approved_by")) SIGNET_TRY(request.approved_by, fields->text("approved_by"));
    SIGNET_TRY(request.level, level_field(*fields));
    return request;
}

Result<ExtendRequest> parse_extend_request(std::string body) {
    auto fields = JsonFields::parse_and_free(std::move(body), {"tenant", "document"});
    if (!fields) return std::unexpected(fields.error());
    ExtendRequest request;
    SIGNET_TRY(request.tenant, fields->text("tenant"));
    if (!fields->has("document")) return fail(Errc::bad_request, "the field 'document' is missing");
    SIGNET_TRY(request.document, document_bytes(fields->at("document"), "document"));
    return request;
}

Result<CosignRequest> parse_cosign_request(std::string body, unsigned max_batch) {
    auto fields = JsonFields::parse_and_free(std::move(body),
                                             {"tenant", "guest_id", "code", "document", "documents", "appearance", "level"});
    if (!fields) return std::unexpected(fields.error());
    CosignRequest request;
    SIGNET_TRY(request.tenant, fields->text("tenant"));
    SIGNET_TRY(request.guest_id, fields->text("guest_id"));
    // A missing code is the job's refusal, on record, as a signature's missing activation is.
    if (fields->has("code")) {
        const json& code = fields->at("code");
        if (!code.is_string() || code.get_ref<const std::string&>().size() > max_otp_bytes) {
            return fail(Errc::bad_request, "the field 'code' must be the guest's code (a string of 6 digits)");
        }
        request.code = code.get<std::string>();
    }
    SIGNET_CHECK(read_documents(*fields, max_batch, request.documents, request.batch));
    if (fields->has("appearance")) SIGNET_TRY(request.appearance, parse_appearance(fields->at("appearance")));
    SIGNET_TRY(request.level, level_field(*fields));
    return request;
}

Result<SignRequest> parse_sign_request(std::string body, unsigned max_batch) {
    auto fields =
        JsonFields::parse_and_free(std::move(body), {"tenant", "actor", "document", "documents", "appearance", "activation", "level"});
    if (!fields) return std::unexpected(fields.error());
    SignRequest request;
    SIGNET_TRY(request.tenant, fields->text("tenant"));
    SIGNET_TRY(request.actor, fields->text("actor"));
    SIGNET_CHECK(read_documents(*fields, max_batch, request.documents, request.batch));
    if (fields->has("appearance")) SIGNET_TRY(request.appearance, parse_appearance(fields->at("appearance")));
    SIGNET_TRY(request.level, level_field(*fields));
    if (!fields->has("activation")) return request;  // refused, and recorded, by the job
    const json& activation = fields->at("activation");
    if (!activation.is_object() || activation.size() != 1 || !activation.contains("otp") ||
        !activation["otp"].is_string() || activation["otp"].get_ref<const std::string&>().size() > max_otp_bytes) {
        return fail(Errc::bad_request, "the field 'activation' must be {\"otp\": \"<the code>\"}");
    }
    request.otp = activation["otp"].get<std::string>();
    return request;
}

std::string seal_response_body(const SealResult& result) {
    const SignedDocument& sealed = result.signed_document;
    const json members = {
        {"signature", signature_json(result.key_id, result.certificate_sha256, sealed, result.level)},
        {"audit_seq", sealed.audit_seq},
    };
    return dump_with_base64(members, "document", sealed.document);
}

}  // namespace signet::daemon
