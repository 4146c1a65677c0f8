#include "api/routes.hpp"

#include "keys/key_admin.hpp"

namespace signet::daemon {

// The security officers' routes (keys and approvals); nullopt when `route` is none of them.
std::optional<std::function<Result<JsonReply>()>> officer_route(Services& services, const config::ClientIdentity& client,
                                                                RouteId route,
                                                                const std::vector<std::string>& parameters,
                                                                std::string body) {
    OfficerContext context{services.db, services.db_mutex, services.token, services.clock, services.config.keys,
                           services.seal_key, services.audit_key, services.tsa_key, services.guest_ca_key, client};
    using OfficerHandler = std::function<Result<JsonReply>(const OfficerContext&, const std::string&)>;
    auto handler = [&](OfficerHandler work) -> std::optional<std::function<Result<JsonReply>()>> {
        return std::function<Result<JsonReply>()>(
            [context, work = std::move(work), body = std::move(body)] { return work(context, body); });
    };
    auto key_change = [&](policy::KeyChange change) {
        return handler([key = parameters.at(0), change](const OfficerContext& c, const std::string&) {
            return request_key_change(c, key, change);
        });
    };
    switch (route) {
        case RouteId::key_generate:
            return handler([](const OfficerContext& c, const std::string& b) { return generate_key(c, b); });
        case RouteId::approvals_list:
            return handler([](const OfficerContext& c, const std::string&) { return list_approvals(c); });
        case RouteId::key_certificate:
            return handler([key = parameters.at(0)](const OfficerContext& c, const std::string& b) {
                return import_key_certificate(c, key, b);
            });
        case RouteId::key_activate:
            return key_change(policy::KeyChange::activate);
        case RouteId::key_retire:
            return key_change(policy::KeyChange::retire);
        case RouteId::key_destroy:
            return key_change(policy::KeyChange::destroy);
        case RouteId::approval_approve: {
            auto id = positive_id(parameters.at(0));
            if (!id) {
                return handler([](const OfficerContext&, const std::string&) -> Result<JsonReply> {
                    return fail(Errc::not_found, "an approval id is a positive number");
                });
            }
            return handler([id = *id](const OfficerContext& c, const std::string&) { return approve_key_change(c, id); });
        }
        default:
            return std::nullopt;
    }
}

}  // namespace signet::daemon
