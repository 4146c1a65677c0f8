#pragma once
// The API's routes as data (issue 24): every method and path template signetd serves. The
// router (router.cpp) looks each request up here before anything else and dispatches on the
// route's id with a switch that has no default, so the compiler refuses a route without its
// case and nothing the table lacks can be reached. docs/openapi.yaml is held against this table
// by tests/unit/api/route_table_test.cpp, and each route is probed on a real signetd by
// tests/integration/refusal_test.cpp ("the_route_table_is_served").
//
// Kept free of the rest of signet_api (Beast's verb only), so that tests can link it alone.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/verb.hpp>

namespace signet::daemon {

enum class RouteId {
    health,
    metrics,
    seal,
    sign,
    cosign,
    extend,
    prepare,
    timestamp,
    audit_list,
    audit_export,
    audit_usage,
    keys_list,
    key_generate,
    key_certificate,
    key_activate,
    key_retire,
    key_destroy,
    approvals_list,
    approval_approve,
    person_status,
    person_key,
    person_certificate,
    person_otp,
    person_otp_reset,
    authorize,
    tenant_put,
    member_put,
    member_delete,
    delegation_grant,
    delegations_list,
    delegation_request,
    delegation_accept,
    delegation_patch,
    guest_invite,
    logo_put,
    logo_get,
    logo_delete,
};

struct ApiRoute {
    boost::beast::http::verb method;
    // "/v1/tenants/{tenant}/members/{person}": each {name} stands for one non-empty segment.
    std::string_view path;
    RouteId id;
};

// Every route, in the order of docs/api.md.
std::span<const ApiRoute> api_routes();

// Where a request's method and path (the target without its query) fall in the table.
struct RouteMatch {
    // The route served; null when the path is unknown or the method is not served there.
    const ApiRoute* route = nullptr;
    // The template the path matches; empty when no route has this path.
    std::string_view path_template;
    // The segments the template's {names} stand for, in order.
    std::vector<std::string> parameters;
};

// A template without parameters matches the path exactly, as the router always compared them
// (and as http_session's choice of a raw PDF body still does); one with parameters matches
// segment by segment, empty segments ignored, as the router always split such paths.
RouteMatch match_route(boost::beast::http::verb method, std::string_view path);

// The 400 message for a method that `path_template` does not serve, the one each route gave
// before the table ("use GET for /v1/health"); empty where the router answered 404 not_found
// instead, as for an unknown path.
std::string_view wrong_method_message(std::string_view path_template);

}  // namespace signet::daemon
