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

// "/v1/tenants/c1/members" → {"v1", "tenants", "c1", "members"}.
std::vector<std::string> segments_of(std::string_view path) {
    std::vector<std::string> out;
    while (!path.empty()) {
        if (path.front() == '/') {
            path.remove_prefix(1);
            continue;
        }
        auto end = path.find('/');
        out.emplace_back(path.substr(0, end));
        path.remove_prefix(end == std::string_view::npos ? path.size() : end);
    }
    return out;
}

std::optional<std::int64_t> delegation_id(const std::string& text) {
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
    return id;
}

std::optional<std::int64_t> positive_id(const std::string& text) { return delegation_id(text); }

// Runs a route's handler on the pool and answers with its JSON reply.
void answer(Services& services, unsigned version, bool keep_alive, Completion done,
            std::function<Result<JsonReply>()> handler) {
    on_pool(services, version, keep_alive, std::move(done), [handler = std::move(handler), version, keep_alive] {
        auto reply = handler();
        if (!reply) return error_response(reply.error(), version, keep_alive);
        return json_response(static_cast<http::status>(reply->status), reply->body.dump(), version, keep_alive);
    });
}

void handle_request(Services& services, const std::optional<config::ClientIdentity>& client,
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
        return done(health_page(services, request));
    }
    if (role_is(client, config::Role::monitor) && target != "/metrics") {
        return refuse(Errc::forbidden, "the monitor role (a load balancer's health checks) reads /v1/health and "
                                       "/metrics only");
    }
    if (const std::string_view job = document_job(request); !job.empty()) {
        const std::string path(target);
        if (request.method() != http::verb::post) return refuse(Errc::bad_request, "use POST for " + path);
        if (auto allowed = check_job_client(client, request); !allowed) {
            return refuse(allowed.error().code, allowed.error().message);
        }
        // No 415: the contract's error model has no such code, and a wrong content type is a
        // malformed request like the others (docs/api.md).
        if (media_type(request[http::field::content_type]) != "application/json") {
            return refuse(Errc::bad_request, "a " + std::string(job) +
                                                 " request is JSON (Content-Type: application/json) or a raw "
                                                 "PDF (Content-Type: application/pdf)");
        }
        auto handler = job == "seal"           ? seal_json
                       : job == "signature"    ? sign_json
                       : job == "co-signature" ? cosign_json
                                               : extend_json;
        return handler(services, *client, std::move(request), std::move(done));
    }
    if (target == "/v1/timestamp") {
        if (request.method() != http::verb::post) return refuse(Errc::bad_request, "use POST for /v1/timestamp");
        if (!role_is(client, config::Role::platform)) {
            return refuse(Errc::forbidden, "only the platform role may ask for time-stamps");
        }
        return timestamp_query(services, *client, std::move(request), std::move(done));
    }
    if (target == "/v1/keys" && request.method() == http::verb::get) {
        if (!role_is(client, config::Role::officer) && !role_is(client, config::Role::auditor)) {
            return refuse(Errc::forbidden, "only officers and auditors read the key inventory");
        }
        return on_pool(services, version, keep_alive, done, [&services, version, keep_alive] {
            auto reply = list_keys(services.db, services.db_mutex, services.config.hsm.token);
            if (!reply) return error_response(reply.error(), version, keep_alive);
            return json_response(http::status::ok, reply->body.dump(), version, keep_alive);
        });
    }
    if (target == "/metrics") {
        if (request.method() != http::verb::get) return refuse(Errc::bad_request, "use GET for /metrics");
        return done(metrics_page(services, request));
    }
    if (target == "/v1/audit" || target == "/v1/audit/export" || target == "/v1/audit/usage") {
        return audit_route(services, *client, std::move(request), std::move(done));
    }
    if (target == "/v1/prepare") {
        if (request.method() != http::verb::post) return refuse(Errc::bad_request, "use POST for /v1/prepare");
        if (!role_is(client, config::Role::platform)) return refuse(Errc::forbidden, "only the platform role prepares documents");
        if (media_type(request[http::field::content_type]) != "application/json") {
            return refuse(Errc::bad_request, "a prepare request is JSON (Content-Type: application/json)");
        }
        return prepare_json(services, *client, std::move(request), std::move(done));
    }
    auto path = segments_of(target);
    if (path.size() == 4 && path[0] == "v1" && path[1] == "tenants" && path[3] == "logo") {
        return logo_route(services, *client, path[2], std::move(request), std::move(done));
    }
    const bool has_body = request.method() == http::verb::post || request.method() == http::verb::put ||
                          request.method() == http::verb::patch;
    const bool json_body = request[http::field::content_type].find("application/json") == 0;
    const bool empty_body = request.body().empty();
    const std::string method(request.method_string());
    if (path.empty() || path[0] != "v1") return refuse(Errc::not_found, "there is no " + method + " " + std::string(target) + " in the API");
    if (auto handler = officer_route(services, *client, path, request.method(), request.body())) {
        if (!role_is(client, config::Role::officer)) {
            return refuse(Errc::forbidden, "only security officers manage keys and approvals");
        }
        // Action endpoints (activate, approve, ...) take no body; the others take JSON.
        if (has_body && !empty_body && !json_body) {
            return refuse(Errc::bad_request, "the request body is JSON (Content-Type: application/json)");
        }
        return answer(services, version, keep_alive, std::move(done), std::move(*handler));
    }
    config::Role person_role = config::Role::platform;
    if (auto handler = person_route(services, *client, path, request.method(), request.body(), person_role)) {
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
    auto handler = register_route(services, *client, path, request.method(), std::move(request.body()));
    if (!handler) return refuse(Errc::not_found, "there is no " + method + " " + std::string(target) + " in the API");
    if (!role_is(client, config::Role::platform)) {
        return refuse(Errc::forbidden, "only the platform role manages the delegation register");
    }
    if (has_body && !json_body) {
        return refuse(Errc::bad_request, "the request body is JSON (Content-Type: application/json)");
    }
    answer(services, version, keep_alive, std::move(done), std::move(*handler));
}

}  // namespace signet::daemon
