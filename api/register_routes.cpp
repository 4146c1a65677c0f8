#include "api/routes.hpp"

#include "base/base64.hpp"
#include "guests/guest_register.hpp"
#include "image/logo_image.hpp"
#include "register/register_requests.hpp"

namespace signet::daemon {

// The delegation register's routes and the guests' invitations (all for the platform role);
// nullopt when `route` is none of them.
std::optional<std::function<Result<JsonReply>()>> register_route(Services& services,
                                                                 const config::ClientIdentity& client, RouteId route,
                                                                 const std::vector<std::string>& parameters,
                                                                 std::string body) {
    RegisterContext context{services.db, services.db_mutex, services.matrix, services.clock,
                            client.fingerprint, std::string(config::to_string(*client.role))};
    auto handler = [&](auto work) -> std::optional<std::function<Result<JsonReply>()>> {
        return std::function<Result<JsonReply>()>(
            [context, work, body = std::move(body)] { return work(context, body); });
    };
    // A delegation's routes: the id is checked here, so that every delegation route refuses
    // a malformed one with the same 404.
    auto delegation = [&](auto work) {
        auto id = positive_id(parameters.at(0));
        if (!id) {
            return handler([](const RegisterContext&, const std::string&) -> Result<JsonReply> {
                return fail(Errc::not_found, "a delegation id is a positive number");
            });
        }
        return handler([id = *id, work](const RegisterContext& c, const std::string& b) { return work(c, id, b); });
    };
    switch (route) {
        case RouteId::authorize:
            return handler([](const RegisterContext& c, const std::string& b) { return authorize(c, b); });
        case RouteId::tenant_put:
            return handler([tenant = parameters.at(0)](const RegisterContext& c, const std::string& b) {
                return put_tenant(c, tenant, b);
            });
        case RouteId::member_put:
            return handler([tenant = parameters.at(0), person = parameters.at(1)](const RegisterContext& c,
                                                                                   const std::string& b) {
                return put_member(c, tenant, person, b);
            });
        case RouteId::member_delete:
            return handler([tenant = parameters.at(0), person = parameters.at(1)](const RegisterContext& c,
                                                                                   const std::string&) {
                return remove_member(c, tenant, person);
            });
        case RouteId::delegation_grant:
            return handler([tenant = parameters.at(0)](const RegisterContext& c, const std::string& b) {
                return grant_delegation(c, tenant, b);
            });
        case RouteId::delegations_list:
            return handler([tenant = parameters.at(0)](const RegisterContext& c, const std::string&) {
                return list_delegations(c, tenant);
            });
        case RouteId::delegation_request:
            return handler([tenant = parameters.at(0)](const RegisterContext& c, const std::string& b) {
                return request_delegation(c, tenant, b);
            });
        case RouteId::guest_invite:
            return std::function<Result<JsonReply>()>(
                [&services, client, tenant = parameters.at(0), body = std::move(body)] {
                    const GuestContext guests{services.db, services.db_mutex, services.token, services.clock,
                                              services.config.guests};
                    return invite_guest(guests, client, tenant, body);
                });
        case RouteId::delegation_accept:
            return delegation([](const RegisterContext& c, std::int64_t id, const std::string& b) {
                return accept_delegation(c, id, b);
            });
        case RouteId::delegation_patch:
            return delegation([](const RegisterContext& c, std::int64_t id, const std::string& b) {
                return patch_delegation(c, id, b);
            });
        default:
            return std::nullopt;
    }
}

namespace {

Response no_content(unsigned version, bool keep_alive) {
    Response response{http::status::no_content, version};
    response.set(http::field::cache_control, "no-store");
    response.keep_alive(keep_alive);
    return response;
}

Reply reply_of(const Result<JsonReply>& reply, unsigned version, bool keep_alive) {
    if (!reply) return error_response(reply.error(), version, keep_alive);
    return no_content(version, keep_alive);
}

// The logo checked by a PDF worker (the daemon decodes nothing itself), then stored.
Reply put_logo_checked(Services& services, const RegisterContext& context, const std::string& tenant,
                       const std::string& media_type, std::vector<std::uint8_t> bytes, unsigned version,
                       bool keep_alive) {
    auto checked = services.pdf_workers.check_logo(tenant, bytes);
    if (!checked) return error_response(checked.error(), version, keep_alive);
    if (image::media_type(checked->format) != media_type) {
        return error_response(Error{Errc::invalid_document, "the body is a " + std::string(image::media_type(checked->format)) +
                                                                " image, but its Content-Type says " + media_type},
                              version, keep_alive);
    }
    TenantLogo logo{media_type, std::move(bytes), checked->width, checked->height, ""};
    logo.sha256 = sha256_hex(std::span<const std::uint8_t>(logo.image));
    return reply_of(put_logo(context, tenant, logo), version, keep_alive);
}

}  // namespace

void logo_route(Services& services, const config::ClientIdentity& client, RouteId route, const std::string& tenant,
                Request&& request, Completion done) {
    const unsigned version = request.version();
    const bool keep_alive = request.keep_alive();
    auto refuse = [&](Errc code, std::string message) {
        done(error_response(Error{code, std::move(message)}, version, keep_alive));
    };
    if (!role_is(client, config::Role::platform)) return refuse(Errc::forbidden, "only the platform role manages logos");
    RegisterContext context{services.db, services.db_mutex, services.matrix, services.clock, client.fingerprint,
                            std::string(config::to_string(*client.role))};
    switch (route) {
        case RouteId::logo_put: {
            const std::string type = media_type(request[http::field::content_type]);
            if (type != "image/png" && type != "image/jpeg") {
                return refuse(Errc::unsupported_media_type, "a logo is a PNG or JPEG image (Content-Type: image/png or image/jpeg)");
            }
            if (request.body().empty()) return refuse(Errc::bad_request, "the logo is empty");
            if (request.body().size() > image::max_logo_bytes) {
                return refuse(Errc::too_large, "a logo has at most " + std::to_string(image::max_logo_bytes / 1024) +
                                                   " KiB; this one has " + std::to_string(request.body().size()) + " bytes");
            }
            std::vector<std::uint8_t> bytes(request.body().begin(), request.body().end());
            return on_pool(services, version, keep_alive, std::move(done),
                           [&services, context, tenant, type, bytes = std::move(bytes), version, keep_alive]() mutable {
                               return put_logo_checked(services, context, tenant, type, std::move(bytes), version,
                                                       keep_alive);
                           });
        }
        case RouteId::logo_get:
            return on_pool(services, version, keep_alive, std::move(done), [&services, tenant, version, keep_alive]() -> Reply {
                Result<std::optional<TenantLogo>> logo = [&] {
                    std::lock_guard lock(services.db_mutex);
                    return Register(services.db).logo(tenant);
                }();
                if (!logo) return error_response(logo.error(), version, keep_alive);
                if (!*logo) return error_response(Error{Errc::not_found, "tenant " + tenant + " has no logo"}, version, keep_alive);
                PdfResponse response{http::status::ok, version};
                response.set(http::field::content_type, (*logo)->media_type);
                response.set(http::field::cache_control, "no-store");
                response.keep_alive(keep_alive);
                response.body() = std::move((*logo)->image);
                response.prepare_payload();
                return response;
            });
        case RouteId::logo_delete:
            return on_pool(services, version, keep_alive, std::move(done), [context, tenant, version, keep_alive]() -> Reply {
                return reply_of(delete_logo(context, tenant), version, keep_alive);
            });
        default:
            // The router hands this function the logo's routes only (routing/route_table.hpp).
            return refuse(Errc::internal, "the request failed inside signetd");
    }
}

}  // namespace signet::daemon
