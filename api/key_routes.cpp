#include "api/routes.hpp"

#include "keys/key_admin.hpp"

namespace signet::daemon {

// The security officers' routes (keys and approvals); nullopt when `path` is none of them.
std::optional<std::function<Result<JsonReply>()>> officer_route(Services& services, const config::ClientIdentity& client,
                                                                const std::vector<std::string>& path,
                                                                http::verb method, std::string body) {
    OfficerContext context{services.db, services.db_mutex, services.token, services.clock, services.config.keys,
                           services.seal_key, services.audit_key, services.tsa_key, services.guest_ca_key, client};
    using OfficerHandler = std::function<Result<JsonReply>(const OfficerContext&, const std::string&)>;
    auto route = [&](OfficerHandler handler) -> std::optional<std::function<Result<JsonReply>()>> {
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

}  // namespace signet::daemon
