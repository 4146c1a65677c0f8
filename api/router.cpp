#include "api/router.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <charconv>

#include "api/api_json.hpp"
#include "api/audit_routes.hpp"
#include "keys/key_admin.hpp"
#include "keys/key_expiry.hpp"
#include "keys/key_inventory.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"
#include "persons/enrolment.hpp"
#include "register/register_requests.hpp"
#include "jobs/seal_job.hpp"

namespace signet::daemon {
namespace {

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

bool sealing(const http::request_header<>& header) { return path_of(header.target()) == "/v1/seal"; }

std::vector<KeyExpiry> active_key_expiries(const Services& services) {
    return key_expiries({services.seal_key.get(), services.audit_key.get()}, services.clock.now(),
                        services.config.keys.expiry_warning);
}

Response metrics_page(const Services& services, const Request& request) {
    Response response{http::status::ok, request.version()};
    response.set(http::field::content_type, "text/plain; version=0.0.4");
    response.set(http::field::cache_control, "no-store");
    response.keep_alive(request.keep_alive());
    std::string body = metrics().render() + expiry_metrics(active_key_expiries(services));
    body += "# HELP signet_pdf_worker_restarts_total PDF workers replaced after a crash, a hang or a limit.\n"
            "# TYPE signet_pdf_worker_restarts_total counter\n"
            "signet_pdf_worker_restarts_total " + std::to_string(services.pdf_workers.restarts()) + "\n";
    body += "# HELP signet_pdf_worker_peak_rss_bytes The largest resident set of any PDF worker so far, as the kernel counted it.\n"
            "# TYPE signet_pdf_worker_peak_rss_bytes gauge\n"
            "signet_pdf_worker_peak_rss_bytes " + std::to_string(services.pdf_workers.peak_worker_rss_bytes()) + "\n";
    body += "# HELP signet_hsm_up 1 while the token serves, 0 while it is degraded or its PIN is refused.\n"
            "# TYPE signet_hsm_up gauge\n"
            "signet_hsm_up " + std::string(services.token.health().health == hsm::TokenHealth::ok ? "1" : "0") + "\n";
    body += "# HELP signet_jobs_in_flight Jobs waiting for or running on the job pool.\n"
            "# TYPE signet_jobs_in_flight gauge\n"
            "signet_jobs_in_flight " + std::to_string(services.pool.in_flight()) + "\n";
    if (auto audit = services.trail.state()) {
        auto age = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                    audit->last_checkpoint);
        body += "# HELP signet_audit_entries Entries in the key-usage log.\n"
                "# TYPE signet_audit_entries gauge\n"
                "signet_audit_entries " + std::to_string(audit->entries) + "\n"
                "# HELP signet_audit_unanchored_entries Entries no signed checkpoint covers yet.\n"
                "# TYPE signet_audit_unanchored_entries gauge\n"
                "signet_audit_unanchored_entries " + std::to_string(audit->entries - audit->anchored) + "\n"
                "# HELP signet_audit_checkpoint_age_seconds Since this signetd's last checkpoint (or its start).\n"
                "# TYPE signet_audit_checkpoint_age_seconds gauge\n"
                "signet_audit_checkpoint_age_seconds " + std::to_string(age.count()) + "\n";
    }
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

Response health(Services& services, const Request& request) {
    std::string database = "ok";
    std::string audit = "ok";
    {
        std::lock_guard lock(services.db_mutex);
        if (!services.db.execute("SELECT 1")) database = "unavailable";
        // The audit log is ready when an entry could be written now: a locked, read-only or
        // full database fails this even though it still answers reads.
        if (!services.db.probe_writable(std::chrono::milliseconds(200))) audit = "unavailable";
    }
    // The token's own account: a failed operation turns it, and its recovery turns it back
    // (hsm/token.hpp). No PKCS#11 call here, so health answers even while the module hangs.
    const hsm::TokenState token = services.token.health();
    const std::string hsm(hsm::to_string(token.health));
    bool ready = database == "ok" && hsm == "ok" && audit == "ok";
    nlohmann::json body = {{"status", ready ? "ok" : "degraded"},
                           {"hsm", hsm},
                           {"database", database},
                           {"audit", audit},
                           {"certificates", expiry_json(active_key_expiries(services))}};
    if (token.health != hsm::TokenHealth::ok) {
        body["hsm_error"] = token.error;
        body["hsm_since"] = signet::format_timestamp(std::chrono::floor<std::chrono::seconds>(token.since));
    }
    return json_response(ready ? http::status::ok : http::status::service_unavailable,
                         body.dump(), request.version(), request.keep_alive());
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

// The seal job of a parsed request, JSON or raw.
Result<SealResult> run_seal(Services& services, const config::ClientIdentity& client, SealRequest request) {
    // The key of this job from start to end, even if an officer activates its successor
    // meanwhile.
    const auto seal_key = services.seal_key.get();
    SealContext context{services.token, *seal_key, services.trail, services.db,
                        services.db_mutex, services.matrix, services.clock,
                        services.config.keys.min_remaining_validity, services.pdf_workers};
    auto result = run_seal_job(context, client, std::move(request));
    metrics().job("seal", result ? "done" : to_string(result.error().code));
    return result;
}

// The signature job of a parsed request, JSON or raw.
Result<SignResult> run_sign(Services& services, const config::ClientIdentity& client, SignRequest request) {
    OfficerContext keys{services.db, services.db_mutex, services.token, services.clock, services.config.keys,
                        services.seal_key, services.audit_key, client};
    SignContext context{keys, services.trail, services.matrix, services.config.signing, services.personal_keys,
                        services.pdf_workers};
    auto result = run_sign_job(context, std::move(request));
    metrics().job("sign", result ? "done" : to_string(result.error().code));
    return result;
}

void seal(Services& services, const config::ClientIdentity& client, Request&& request, Completion done) {
    unsigned version = request.version();
    bool keep_alive = request.keep_alive();
    auto body = std::make_shared<std::string>(std::move(request.body()));
    on_pool(services, version, keep_alive, done, [&services, client, body, version, keep_alive] {
        auto parsed = parse_seal_request(*body);
        body->clear();
        body->shrink_to_fit();
        if (!parsed) return error_response(parsed.error(), version, keep_alive);
        auto result = run_seal(services, client, std::move(*parsed));
        if (!result) return error_response(result.error(), version, keep_alive);
        return json_response(http::status::ok, seal_response_body(*result), version, keep_alive);
    });
}

void sign(Services& services, const config::ClientIdentity& client, Request&& request, Completion done) {
    unsigned version = request.version();
    bool keep_alive = request.keep_alive();
    auto body = std::make_shared<std::string>(std::move(request.body()));
    on_pool(services, version, keep_alive, done, [&services, client, body, version, keep_alive] {
        auto parsed = parse_sign_request(*body, services.config.signing.max_batch_documents);
        body->clear();
        body->shrink_to_fit();
        if (!parsed) return error_response(parsed.error(), version, keep_alive);
        const bool batch = parsed->batch;
        auto result = run_sign(services, client, std::move(*parsed));
        if (!result) return error_response(result.error(), version, keep_alive);
        return json_response(http::status::ok, sign_response_body(batch, *result), version, keep_alive);
    });
}

// The auditors' endpoints; usage is for billing, so the platform may read it too.
void audit(Services& services, const config::ClientIdentity& client, Request&& request, Completion done) {
    unsigned version = request.version();
    bool keep_alive = request.keep_alive();
    std::string target(request.target());
    std::string path = target.substr(0, target.find('?'));
    bool usage = path == "/v1/audit/usage";
    if (request.method() != http::verb::get) {
        return done(error_response(Error{Errc::bad_request, "use GET for " + path}, version, keep_alive));
    }
    if (!role_is(client, config::Role::auditor) && !(usage && role_is(client, config::Role::platform))) {
        return done(error_response(
            Error{Errc::forbidden, usage ? "only the auditor and platform roles read usage"
                                         : "only the auditor role reads the audit log"},
            version, keep_alive));
    }
    on_pool(services, version, keep_alive, done, [&services, target, path, version, keep_alive] {
        AuditContext context{services.db, services.db_mutex, services.clock};
        if (path == "/v1/audit/export") {
            auto text = export_audit(context);
            if (!text) return error_response(text.error(), version, keep_alive);
            Response response{http::status::ok, version};
            response.set(http::field::content_type, "application/x-ndjson");
            response.set(http::field::cache_control, "no-store");
            response.keep_alive(keep_alive);
            response.body() = std::move(*text);
            response.prepare_payload();
            return response;
        }
        auto reply = path == "/v1/audit" ? list_audit(context, target) : audit_usage(context, target);
        if (!reply) return error_response(reply.error(), version, keep_alive);
        return json_response(static_cast<http::status>(reply->status), reply->body.dump(), version, keep_alive);
    });
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

// The delegation register's routes (all for the platform role); nullopt when `path` is none
// of them.
std::optional<std::function<Result<JsonReply>()>> register_route(Services& services,
                                                                 const config::ClientIdentity& client,
                                                                 const std::vector<std::string>& path,
                                                                 http::verb method, std::string body) {
    RegisterContext context{services.db, services.db_mutex, services.matrix, services.clock,
                            client.fingerprint, std::string(config::to_string(*client.role))};
    auto route = [&](auto handler) -> std::optional<std::function<Result<JsonReply>()>> {
        return std::function<Result<JsonReply>()>(
            [context, handler, body = std::move(body)] { return handler(context, body); });
    };
    const std::size_t n = path.size();
    if (n == 2 && path[1] == "authorize" && method == http::verb::post) {
        return route([](const RegisterContext& c, const std::string& b) { return authorize(c, b); });
    }
    if (n >= 3 && path[1] == "tenants") {
        std::string tenant = path[2];
        if (n == 3 && method == http::verb::put) {
            return route([tenant](const RegisterContext& c, const std::string& b) { return put_tenant(c, tenant, b); });
        }
        if (n == 5 && path[3] == "members") {
            std::string person = path[4];
            if (method == http::verb::put) {
                return route([tenant, person](const RegisterContext& c, const std::string& b) {
                    return put_member(c, tenant, person, b);
                });
            }
            if (method == http::verb::delete_) {
                return route([tenant, person](const RegisterContext& c, const std::string&) {
                    return remove_member(c, tenant, person);
                });
            }
        }
        if (n == 4 && path[3] == "delegations" && method == http::verb::post) {
            return route([tenant](const RegisterContext& c, const std::string& b) { return grant_delegation(c, tenant, b); });
        }
        if (n == 4 && path[3] == "delegations" && method == http::verb::get) {
            return route([tenant](const RegisterContext& c, const std::string&) { return list_delegations(c, tenant); });
        }
        if (n == 4 && path[3] == "delegation-requests" && method == http::verb::post) {
            return route([tenant](const RegisterContext& c, const std::string& b) { return request_delegation(c, tenant, b); });
        }
    }
    if ((n == 3 || n == 4) && path[1] == "delegations") {
        auto id = delegation_id(path[2]);
        if (!id) {
            return route([](const RegisterContext&, const std::string&) -> Result<JsonReply> {
                return fail(Errc::not_found, "a delegation id is a positive number");
            });
        }
        if (n == 4 && path[3] == "accept" && method == http::verb::post) {
            return route([id = *id](const RegisterContext& c, const std::string& b) { return accept_delegation(c, id, b); });
        }
        if (n == 3 && method == http::verb::patch) {
            return route([id = *id](const RegisterContext& c, const std::string& b) { return patch_delegation(c, id, b); });
        }
    }
    return std::nullopt;
}

std::optional<std::int64_t> positive_id(const std::string& text) { return delegation_id(text); }

// The security officers' routes (keys and approvals); nullopt when `path` is none of them.
std::optional<std::function<Result<JsonReply>()>> officer_route(Services& services, const config::ClientIdentity& client,
                                                                const std::vector<std::string>& path,
                                                                http::verb method, std::string body) {
    OfficerContext context{services.db, services.db_mutex, services.token, services.clock, services.config.keys,
                           services.seal_key, services.audit_key, client};
    using Handler = std::function<Result<JsonReply>(const OfficerContext&, const std::string&)>;
    auto route = [&](Handler handler) -> std::optional<std::function<Result<JsonReply>()>> {
        return std::function<Result<JsonReply>()>(
            [context, handler = std::move(handler), body = std::move(body)] { return handler(context, body); });
    };
    const std::size_t n = path.size();
    if (n == 2 && path[1] == "keys" && method == http::verb::post) {
        return route([](const OfficerContext& c, const std::string& b) { return generate_key(c, b); });
    }
    if (n == 2 && path[1] == "approvals" && method == http::verb::get) {
        return route([](const OfficerContext& c, const std::string&) { return list_approvals(c); });
    }
    if (n == 4 && path[1] == "keys") {
        std::string key = path[2];
        if (path[3] == "certificate" && method == http::verb::put) {
            return route([key](const OfficerContext& c, const std::string& b) { return import_key_certificate(c, key, b); });
        }
        for (auto change : {policy::KeyChange::activate, policy::KeyChange::retire, policy::KeyChange::destroy}) {
            const std::string_view verb = change == policy::KeyChange::activate ? "activate"
                                          : change == policy::KeyChange::retire ? "retire"
                                                                                : "destroy";
            if (path[3] == verb && method == http::verb::post) {
                return route([key, change](const OfficerContext& c, const std::string&) {
                    return request_key_change(c, key, change);
                });
            }
        }
    }
    if (n == 4 && path[1] == "approvals" && path[3] == "approve" && method == http::verb::post) {
        auto id = positive_id(path[2]);
        if (!id) {
            return route([](const OfficerContext&, const std::string&) -> Result<JsonReply> {
                return fail(Errc::not_found, "an approval id is a positive number");
            });
        }
        return route([id = *id](const OfficerContext& c, const std::string&) { return approve_key_change(c, id); });
    }
    return std::nullopt;
}

// The persons' routes: enrolment for the platform, state and authenticator reset for officers.
// nullopt when `path` is none of them; `role` is set to the role the route needs.
std::optional<std::function<Result<JsonReply>()>> person_route(Services& services, const config::ClientIdentity& client,
                                                               const std::vector<std::string>& path,
                                                               http::verb method, std::string body,
                                                               config::Role& role) {
    if (path.size() < 3 || path.size() > 5 || path[1] != "persons") return std::nullopt;
    OfficerContext context{services.db, services.db_mutex, services.token, services.clock, services.config.keys,
                           services.seal_key, services.audit_key, client};
    const config::Signing& signing = services.config.signing;
    const std::string person = path[2];
    using Handler = std::function<Result<JsonReply>()>;
    auto route = [&](config::Role needed, auto work) -> std::optional<Handler> {
        role = needed;
        return Handler([context, work, body = std::move(body)] { return work(context, body); });
    };
    const std::size_t n = path.size();
    if (n == 3 && method == http::verb::get) {
        return route(config::Role::officer, [person](const OfficerContext& c, const std::string&) {
            return person_status(c, person);
        });
    }
    if (n == 4 && path[3] == "key" && method == http::verb::post) {
        return route(config::Role::platform, [person](const OfficerContext& c, const std::string& b) {
            return enrol_person_key(c, person, b);
        });
    }
    if (n == 4 && path[3] == "certificate" && method == http::verb::put) {
        return route(config::Role::platform, [person](const OfficerContext& c, const std::string& b) {
            return import_person_certificate(c, person, b);
        });
    }
    if (n == 4 && path[3] == "otp" && method == http::verb::post) {
        return route(config::Role::platform, [person, &signing](const OfficerContext& c, const std::string& b) {
            return enrol_otp(c, signing, person, b);
        });
    }
    if (n == 5 && path[3] == "otp" && path[4] == "reset" && method == http::verb::post) {
        return route(config::Role::officer, [person](const OfficerContext& c, const std::string&) {
            return reset_otp(c, person);
        });
    }
    return std::nullopt;
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

}  // namespace

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
        return done(health(services, request));
    }
    if (target == "/v1/seal" || target == "/v1/sign") {
        const std::string path(target);
        if (request.method() != http::verb::post) return refuse(Errc::bad_request, "use POST for " + path);
        if (auto allowed = check_job_client(client, request); !allowed) {
            return refuse(allowed.error().code, allowed.error().message);
        }
        // No 415: the contract's error model has no such code, and a wrong content type is a
        // malformed request like the others (docs/api.md).
        if (media_type(request[http::field::content_type]) != "application/json") {
            return refuse(Errc::bad_request, std::string(sealing(request) ? "a seal" : "a signature") +
                                                 " request is JSON (Content-Type: application/json) or a raw "
                                                 "PDF (Content-Type: application/pdf)");
        }
        return (sealing(request) ? seal : sign)(services, *client, std::move(request), std::move(done));
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
        return audit(services, *client, std::move(request), std::move(done));
    }
    auto path = segments_of(target);
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

bool carries_raw_document(const http::request_header<>& header) {
    const std::string_view path = path_of(header.target());
    return header.method() == http::verb::post && (path == "/v1/seal" || path == "/v1/sign") &&
           media_type(header[http::field::content_type]) == "application/pdf";
}

Status check_job_client(const std::optional<config::ClientIdentity>& client, const http::request_header<>& header) {
    if (!client) return fail(Errc::unauthenticated, "a client certificate is required");
    if (!client->role) {
        return fail(Errc::unauthenticated, "the client certificate is not mapped to any role on this signetd");
    }
    if (*client->role != config::Role::platform) {
        return fail(Errc::forbidden, std::string("only the platform role may submit ") +
                                         (sealing(header) ? "seal" : "signature") + " jobs");
    }
    return {};
}

void handle_raw_request(Services& services, const std::optional<config::ClientIdentity>& client, PdfRequest&& request,
                        Completion done) {
    unsigned version = request.version();
    bool keep_alive = request.keep_alive();
    auto refuse = [&](const Error& error) { done(error_response(error, version, keep_alive)); };
    if (!carries_raw_document(request)) {
        return refuse(Error{Errc::bad_request, "a raw PDF is sent with POST to /v1/seal or /v1/sign "
                                               "(Content-Type: application/pdf)"});
    }
    if (auto allowed = check_job_client(client, request); !allowed) return refuse(allowed.error());
    // Parsed here, on the I/O thread: reading a few query parameters is cheap, and a malformed
    // request then takes no place in the job queue. The body is moved, never copied.
    if (sealing(request)) {
        auto parsed = parse_raw_seal_request(request.target(), std::move(request.body()));
        if (!parsed) return refuse(parsed.error());
        auto job = std::make_shared<SealRequest>(std::move(*parsed));
        return on_pool(services, version, keep_alive, std::move(done),
                       [&services, client = *client, job, version, keep_alive]() -> Reply {
                           auto result = run_seal(services, client, std::move(*job));
                           if (!result) return error_response(result.error(), version, keep_alive);
                           return seal_pdf_response(std::move(*result), version, keep_alive);
                       });
    }
    auto parsed = parse_raw_sign_request(request.target(), std::move(request.body()));
    if (!parsed) return refuse(parsed.error());
    auto job = std::make_shared<SignRequest>(std::move(*parsed));
    on_pool(services, version, keep_alive, std::move(done),
            [&services, client = *client, job, version, keep_alive]() -> Reply {
                auto result = run_sign(services, client, std::move(*job));
                if (!result) return error_response(result.error(), version, keep_alive);
                return sign_pdf_response(std::move(*result), version, keep_alive);
            });
}

}  // namespace signet::daemon
