#pragma once
// What the delegation register knows: tenants (a cabinet or a CROEC), their members with a
// role, and the delegations granted to members. Plain values: the register's storage is the
// daemon's business, the rules are policy's.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.hpp"

namespace signet::policy {

enum class TenantKind { cabinet, croec };
std::optional<TenantKind> parse_tenant_kind(std::string_view text);
std::string_view to_string(TenantKind kind);

// The roles are the profession's structure (rights-matrix.md, "Who is who"); what each may do
// is the matrix file's business. Clients are never members, so they have no role.
enum class Role { ec, president, secretary_general, collaborator, permanent };
std::optional<Role> parse_role(std::string_view text);
std::string_view to_string(Role role);
// The tenant kind a role exists in (an EC in a CROEC is a mistake of the caller).
TenantKind tenant_kind_of(Role role);

struct Tenant {
    std::string id;
    TenantKind kind = TenantKind::cabinet;
    std::string name;  // the registered name, shown on the visible seal
};

struct Member {
    std::string person;
    Role role = Role::collaborator;
    std::string name;
};

// What is stored. Expired is not a state: it is read from `expires` and the clock.
enum class DelegationState { pending, active, deactivated, ended };
std::string_view to_string(DelegationState state);

struct Delegation {
    std::int64_t id = 0;
    std::string tenant;
    std::string grantee;
    std::string grantor;               // empty while a request is pending
    std::vector<std::string> rights;   // delegation ids of the matrix ("sceller", ...)
    Date expires;                      // last day of validity (UTC)
    DelegationState state = DelegationState::pending;
    std::string changed_by;            // who made the last change of state (grant, deactivate, ...)
    Timestamp changed_at;
};

// "pending", "active", "deactivated", "ended" or, for an active one past its last day, "expired".
std::string_view status_at(const Delegation& delegation, Timestamp now);
bool in_force(const Delegation& delegation, Timestamp now);

// One tenant as the policy needs it for a decision: the tenant, all its members and the
// delegations of its members (every state).
struct TenantView {
    Tenant tenant;
    std::vector<Member> members;
    std::vector<Delegation> delegations;

    const Member* member(std::string_view person) const;
};

}  // namespace signet::policy
