#include "api/router.hpp"

#include <cctype>
#include <charconv>

#include "api/routes.hpp"
#include "keys/key_inventory.hpp"
#include "telemetry/log.hpp"

namespace signet::daemon {

bool role_is(const std::optional<config::ClientIdentity>& client, config::Role role) {
    return client && client->role && *client->role == role;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// "Application/PDF; x=y" → "application/pdf": type and subtype are case-insensitive and
// parameters follow a ';' (RFC 9110 §8.3.1).
std::string media_type(std::string_view value) {
    value = value.substr(0, value.find(';'));
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    std::string lower(value);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower;
}

std::string_view document_job(const http::request_header<>& header) {
    const std::string_view path = path_of(header.target());
    if (path == "/v1/seal") return "seal";
    if (path == "/v1/sign") return "signature";
    if (path == "/v1/extend") return "extension";
    if (path == "/v1/cosign") return "co-signature";
    return "";
}

// Runs `work` on the job pool (it may block on the database or the HSM) and answers with its
// reply; a full queue is answered at once with 503 and Retry-After.
void on_pool(Services& services, unsigned version, bool keep_alive, Completion done,
             std::function<Reply()> work) {
    bool posted = services.pool.try_post([work = std::move(work), done, version, keep_alive] {
        Reply response;
        try {
            response = work();
        } catch (const std::exception& error) {
            // A library that throws (an allocation, a container) must still leave the client
            // with an answer, and the process with its other jobs.
            log_error(std::string("a request failed with an exception: ") + error.what());
            response = error_response(Error{Errc::internal, "the request failed inside signetd"}, version, keep_alive);
        }
        done(std::move(response));
    });
    if (!posted) {
        Response busy = error_response(
            Error{Errc::unavailable, "signetd is busy with other jobs; retry shortly"}, version,
            keep_alive);
        busy.set(http::field::retry_after, "1");
        done(std::move(busy));
    }
}

std::optional<std::int64_t> positive_id(const std::string& text) {
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
    return id;
}

// Runs a route's handler on the pool and answers with its JSON reply.
void answer(Services& services, unsigned version, bool keep_alive, Completion done,
            std::function<Result<JsonReply>()> handler) {
    on_pool(services, version, keep_alive, std::move(done), [handler = std::move(handler), version, keep_alive] {
        auto reply = handler();
        if (!reply) return error_response(reply.error(), version, keep_alive);
        return json_response(static_cast<http::status>(reply->status), reply->body.dump(), version, keep_alive);
    });
}

namespace {

// A route of the table, its caller authenticated: the role checks, body checks and work of
// each route. The switch has no default: a route added to the table without its case here does
// not compile (-Wswitch, warnings are errors).
void dispatch(Services& services, const config::ClientIdentity& client, const ApiRoute& route,
              const std::vector<std::string>& parameters, Request&& request, Completion done) {
    const unsigned version = request.version();
    const bool keep_alive = request.keep_alive();
    auto refuse = [&](Errc code, std::string message) {
        done(error_response(Error{code, std::move(message)}, version, keep_alive));
    };
    const bool has_body = request.method() == http::verb::post || request.method() == http::verb::put ||
                          request.method() == http::verb::patch;
    const bool json_body = request[http::field::content_type].find("application/json") == 0;
    const bool empty_body = request.body().empty();
    auto unserved = [&] {
        log_error("the route table names " + std::string(route.path) + ", which its group of routes does not serve");
        refuse(Errc::internal, "the request failed inside signetd");
    };
    switch (route.id) {
        case RouteId::health:
            return done(health_page(services, request));
        case RouteId::metrics:
            return done(metrics_page(services, request));
        case RouteId::seal:
        case RouteId::sign:
        case RouteId::cosign:
        case RouteId::extend: {
            if (auto allowed = check_job_client(client, request); !allowed) {
                return refuse(allowed.error().code, allowed.error().message);
            }
            // No 415: the contract's error model has no such code, and a wrong content type is a
            // malformed request like the others (docs/api.md).
            if (media_type(request[http::field::content_type]) != "application/json") {
                return refuse(Errc::bad_request, "a " + std::string(document_job(request)) +
                                                     " request is JSON (Content-Type: application/json) or a raw "
                                                     "PDF (Content-Type: application/pdf)");
            }
            auto handler = route.id == RouteId::seal     ? seal_json
                           : route.id == RouteId::sign   ? sign_json
                           : route.id == RouteId::cosign ? cosign_json
                                                         : extend_json;
            return handler(services, client, std::move(request), std::move(done));
        }
        case RouteId::timestamp:
            if (!role_is(client, config::Role::platform)) {
                return refuse(Errc::forbidden, "only the platform role may ask for time-stamps");
            }
            return timestamp_query(services, client, std::move(request), std::move(done));
        case RouteId::prepare:
            if (!role_is(client, config::Role::platform)) return refuse(Errc::forbidden, "only the platform role prepares documents");
            if (media_type(request[http::field::content_type]) != "application/json") {
                return refuse(Errc::bad_request, "a prepare request is JSON (Content-Type: application/json)");
            }
            return prepare_json(services, client, std::move(request), std::move(done));
        case RouteId::audit_list:
        case RouteId::audit_export:
        case RouteId::audit_usage:
            return audit_route(services, client, route.id, std::move(request), std::move(done));
        case RouteId::keys_list:
            if (!role_is(client, config::Role::officer) && !role_is(client, config::Role::auditor)) {
                return refuse(Errc::forbidden, "only officers and auditors read the key inventory");
            }
            return on_pool(services, version, keep_alive, done, [&services, version, keep_alive] {
                auto reply = list_keys(services.db, services.db_mutex, services.config.hsm.token);
                if (!reply) return error_response(reply.error(), version, keep_alive);
                return json_response(http::status::ok, reply->body.dump(), version, keep_alive);
            });
        case RouteId::key_generate:
        case RouteId::key_certificate:
        case RouteId::key_activate:
        case RouteId::key_retire:
        case RouteId::key_destroy:
        case RouteId::approvals_list:
        case RouteId::approval_approve: {
            auto handler = officer_route(services, client, route.id, parameters, request.body());
            if (!handler) return unserved();
            if (!role_is(client, config::Role::officer)) {
                return refuse(Errc::forbidden, "only security officers manage keys and approvals");
            }
            // Action endpoints (activate, approve, ...) take no body; the others take JSON.
            if (has_body && !empty_body && !json_body) {
                return refuse(Errc::bad_request, "the request body is JSON (Content-Type: application/json)");
            }
            return answer(services, version, keep_alive, std::move(done), std::move(*handler));
        }
        case RouteId::person_status:
        case RouteId::person_key:
        case RouteId::person_certificate:
        case RouteId::person_otp:
        case RouteId::person_otp_reset: {
            config::Role person_role = config::Role::platform;
            auto handler = person_route(services, client, route.id, parameters, request.body(), person_role);
            if (!handler) return unserved();
            if (!role_is(client, person_role)) {
                return refuse(Errc::forbidden, person_role == config::Role::officer
                                                   ? "only security officers see and reset a person's authenticator"
                                                   : "only the platform role enrols persons");
            }
            if (has_body && !empty_body && !json_body) {
                return refuse(Errc::bad_request, "the request body is JSON (Content-Type: application/json)");
            }
            return answer(services, version, keep_alive, std::move(done), std::move(*handler));
        }
        case RouteId::logo_put:
        case RouteId::logo_get:
        case RouteId::logo_delete:
            return logo_route(services, client, route.id, parameters.at(0), std::move(request), std::move(done));
        case RouteId::authorize:
        case RouteId::tenant_put:
        case RouteId::member_put:
        case RouteId::member_delete:
        case RouteId::delegation_grant:
        case RouteId::delegations_list:
        case RouteId::delegation_request:
        case RouteId::delegation_accept:
        case RouteId::delegation_patch:
        case RouteId::guest_invite: {
            auto handler = register_route(services, client, route.id, parameters, std::move(request.body()));
            if (!handler) return unserved();
            if (!role_is(client, config::Role::platform)) {
                return refuse(Errc::forbidden, "only the platform role manages the delegation register");
            }
            if (has_body && !json_body) {
                return refuse(Errc::bad_request, "the request body is JSON (Content-Type: application/json)");
            }
            return answer(services, version, keep_alive, std::move(done), std::move(*handler));
        }
    }
    // Only a value outside the enumeration (a corrupted id) gets here.
    unserved();
}

}  // namespace

void handle_request(Services& services, const std::optional<config::ClientIdentity>& client,
                    Request&& request, Completion done) {
    const unsigned version = request.version();
    const bool keep_alive = request.keep_alive();
    auto refuse = [&](Errc code, std::string message) {
        done(error_response(Error{code, std::move(message)}, version, keep_alive));
    };
    if (!client) return refuse(Errc::unauthenticated, "a client certificate is required");
    if (!client->role) {
        return refuse(Errc::unauthenticated,
                      "the client certificate is not mapped to any role on this signetd");
    }
    const std::string_view target = path_of(request.target());
    // Before the table: a load balancer's certificate learns nothing of the other paths, not
    // even which exist.
    if (role_is(client, config::Role::monitor) && target != "/v1/health" && target != "/metrics") {
        return refuse(Errc::forbidden, "the monitor role (a load balancer's health checks) reads /v1/health and "
                                       "/metrics only");
    }
    RouteMatch match = match_route(request.method(), target);
    if (!match.route) {
        if (const std::string_view wrong = wrong_method_message(match.path_template); !wrong.empty()) {
            return refuse(Errc::bad_request, std::string(wrong));
        }
        return refuse(Errc::not_found,
                      "there is no " + std::string(request.method_string()) + " " + std::string(target) + " in the API");
    }
    dispatch(services, *client, *match.route, match.parameters, std::move(request), std::move(done));
}

}  // namespace signet::daemon
