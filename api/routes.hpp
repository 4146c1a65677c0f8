#pragma once
// Private to api/: what the router (router.cpp) and the groups of routes share. One file per
// group: health_routes.cpp (health, metrics), document_routes.cpp (seal and sign, JSON and raw;
// time-stamps),
// audit_routes.cpp, register_routes.cpp, key_routes.cpp (keys and approvals) and
// person_routes.cpp. routing/route_table.hpp says which method and path is which route; each
// group is handed the route's id and the values of its path's {parameters}.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/router.hpp"
#include "api/routing/route_table.hpp"
#include "json/json_reply.hpp"

namespace signet::daemon {

// A route's work, run on the job pool; its JSON reply is the answer.
using RouteHandler = std::function<Result<JsonReply>()>;

bool role_is(const std::optional<config::ClientIdentity>& client, config::Role role);
// The target without its query string.
std::string_view path_of(std::string_view target);
// "Application/PDF; x=y" → "application/pdf".
std::string media_type(std::string_view value);
// The document job a request's path names: "seal" (/v1/seal), "signature" (/v1/sign),
// "co-signature" (/v1/cosign), "extension" (/v1/extend); "" for any other path.
std::string_view document_job(const http::request_header<>& header);
// A positive decimal id; nullopt for anything else.
std::optional<std::int64_t> positive_id(const std::string& text);

// Runs `work` on the job pool (it may block on the database or the HSM) and answers with its
// reply; a full queue is answered at once with 503 and Retry-After.
void on_pool(Services& services, unsigned version, bool keep_alive, Completion done, std::function<Reply()> work);
// Runs a route's handler on the pool and answers with its JSON reply.
void answer(Services& services, unsigned version, bool keep_alive, Completion done, RouteHandler handler);

// GET /metrics and GET /v1/health.
Response metrics_page(const Services& services, const Request& request);
Response health_page(Services& services, const Request& request);

// POST /v1/seal, /v1/sign and /v1/cosign with a JSON body (the raw forms are handle_raw_request's).
void seal_json(Services& services, const config::ClientIdentity& client, Request&& request, Completion done);
void sign_json(Services& services, const config::ClientIdentity& client, Request&& request, Completion done);
void cosign_json(Services& services, const config::ClientIdentity& client, Request&& request, Completion done);
// POST /v1/extend with a JSON body.
void extend_json(Services& services, const config::ClientIdentity& client, Request&& request, Completion done);

// POST /v1/timestamp?tenant=T: an RFC 3161 TimeStampReq in, a TimeStampResp out.
void timestamp_query(Services& services, const config::ClientIdentity& client, Request&& request, Completion done);

// The auditors' endpoints (audit_list, audit_export, audit_usage); usage is for billing, so the
// platform may read it too.
void audit_route(Services& services, const config::ClientIdentity& client, RouteId route, Request&& request,
                 Completion done);

// PUT, GET and DELETE /v1/tenants/{tenant}/logo: the body is the image itself.
void logo_route(Services& services, const config::ClientIdentity& client, RouteId route, const std::string& tenant,
                Request&& request, Completion done);
// POST /v1/prepare: empty signature fields added to a document.
void prepare_json(Services& services, const config::ClientIdentity& client, Request&& request, Completion done);

// The groups of JSON routes: each gives the handler of `route`, whose path's {parameters} are
// `parameters`, or nullopt when the route is none of its own (the router then answers 500: the
// table and the groups disagree, which the integration probe of every route would show).
std::optional<RouteHandler> register_route(Services& services, const config::ClientIdentity& client, RouteId route,
                                           const std::vector<std::string>& parameters, std::string body);
std::optional<RouteHandler> officer_route(Services& services, const config::ClientIdentity& client, RouteId route,
                                          const std::vector<std::string>& parameters, std::string body);
// `role` is set to the role the route needs.
std::optional<RouteHandler> person_route(Services& services, const config::ClientIdentity& client, RouteId route,
                                         const std::vector<std::string>& parameters, std::string body,
                                         config::Role& role);

}  // namespace signet::daemon
