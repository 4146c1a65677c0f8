#pragma once
// The delegation register in SQLite: tenants, members and delegations as policy/ models them.
// The rules live in policy/; this file only stores and loads. Callers hold the database mutex
// and wrap changes that go together (a removal and its ended delegations, a change and its
// audit entry) in one transaction.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "policy/matrix.hpp"
#include "policy/model.hpp"
#include "base/time.hpp"
#include "store/database.hpp"

namespace signet::daemon {

// A tenant's logo for its visible boxes, as the platform sent it (a PDF worker decoded it before
// it was stored: image/logo_image.hpp).
struct TenantLogo {
    std::string media_type;  // "image/png" or "image/jpeg"
    std::vector<std::uint8_t> image;
    unsigned width = 0;
    unsigned height = 0;
    std::string sha256;  // of `image`, hex
};

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
                                                    signet::Timestamp now);

    // The tenant's logo: stored or replaced (the tenant must exist, else not_found), read
    // (nullopt when it has none) and removed (false when it had none).
    Status put_logo(const std::string& tenant, const TenantLogo& logo, signet::Timestamp now);
    Result<std::optional<TenantLogo>> logo(const std::string& tenant);
    Result<bool> remove_logo(const std::string& tenant);

    // Stores a new delegation or request (its id is assigned) and returns the id.
    Result<std::int64_t> insert(const policy::Delegation& delegation);
    Result<std::optional<policy::Delegation>> delegation(std::int64_t id);
    // Writes the grantor, expiry, state and change of an existing delegation.
    Status update(const policy::Delegation& delegation);

private:
    store::Database& db_;
};

// The rights matrix's decision for `action` by (tenant, actor) on the register as it is now,
// under `db_mutex`. On allow, the tenant as registered (its name and members, for appearances);
// otherwise forbidden, or approval_required, with the reason.
Result<policy::TenantView> authorise_job(store::Database& db, store::DatabaseMutex& db_mutex, const policy::Matrix& matrix,
                                         const signet::Clock& clock, const std::string& tenant,
                                         const std::string& actor, const std::string& action,
                                         const std::optional<std::string>& approved_by);

}  // namespace signet::daemon
