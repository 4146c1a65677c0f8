#include "api/raw_request.hpp"

#include <array>
#include <charconv>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/api_json.hpp"
#include "json/json_fields.hpp"
#include "api/query.hpp"

namespace signet::daemon {
namespace {

namespace http = boost::beast::http;

std::string parameter(std::string_view name) {
    return "the query parameter '" + std::string(name) + "'";
}

// A tenant, actor or approver: the JSON form's rule for identifiers (json_fields.hpp).
Result<std::optional<std::string>> text(const Query& query, std::string_view name) {
    auto found = query.find(name);
    if (found == query.end()) return std::optional<std::string>{};
    SIGNET_CHECK(check_text(found->second, parameter(name)));
    return std::optional<std::string>(found->second);
}

Result<std::string> required_text(const Query& query, std::string_view name) {
    std::optional<std::string> value;
    SIGNET_TRY(value, text(query, name));
    if (!value) return fail(Errc::bad_request, parameter(name) + " is missing");
    return std::move(*value);
}

// The whole of `text` as one number (std::from_chars: no sign but '-', no spaces, no locale).
template <class Number>
std::optional<Number> number_of(std::string_view text) {
    Number value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

Result<std::optional<config::SignatureLevel>> level(const Query& query) {
    auto found = query.find("level");
    if (found == query.end()) return std::optional<config::SignatureLevel>{};
    config::SignatureLevel parsed{};
    SIGNET_TRY(parsed, parse_level(found->second, parameter("level")));
    return std::optional<config::SignatureLevel>(parsed);
}

// <prefix>-Gen-Time, -Serial and -Tsa. A header value is ASCII: the TSA's name has its other
// bytes percent-encoded.
void set_timestamp_headers(PdfResponse& response, const std::string& prefix, const Stamp& stamp) {
    const auto& info = stamp.info;
    std::string tsa;
    for (unsigned char c : info.tsa) {
        if (c < 0x20 || c >= 0x7f || c == '%') {
            static constexpr char digits[] = "0123456789ABCDEF";
            tsa += '%';
            tsa += digits[c >> 4];
            tsa += digits[c & 0xf];
        } else {
            tsa += static_cast<char>(c);
        }
    }
    response.set(prefix + "-Gen-Time", info.gen_time_text);
    response.set(prefix + "-Serial", info.serial_hex);
    response.set(prefix + "-Tsa", tsa);
}

// Signet-Level; from B-T on, Signet-Timestamp-Gen-Time, -Serial and -Tsa; from B-LT on,
// Signet-Revocation-After-Timestamp (the notes are in the JSON answer only); for B-LTA,
// Signet-Document-Timestamp-Gen-Time, -Serial and -Tsa.
void set_signature_headers(PdfResponse& response, const SignedDocument& document, config::SignatureLevel level) {
    response.set("Signet-Level", std::string(config::to_string(level)));
    if (document.timestamp) set_timestamp_headers(response, "Signet-Timestamp", *document.timestamp);
    if (document.validation_data) {
        response.set("Signet-Revocation-After-Timestamp", document.validation_data->after_timestamp ? "true" : "false");
    }
    if (document.document_timestamp) {
        set_timestamp_headers(response, "Signet-Document-Timestamp", *document.document_timestamp);
    }
}

// page=N&rect=x1,y1,x2,y2, both or neither; the numbers then meet the JSON form's rules.
Result<std::optional<pdf::Appearance>> appearance(const Query& query) {
    auto page = query.find("page");
    auto rect = query.find("rect");
    if ((page == query.end()) != (rect == query.end())) {
        return fail(Errc::bad_request,
                    "a visible signature needs both the query parameters 'page' and 'rect'");
    }
    if (page == query.end()) return std::optional<pdf::Appearance>{};
    auto page_number = number_of<std::int64_t>(page->second);
    if (!page_number)
        return fail(Errc::bad_request, parameter("page") + " must be a page number from 1");
    std::array<double, 4> corners{};
    std::string_view rest = rect->second;
    for (std::size_t i = 0; i < corners.size(); ++i) {
        auto comma = rest.find(',');
        // Exactly four: the last number runs to the end, the others end at a comma.
        if ((i + 1 < corners.size()) == (comma == std::string_view::npos)) {
            return fail(Errc::bad_request, parameter("rect") + " must be four numbers x1,y1,x2,y2");
        }
        auto corner = number_of<double>(rest.substr(0, comma));
        if (!corner)
            return fail(Errc::bad_request, parameter("rect") + " must be four numbers x1,y1,x2,y2");
        corners[i] = *corner;
        rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    }
    pdf::Appearance checked;
    SIGNET_TRY(checked,
               checked_appearance(*page_number, corners, parameter("page"), parameter("rect")));
    return std::optional<pdf::Appearance>(std::move(checked));
}

Status check_document(const std::vector<std::uint8_t>& document) {
    if (document.empty())
        return fail(Errc::bad_request,
                    "the request body is empty: send the PDF document as the body");
    return {};
}

PdfResponse pdf_response(std::vector<std::uint8_t> document, unsigned version, bool keep_alive) {
    PdfResponse response{http::status::ok, version};
    response.set(http::field::content_type, "application/pdf");
    response.set(http::field::cache_control, "no-store");
    response.keep_alive(keep_alive);
    response.body() = std::move(document);
    response.prepare_payload();
    return response;
}

}  // namespace

Result<SealRequest> parse_raw_seal_request(std::string_view target,
                                           std::vector<std::uint8_t> document) {
    auto query = parse_query(target, {"tenant", "actor", "approved_by", "page", "rect", "level"});
    if (!query) return std::unexpected(query.error());
    SealRequest request;
    SIGNET_TRY(request.tenant, required_text(*query, "tenant"));
    SIGNET_TRY(request.actor, required_text(*query, "actor"));
    SIGNET_TRY(request.approved_by, text(*query, "approved_by"));
    SIGNET_TRY(request.appearance, appearance(*query));
    SIGNET_TRY(request.level, level(*query));
    SIGNET_CHECK(check_document(document));
    request.document = std::move(document);
    return request;
}

Result<SignRequest> parse_raw_sign_request(std::string_view target,
                                           std::vector<std::uint8_t> document) {
    auto query = parse_query(target, {"tenant", "actor", "otp", "page", "rect", "level"});
    if (!query) return std::unexpected(query.error());
    SignRequest request;
    SIGNET_TRY(request.tenant, required_text(*query, "tenant"));
    SIGNET_TRY(request.actor, required_text(*query, "actor"));
    SIGNET_TRY(request.appearance, appearance(*query));
    SIGNET_TRY(request.level, level(*query));
    if (auto otp = query->find("otp"); otp != query->end()) {
        if (otp->second.size() > max_otp_bytes) {
            return fail(Errc::bad_request,
                        parameter("otp") + " must be the signer's activation code");
        }
        request.otp = otp->second;
    }
    SIGNET_CHECK(check_document(document));
    request.documents.push_back(std::move(document));
    return request;
}

Result<CosignRequest> parse_raw_cosign_request(std::string_view target, std::vector<std::uint8_t> document) {
    auto query = parse_query(target, {"tenant", "guest_id", "code", "page", "rect", "level"});
    if (!query) return std::unexpected(query.error());
    CosignRequest request;
    SIGNET_TRY(request.tenant, required_text(*query, "tenant"));
    SIGNET_TRY(request.guest_id, required_text(*query, "guest_id"));
    SIGNET_TRY(request.appearance, appearance(*query));
    SIGNET_TRY(request.level, level(*query));
    if (auto code = query->find("code"); code != query->end()) {
        if (code->second.size() > max_otp_bytes) return fail(Errc::bad_request, parameter("code") + " must be the guest's code");
        request.code = code->second;
    }
    SIGNET_CHECK(check_document(document));
    request.documents.push_back(std::move(document));
    return request;
}

Result<ExtendRequest> parse_raw_extend_request(std::string_view target, std::vector<std::uint8_t> document) {
    auto query = parse_query(target, {"tenant"});
    if (!query) return std::unexpected(query.error());
    ExtendRequest request;
    SIGNET_TRY(request.tenant, required_text(*query, "tenant"));
    SIGNET_CHECK(check_document(document));
    request.document = std::move(document);
    return request;
}

PdfResponse extend_pdf_response(ExtendResult result, unsigned version, bool keep_alive) {
    const nlohmann::json signatures = signatures_json(result);
    PdfResponse response = pdf_response(std::move(result.document), version, keep_alive);
    response.set("Signet-Timestamps", std::to_string(result.timestamps));
    // ensure_ascii: a field name is the document's, and a header value is ASCII.
    response.set("Signet-Signatures", signatures.dump(-1, ' ', true));
    set_timestamp_headers(response, "Signet-Document-Timestamp", result.document_timestamp);
    return response;
}

PdfResponse seal_pdf_response(SealResult result, unsigned version, bool keep_alive) {
    SignedDocument& sealed = result.signed_document;
    PdfResponse response = pdf_response(std::move(sealed.document), version, keep_alive);
    response.set("Signet-Key-Id", result.key_id);
    response.set("Signet-Certificate-Sha256", result.certificate_sha256);
    response.set("Signet-Digest-Sha256", sealed.digest_sha256);
    response.set("Signet-Audit-Seq", std::to_string(sealed.audit_seq));
    set_signature_headers(response, sealed, result.level);
    return response;
}

PdfResponse sign_pdf_response(SignResult result, unsigned version, bool keep_alive) {
    SignedDocument& signed_document = result.documents.front();  // a raw request is one document
    PdfResponse response = pdf_response(std::move(signed_document.document), version, keep_alive);
    response.set("Signet-Key-Id", result.key_id);
    response.set("Signet-Certificate-Sha256", result.certificate_sha256);
    response.set("Signet-Digest-Sha256", signed_document.digest_sha256);
    response.set("Signet-Audit-Seq", std::to_string(signed_document.audit_seq));
    response.set("Signet-Activation-Seq", std::to_string(result.activation_seq));
    set_signature_headers(response, signed_document, result.level);
    return response;
}

PdfResponse cosign_pdf_response(JobResult result, const std::string& guest_id, unsigned version, bool keep_alive) {
    const std::string serial = result.certificate_serial;
    PdfResponse response = sign_pdf_response(std::move(result), version, keep_alive);
    response.set("Signet-Guest-Id", guest_id);
    response.set("Signet-Certificate-Serial", serial);
    return response;
}

}  // namespace signet::daemon
