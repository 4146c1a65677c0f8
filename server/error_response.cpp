#include "server/error_response.hpp"

#include <nlohmann/json.hpp>

#include "telemetry/metrics.hpp"

namespace signet::daemon {

namespace http = boost::beast::http;
using Response = http::response<http::string_body>;

std::string error_body(const Error& error) {
    return nlohmann::json{{"error", std::string(to_string(error.code))}, {"message", error.message}}.dump();
}

http::status status_of(Errc code) {
    switch (code) {
        case Errc::bad_request: return http::status::bad_request;
        case Errc::unauthenticated: return http::status::unauthorized;
        case Errc::forbidden:
        case Errc::approval_required:
        case Errc::activation_failed: return http::status::forbidden;
        case Errc::not_found: return http::status::not_found;
        case Errc::conflict: return http::status::conflict;
        case Errc::too_large: return http::status::payload_too_large;
        case Errc::unsupported_media_type: return http::status::unsupported_media_type;
        case Errc::invalid_document:
        case Errc::invalid_certificate:
        case Errc::invalid_delegation: return http::status::unprocessable_entity;
        case Errc::unavailable:
        case Errc::certificate_revoked: return http::status::service_unavailable;
        case Errc::invalid_config:
        case Errc::internal: return http::status::internal_server_error;
    }
    return http::status::internal_server_error;
}

Response json_response(http::status status, std::string body, unsigned version, bool keep_alive) {
    Response response{status, version};
    response.set(http::field::content_type, "application/json");
    response.set(http::field::cache_control, "no-store");
    response.keep_alive(keep_alive);
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

Response error_response(const Error& error, unsigned version, bool keep_alive) {
    metrics().refusal(error.code);
    return json_response(status_of(error.code), error_body(error), version, keep_alive);
}

}  // namespace signet::daemon
