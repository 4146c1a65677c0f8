#pragma once
// The delegation register in SQLite: tenants, members and delegations as policy/ models them.
// The rules live in policy/; this file only stores and loads. Callers hold the database mutex
// and wrap changes that go together (a removal and its ended delegations, a change and its
// audit entry) in one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "policy/model.hpp"
#include "store/database.hpp"

namespace signet::daemon {

class Register {
public:
    explicit Register(store::Database& db) : db_(db) {}

    // Creates the tenant or renames it. Its kind cannot change while it has members: their
    // roles belong to the kind (409).
    Status put_tenant(const policy::Tenant& tenant);
    // The tenant with its members and their delegations; nullopt when it is not registered.
    Result<std::optional<policy::TenantView>> load(const std::string& tenant);

    // Adds the member or changes their role and name (the tenant must exist).
    Status put_member(const std::string& tenant, const policy::Member& member);
    // Removes the member and ends their delegations and requests in this tenant; returns the
    // ids of the delegations ended. not_found when they are not a member.
    Result<std::vector<std::int64_t>> remove_member(const std::string& tenant, const std::string& person,
                                                    policy::Timestamp now);

    // Stores a new delegation or request (its id is assigned) and returns the id.
    Result<std::int64_t> insert(const policy::Delegation& delegation);
    Result<std::optional<policy::Delegation>> delegation(std::int64_t id);
    // Writes the grantor, expiry, state and change of an existing delegation.
    Status update(const policy::Delegation& delegation);

private:
    store::Database& db_;
};

}  // namespace signet::daemon
