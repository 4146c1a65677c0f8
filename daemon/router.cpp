#include "daemon/router.hpp"

#include <nlohmann/json.hpp>

#include "daemon/api_json.hpp"
#include "daemon/seal_job.hpp"

namespace signet::daemon {
namespace {

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
        case Errc::invalid_document:
        case Errc::invalid_certificate:
        case Errc::invalid_delegation: return http::status::unprocessable_entity;
        case Errc::unavailable: return http::status::service_unavailable;
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

bool role_is(const std::optional<ClientIdentity>& client, config::Role role) {
    return client && client->role && *client->role == role;
}

Response health(Services& services, const Request& request) {
    std::string database = "ok";
    {
        std::lock_guard lock(services.db_mutex);
        auto probe = services.db.execute("SELECT 1");
        if (!probe) database = "unavailable";
    }
    // A live key lookup, not a cached flag: health must turn when the token goes away.
    std::string hsm = services.token.public_key(services.seal_key.id) ? "ok" : "unavailable";
    std::string audit = database;  // the audit log lives in the database for now
    bool ready = database == "ok" && hsm == "ok";
    nlohmann::json body = {{"status", ready ? "ok" : "degraded"},
                           {"hsm", hsm},
                           {"database", database},
                           {"audit", audit}};
    return json_response(ready ? http::status::ok : http::status::service_unavailable,
                         body.dump(), request.version(), request.keep_alive());
}

void seal(Services& services, const ClientIdentity& client, Request&& request, Completion done) {
    unsigned version = request.version();
    bool keep_alive = request.keep_alive();
    auto body = std::make_shared<std::string>(std::move(request.body()));
    bool posted = services.pool.try_post([&services, client, body, version, keep_alive, done] {
        auto parsed = parse_seal_request(*body);
        body->clear();
        body->shrink_to_fit();
        if (!parsed) return done(error_response(parsed.error(), version, keep_alive));
        SealContext context{services.token, services.seal_key, services.db, services.db_mutex};
        auto result = run_seal_job(context, client, std::move(*parsed));
        if (!result) return done(error_response(result.error(), version, keep_alive));
        done(json_response(http::status::ok, seal_response_body(*result), version, keep_alive));
    });
    if (!posted) {
        Response busy = error_response(
            Error{Errc::unavailable, "signetd is busy with other jobs; retry shortly"}, version,
            keep_alive);
        busy.set(http::field::retry_after, "1");
        done(std::move(busy));
    }
}

}  // namespace

Response error_response(const Error& error, unsigned version, bool keep_alive) {
    return json_response(status_of(error.code), error_body(error), version, keep_alive);
}

void handle_request(Services& services, const std::optional<ClientIdentity>& client,
                    Request&& request, Completion done) {
    unsigned version = request.version();
    bool keep_alive = request.keep_alive();
    auto refuse = [&](Errc code, std::string message) {
        done(error_response(Error{code, std::move(message)}, version, keep_alive));
    };
    if (!client) return refuse(Errc::unauthenticated, "a client certificate is required");
    if (!client->role) {
        return refuse(Errc::unauthenticated,
                      "the client certificate is not mapped to any role on this signetd");
    }
    std::string_view target = request.target();
    if (target.find('?') != std::string_view::npos) target = target.substr(0, target.find('?'));

    if (target == "/v1/health") {
        if (request.method() != http::verb::get) return refuse(Errc::bad_request, "use GET for /v1/health");
        return done(health(services, request));
    }
    if (target == "/v1/seal") {
        if (request.method() != http::verb::post) return refuse(Errc::bad_request, "use POST for /v1/seal");
        if (!role_is(client, config::Role::platform)) {
            return refuse(Errc::forbidden, "only the platform role may submit seal jobs");
        }
        if (request[http::field::content_type].find("application/json") != 0) {
            return refuse(Errc::bad_request, "a seal request is JSON (Content-Type: application/json)");
        }
        return seal(services, *client, std::move(request), std::move(done));
    }
    refuse(Errc::not_found, "there is no " + std::string(target) + " in the API");
}

}  // namespace signet::daemon
