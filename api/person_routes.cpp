#include "api/routes.hpp"

#include "persons/enrolment.hpp"

namespace signet::daemon {

// The persons' routes: enrolment for the platform, state and authenticator reset for officers.
// nullopt when `route` is none of them; `role` is set to the role the route needs.
std::optional<std::function<Result<JsonReply>()>> person_route(Services& services, const config::ClientIdentity& client,
                                                               RouteId route,
                                                               const std::vector<std::string>& parameters,
                                                               std::string body, config::Role& role) {
    OfficerContext context{services.db, services.db_mutex, services.token, services.clock, services.config.keys,
                           services.seal_key, services.audit_key, services.tsa_key, services.guest_ca_key, client};
    const config::Signing& signing = services.config.signing;
    auto handler = [&](config::Role needed, auto work) -> std::optional<RouteHandler> {
        role = needed;
        return RouteHandler([context, work, body = std::move(body)] { return work(context, body); });
    };
    switch (route) {
        case RouteId::person_status:
            return handler(config::Role::officer, [person = parameters.at(0)](const OfficerContext& c, const std::string&) {
                return person_status(c, person);
            });
        case RouteId::person_key:
            return handler(config::Role::platform, [person = parameters.at(0)](const OfficerContext& c, const std::string& b) {
                return enrol_person_key(c, person, b);
            });
        case RouteId::person_certificate:
            return handler(config::Role::platform, [person = parameters.at(0)](const OfficerContext& c, const std::string& b) {
                return import_person_certificate(c, person, b);
            });
        case RouteId::person_otp:
            return handler(config::Role::platform,
                           [person = parameters.at(0), &signing](const OfficerContext& c, const std::string& b) {
                               return enrol_otp(c, signing, person, b);
                           });
        case RouteId::person_otp_reset:
            return handler(config::Role::officer, [person = parameters.at(0)](const OfficerContext& c, const std::string&) {
                return reset_otp(c, person);
            });
        default:
            return std::nullopt;
    }
}

}  // namespace signet::daemon
