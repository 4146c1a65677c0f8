#include "api/routes.hpp"

#include "persons/enrolment.hpp"

namespace signet::daemon {

// The persons' routes: enrolment for the platform, state and authenticator reset for officers.
// nullopt when `path` is none of them; `role` is set to the role the route needs.
std::optional<std::function<Result<JsonReply>()>> person_route(Services& services, const config::ClientIdentity& client,
                                                               const std::vector<std::string>& path,
                                                               http::verb method, std::string body,
                                                               config::Role& role) {
    if (path.size() < 3 || path.size() > 5 || path[1] != "persons") return std::nullopt;
    OfficerContext context{services.db, services.db_mutex, services.token, services.clock, services.config.keys,
                           services.seal_key, services.audit_key, services.tsa_key, services.guest_ca_key, client};
    const config::Signing& signing = services.config.signing;
    const std::string person = path[2];
    auto route = [&](config::Role needed, auto work) -> std::optional<RouteHandler> {
        role = needed;
        return RouteHandler([context, work, body = std::move(body)] { return work(context, body); });
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

}  // namespace signet::daemon
