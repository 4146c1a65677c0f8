#include "api/routing/route_table.hpp"

#include <array>

namespace signet::daemon {
namespace {

using boost::beast::http::verb;

constexpr std::array routes{
    ApiRoute{verb::get, "/v1/health", RouteId::health},
    ApiRoute{verb::get, "/metrics", RouteId::metrics},
    ApiRoute{verb::post, "/v1/seal", RouteId::seal},
    ApiRoute{verb::post, "/v1/sign", RouteId::sign},
    ApiRoute{verb::post, "/v1/cosign", RouteId::cosign},
    ApiRoute{verb::post, "/v1/extend", RouteId::extend},
    ApiRoute{verb::post, "/v1/prepare", RouteId::prepare},
    ApiRoute{verb::post, "/v1/timestamp", RouteId::timestamp},
    ApiRoute{verb::get, "/v1/audit", RouteId::audit_list},
    ApiRoute{verb::get, "/v1/audit/export", RouteId::audit_export},
    ApiRoute{verb::get, "/v1/audit/usage", RouteId::audit_usage},
    ApiRoute{verb::get, "/v1/keys", RouteId::keys_list},
    ApiRoute{verb::post, "/v1/keys", RouteId::key_generate},
    ApiRoute{verb::put, "/v1/keys/{key}/certificate", RouteId::key_certificate},
    ApiRoute{verb::post, "/v1/keys/{key}/activate", RouteId::key_activate},
    ApiRoute{verb::post, "/v1/keys/{key}/retire", RouteId::key_retire},
    ApiRoute{verb::post, "/v1/keys/{key}/destroy", RouteId::key_destroy},
    ApiRoute{verb::get, "/v1/approvals", RouteId::approvals_list},
    ApiRoute{verb::post, "/v1/approvals/{approval}/approve", RouteId::approval_approve},
    ApiRoute{verb::get, "/v1/persons/{person}", RouteId::person_status},
    ApiRoute{verb::post, "/v1/persons/{person}/key", RouteId::person_key},
    ApiRoute{verb::put, "/v1/persons/{person}/certificate", RouteId::person_certificate},
    ApiRoute{verb::post, "/v1/persons/{person}/otp", RouteId::person_otp},
    ApiRoute{verb::post, "/v1/persons/{person}/otp/reset", RouteId::person_otp_reset},
    ApiRoute{verb::post, "/v1/authorize", RouteId::authorize},
    ApiRoute{verb::put, "/v1/tenants/{tenant}", RouteId::tenant_put},
    ApiRoute{verb::put, "/v1/tenants/{tenant}/members/{person}", RouteId::member_put},
    ApiRoute{verb::delete_, "/v1/tenants/{tenant}/members/{person}", RouteId::member_delete},
    ApiRoute{verb::post, "/v1/tenants/{tenant}/delegations", RouteId::delegation_grant},
    ApiRoute{verb::get, "/v1/tenants/{tenant}/delegations", RouteId::delegations_list},
    ApiRoute{verb::post, "/v1/tenants/{tenant}/delegation-requests", RouteId::delegation_request},
    ApiRoute{verb::post, "/v1/delegations/{delegation}/accept", RouteId::delegation_accept},
    ApiRoute{verb::patch, "/v1/delegations/{delegation}", RouteId::delegation_patch},
    ApiRoute{verb::post, "/v1/tenants/{tenant}/guests", RouteId::guest_invite},
    ApiRoute{verb::put, "/v1/tenants/{tenant}/logo", RouteId::logo_put},
    ApiRoute{verb::get, "/v1/tenants/{tenant}/logo", RouteId::logo_get},
    ApiRoute{verb::delete_, "/v1/tenants/{tenant}/logo", RouteId::logo_delete},
};

struct WrongMethod {
    std::string_view path;
    std::string_view message;
};

// The sentences the routes answered a wrong method with before the table; the other paths
// answered 404 "there is no ... in the API".
constexpr std::array wrong_methods{
    WrongMethod{"/v1/health", "use GET for /v1/health"},
    WrongMethod{"/metrics", "use GET for /metrics"},
    WrongMethod{"/v1/seal", "use POST for /v1/seal"},
    WrongMethod{"/v1/sign", "use POST for /v1/sign"},
    WrongMethod{"/v1/cosign", "use POST for /v1/cosign"},
    WrongMethod{"/v1/extend", "use POST for /v1/extend"},
    WrongMethod{"/v1/prepare", "use POST for /v1/prepare"},
    WrongMethod{"/v1/timestamp", "use POST for /v1/timestamp"},
    WrongMethod{"/v1/audit", "use GET for /v1/audit"},
    WrongMethod{"/v1/audit/export", "use GET for /v1/audit/export"},
    WrongMethod{"/v1/audit/usage", "use GET for /v1/audit/usage"},
    WrongMethod{"/v1/tenants/{tenant}/logo", "use PUT, GET or DELETE for a tenant's logo"},
};

// "/v1//tenants/c1/" → {"v1", "tenants", "c1"}.
std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    while (!path.empty()) {
        const auto slash = path.find('/');
        if (slash != 0) out.push_back(path.substr(0, slash));
        path.remove_prefix(slash == std::string_view::npos ? path.size() : slash + 1);
    }
    return out;
}

bool is_parameter(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Whether `path` is an instance of `path_template`; `parameters` then holds its {names}' values.
bool matches(std::string_view path_template, std::string_view path, std::vector<std::string>& parameters) {
    if (path_template.find('{') == std::string_view::npos) return path == path_template;
    const auto wanted = segments(path_template);
    const auto given = segments(path);
    if (wanted.size() != given.size()) return false;
    std::vector<std::string> found;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        if (is_parameter(wanted[i])) found.emplace_back(given[i]);
        else if (wanted[i] != given[i]) return false;
    }
    parameters = std::move(found);
    return true;
}

}  // namespace

std::span<const ApiRoute> api_routes() { return routes; }

RouteMatch match_route(boost::beast::http::verb method, std::string_view path) {
    RouteMatch match;
    for (const ApiRoute& route : routes) {
        std::vector<std::string> parameters;
        if (!matches(route.path, path, parameters)) continue;
        // No two templates match one path (route_table_test.cpp), so the first that matches
        // is the path's; its other methods follow it.
        match.path_template = route.path;
        match.parameters = std::move(parameters);
        if (route.method == method) {
            match.route = &route;
            return match;
        }
    }
    return match;
}

std::string_view wrong_method_message(std::string_view path_template) {
    for (const WrongMethod& entry : wrong_methods) {
        if (entry.path == path_template) return entry.message;
    }
    return {};
}

}  // namespace signet::daemon
