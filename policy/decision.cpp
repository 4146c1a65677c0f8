#include "policy/decision.hpp"

#include <algorithm>

namespace signet::policy {
namespace {

std::string joined(const std::vector<std::string>& items, std::string_view separator = ", ") {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += separator;
        out += item;
    }
    return out;
}

std::string tenant_label(const TenantView& tenant) {
    return tenant.tenant.name.empty() ? tenant.tenant.id
                                      : tenant.tenant.name + " (" + tenant.tenant.id + ")";
}

bool has_role(const std::vector<Role>& roles, Role role) {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
}

// The rights of `delegation` that are in `wanted`, as "sceller, signer".
std::vector<std::string> matching_rights(const Delegation& delegation, const std::set<std::string>& wanted) {
    std::vector<std::string> out;
    for (const auto& right : delegation.rights) {
        if (wanted.contains(right)) out.push_back(right);
    }
    return out;
}

std::string describe(const Delegation& delegation, const std::vector<std::string>& rights) {
    return "delegation #" + std::to_string(delegation.id) + " (" + joined(rights) + ")";
}

std::vector<std::string> approvers_of(const Matrix& matrix, const TenantView& tenant) {
    std::vector<std::string> out;
    for (const auto& member : tenant.members) {
        if (has_role(matrix.rules(tenant.tenant.kind).approvers, member.role)) out.push_back(member.person);
    }
    return out;
}

Decision deny(std::string reason) { return Decision{Verdict::deny, std::move(reason), {}}; }

// Why none of the member's delegations opens the action, the most telling reason first: a
// delegation that would have allowed it but is expired, deactivated, pending or ended.
std::string refusal_reason(const TenantView& tenant, const Cell& cell, std::string_view actor,
                           std::string_view action, Timestamp now) {
    std::set<std::string> useful = cell.allowed;
    useful.insert(cell.with_approval.begin(), cell.with_approval.end());
    const Delegation* expired = nullptr;
    const Delegation* deactivated = nullptr;
    const Delegation* pending = nullptr;
    const Delegation* ended = nullptr;
    std::vector<std::string> held;
    for (const auto& delegation : tenant.delegations) {
        if (delegation.grantee != actor) continue;
        if (in_force(delegation, now)) held.insert(held.end(), delegation.rights.begin(), delegation.rights.end());
        if (matching_rights(delegation, useful).empty()) continue;
        if (delegation.state == DelegationState::active) expired = &delegation;  // not in force
        if (delegation.state == DelegationState::deactivated) deactivated = &delegation;
        if (delegation.state == DelegationState::pending) pending = &delegation;
        if (delegation.state == DelegationState::ended) ended = &delegation;
    }
    if (expired != nullptr) {
        return "the " + describe(*expired, matching_rights(*expired, useful)) + " expired on " +
               format_date(expired->expires);
    }
    if (deactivated != nullptr) {
        return "the " + describe(*deactivated, matching_rights(*deactivated, useful)) +
               " was deactivated by " + deactivated->changed_by + " on " +
               format_date(day_of(deactivated->changed_at));
    }
    if (pending != nullptr) {
        return "the request for " + describe(*pending, matching_rights(*pending, useful)) +
               " is pending: no grantor has accepted it yet";
    }
    if (ended != nullptr) {
        return "the " + describe(*ended, matching_rights(*ended, useful)) + " ended on " +
               format_date(day_of(ended->changed_at)) + " (" + ended->changed_by + ")";
    }
    std::vector<std::string> needed;
    for (const auto& right : useful) {
        if (!parse_role(right)) needed.push_back(right);
    }
    std::string who = std::string(actor);
    if (held.empty()) {
        return who + " holds no delegation in force in " + tenant_label(tenant) + "; " +
               std::string(action) + " needs one of: " + joined(needed);
    }
    std::sort(held.begin(), held.end());
    held.erase(std::unique(held.begin(), held.end()), held.end());
    return who + "'s delegations (" + joined(held) + ") do not allow " + std::string(action) +
           "; it needs one of: " + joined(needed);
}

}  // namespace

std::string_view to_string(Verdict verdict) {
    switch (verdict) {
        case Verdict::allow: return "allow";
        case Verdict::deny: return "deny";
        case Verdict::approval_required: return "approval_required";
    }
    return "deny";
}

Decision decide(const Matrix& matrix, const TenantView* tenant, std::string_view actor,
                std::string_view action, Timestamp now) {
    if (tenant == nullptr) return deny("the tenant is not registered on signetd");
    const Member* member = tenant->member(actor);
    if (member == nullptr) {
        return deny(std::string(actor) + " is not a member of " + tenant_label(*tenant));
    }
    const TenantKind kind = tenant->tenant.kind;
    const KindRules& rules = matrix.rules(kind);
    const Cell& cell = matrix.cell(action, kind);
    const std::string role(to_string(member->role));

    if (has_role(rules.principals, member->role)) {
        if (cell.allowed.contains(role)) {
            return Decision{Verdict::allow, std::string(actor) + " is " + role + " of " + tenant_label(*tenant), {}};
        }
        std::vector<std::string> holders(cell.allowed.begin(), cell.allowed.end());
        return deny("the role " + role + " cannot hold " + std::string(action) + " in a " +
                    std::string(to_string(kind)) + "; it belongs to: " + joined(holders));
    }

    const bool delegable = std::any_of(cell.allowed.begin(), cell.allowed.end(),
                                       [&](const std::string& name) { return matrix.has_delegation(name); }) ||
                           !cell.with_approval.empty();
    if (!delegable) {
        std::vector<std::string> holders(cell.allowed.begin(), cell.allowed.end());
        return deny("the role " + role + " cannot hold " + std::string(action) + " in a " +
                    std::string(to_string(kind)) + ": only " + joined(holders, " or ") + " may");
    }

    const Delegation* approval_delegation = nullptr;
    for (const auto& delegation : tenant->delegations) {
        if (delegation.grantee != actor || !in_force(delegation, now)) continue;
        if (auto rights = matching_rights(delegation, cell.allowed); !rights.empty()) {
            return Decision{Verdict::allow,
                            std::string(actor) + " holds " + describe(delegation, rights) + " granted by " +
                                delegation.grantor + ", valid until " + format_date(delegation.expires),
                            {}};
        }
        if (!matching_rights(delegation, cell.with_approval).empty()) approval_delegation = &delegation;
    }
    if (approval_delegation != nullptr) {
        Decision decision{Verdict::approval_required, "", approvers_of(matrix, *tenant)};
        decision.reason = std::string(actor) + " holds " +
                          describe(*approval_delegation,
                                   matching_rights(*approval_delegation, cell.with_approval)) +
                          ": " + std::string(action) + " needs the approval of " +
                          (decision.approvers.empty() ? std::string("an approver, and ") +
                                                            tenant_label(*tenant) + " has none"
                                                      : "one of: " + joined(decision.approvers));
        return decision;
    }
    return deny(refusal_reason(*tenant, cell, actor, action, now));
}

Decision decide_with_approval(const Matrix& matrix, const TenantView* tenant,
                              std::string_view actor, std::string_view action,
                              const std::optional<std::string>& approved_by, Timestamp now) {
    Decision decision = decide(matrix, tenant, actor, action, now);
    if (decision.verdict != Verdict::approval_required || !approved_by) return decision;
    const Member* approver = tenant->member(*approved_by);
    if (approver == nullptr) {
        return deny("the approver " + *approved_by + " is not a member of " + tenant_label(*tenant));
    }
    const KindRules& rules = matrix.rules(tenant->tenant.kind);
    if (!has_role(rules.approvers, approver->role)) {
        std::vector<std::string> roles;
        for (Role role : rules.approvers) roles.emplace_back(to_string(role));
        return deny("the approver " + *approved_by + " is " + std::string(to_string(approver->role)) +
                    "; approvals in a " + std::string(to_string(tenant->tenant.kind)) +
                    " come from: " + joined(roles));
    }
    Decision own = decide(matrix, tenant, *approved_by, action, now);
    if (own.verdict != Verdict::allow) {
        return deny("the approver " + *approved_by + " may not approve " + std::string(action) +
                    ": " + own.reason);
    }
    return Decision{Verdict::allow, decision.reason + "; approved by " + *approved_by, {}};
}

}  // namespace signet::policy
