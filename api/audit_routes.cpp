#include "api/audit_routes.hpp"

#include "api/routes.hpp"

#include <charconv>

#include "audit/log.hpp"
#include "json/json_fields.hpp"
#include "api/query.hpp"

namespace signet::daemon {
namespace {

using nlohmann::json;

Result<std::int64_t> number(const Query& query, const char* key, std::int64_t fallback, std::int64_t max) {
    auto it = query.find(key);
    if (it == query.end()) return fallback;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
    if (ec != std::errc() || end != it->second.data() + it->second.size() || value < 0 || value > max) {
        return fail(Errc::bad_request, std::string("the query parameter '") + key +
                                           "' must be a number from 0 to " + std::to_string(max));
    }
    return value;
}

Result<signet::Date> date(const Query& query, const char* key) {
    auto it = query.find(key);
    if (it == query.end()) return fail(Errc::bad_request, std::string("the query parameter '") + key + "' is missing");
    auto parsed = signet::parse_date(it->second);
    if (!parsed) return fail(Errc::bad_request, std::string("the query parameter '") + key + "' must be YYYY-MM-DD");
    return *parsed;
}

}  // namespace

Result<JsonReply> list_audit(const AuditContext& context, std::string_view target) {
    auto query = parse_query(target, {"after", "limit"});
    if (!query) return std::unexpected(query.error());
    std::int64_t after = 0;
    std::int64_t limit = 0;
    SIGNET_TRY(after, number(*query, "after", 0, std::numeric_limits<std::int64_t>::max() - 1));
    SIGNET_TRY(limit, number(*query, "limit", 100, 1000));
    std::lock_guard lock(context.db_mutex);
    auto entries = audit::Log(context.db, context.clock).read(after, limit);
    if (!entries) return std::unexpected(entries.error());
    json list = json::array();
    for (const auto& entry : *entries) list.push_back(audit::to_json(entry));
    json next = entries->empty() || static_cast<std::int64_t>(entries->size()) < limit
                    ? json(nullptr)
                    : json(entries->back().seq);
    return JsonReply{200, json{{"entries", std::move(list)}, {"next", std::move(next)}}};
}

Result<std::string> export_audit(const AuditContext& context) {
    std::lock_guard lock(context.db_mutex);
    return audit::Log(context.db, context.clock).export_ndjson();
}

Result<JsonReply> audit_usage(const AuditContext& context, std::string_view target) {
    auto query = parse_query(target, {"tenant", "from", "to"});
    if (!query) return std::unexpected(query.error());
    auto tenant = query->find("tenant");
    if (tenant == query->end()) return fail(Errc::bad_request, "the query parameter 'tenant' is missing");
    SIGNET_CHECK(check_text(tenant->second, "the query parameter 'tenant'"));
    signet::Date from;
    signet::Date to;
    SIGNET_TRY(from, date(*query, "from"));
    SIGNET_TRY(to, date(*query, "to"));
    if (std::chrono::sys_days(to) < std::chrono::sys_days(from)) {
        return fail(Errc::bad_request, "'to' is before 'from'");
    }
    std::lock_guard lock(context.db_mutex);
    auto usage = audit::Log(context.db, context.clock).usage(tenant->second, from, to);
    if (!usage) return std::unexpected(usage.error());
    return JsonReply{200, json{{"tenant", tenant->second},
                               {"from", signet::format_date(from)},
                               {"to", signet::format_date(to)},
                               {"seals", usage->seals},
                               {"signatures", usage->signatures},
                               {"timestamps", usage->timestamps},
                               {"extensions", usage->extensions},
                               {"prepares", usage->prepares},
                               {"cosign", usage->cosigns},
                               {"refusals", usage->refusals},
                               {"refusals_by_action", usage->refusals_by_action}}};
}

// The auditors' endpoints; usage is for billing, so the platform may read it too. The router
// hands this function GET requests for the three routes only (routing/route_table.hpp).
void audit_route(Services& services, const config::ClientIdentity& client, RouteId route, Request&& request,
                 Completion done) {
    unsigned version = request.version();
    bool keep_alive = request.keep_alive();
    std::string target(request.target());
    const bool usage = route == RouteId::audit_usage;
    if (!role_is(client, config::Role::auditor) && !(usage && role_is(client, config::Role::platform))) {
        return done(error_response(
            Error{Errc::forbidden, usage ? "only the auditor and platform roles read usage"
                                         : "only the auditor role reads the audit log"},
            version, keep_alive));
    }
    on_pool(services, version, keep_alive, done, [&services, target, route, version, keep_alive] {
        AuditContext context{services.db, services.db_mutex, services.clock};
        if (route == RouteId::audit_export) {
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
        auto reply = route == RouteId::audit_list ? list_audit(context, target) : audit_usage(context, target);
        if (!reply) return error_response(reply.error(), version, keep_alive);
        return json_response(static_cast<http::status>(reply->status), reply->body.dump(), version, keep_alive);
    });
}

}  // namespace signet::daemon
