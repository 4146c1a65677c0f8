#include "api/routes.hpp"

#include "register/register_requests.hpp"

namespace signet::daemon {

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

}  // namespace signet::daemon
