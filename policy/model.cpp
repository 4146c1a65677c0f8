#include "policy/model.hpp"

#include "policy/enum_names.hpp"

namespace signet::policy {
namespace {

constexpr EnumNames<TenantKind, 2> kind_names = {{
    {TenantKind::cabinet, "cabinet"},
    {TenantKind::croec, "croec"},
}};

constexpr EnumNames<Role, 5> role_names = {{
    {Role::ec, "ec"},
    {Role::president, "president"},
    {Role::secretary_general, "secretary_general"},
    {Role::collaborator, "collaborator"},
    {Role::permanent, "permanent"},
}};

}  // namespace

std::optional<TenantKind> parse_tenant_kind(std::string_view text) { return parse_name(kind_names, text); }
std::string_view to_string(TenantKind kind) { return name_of(kind_names, kind); }
std::optional<Role> parse_role(std::string_view text) { return parse_name(role_names, text); }
std::string_view to_string(Role role) { return name_of(role_names, role); }

TenantKind tenant_kind_of(Role role) {
    switch (role) {
        case Role::ec:
        case Role::collaborator: return TenantKind::cabinet;
        case Role::president:
        case Role::secretary_general:
        case Role::permanent: return TenantKind::croec;
    }
    return TenantKind::cabinet;
}

std::string_view to_string(DelegationState state) {
    switch (state) {
        case DelegationState::pending: return "pending";
        case DelegationState::active: return "active";
        case DelegationState::deactivated: return "deactivated";
        case DelegationState::ended: return "ended";
    }
    return "?";
}

bool in_force(const Delegation& delegation, Timestamp now) {
    return delegation.state == DelegationState::active && now < end_of(delegation.expires);
}

std::string_view status_at(const Delegation& delegation, Timestamp now) {
    if (delegation.state == DelegationState::active && !in_force(delegation, now)) return "expired";
    return to_string(delegation.state);
}

const Member* TenantView::member(std::string_view person) const {
    for (const auto& candidate : members) {
        if (candidate.person == person) return &candidate;
    }
    return nullptr;
}

}  // namespace signet::policy
