#include "policy/lifecycle.hpp"

#include <algorithm>
#include <set>

namespace signet::policy {
namespace {

std::string tenant_label(const TenantView& tenant) { return tenant.tenant.id; }

std::string role_list(const std::vector<Role>& roles) {
    std::string out;
    for (Role role : roles) {
        if (!out.empty()) out += ", ";
        out += to_string(role);
    }
    return out;
}

// `person` may grant, deactivate, prolong and accept in this tenant.
Status check_grantor(const Matrix& matrix, const TenantView& tenant, const std::string& person,
                     std::string_view doing) {
    const Member* member = tenant.member(person);
    if (member == nullptr) {
        return fail(Errc::forbidden, person + " is not a member of " + tenant_label(tenant) +
                                         " and cannot " + std::string(doing));
    }
    const auto& grantors = matrix.rules(tenant.tenant.kind).grantors;
    if (std::find(grantors.begin(), grantors.end(), member->role) == grantors.end()) {
        return fail(Errc::forbidden, person + " is " + std::string(to_string(member->role)) +
                                         " and cannot " + std::string(doing) + "; in a " +
                                         std::string(to_string(tenant.tenant.kind)) +
                                         " only " + role_list(grantors) + " can");
    }
    return {};
}

Status check_expiry(Date expires, Timestamp now) {
    const Date today = day_of(now);
    if (std::chrono::sys_days(expires) < std::chrono::sys_days(today)) {
        return fail(Errc::invalid_delegation,
                    "the expiry date " + format_date(expires) + " is already past (today is " +
                        format_date(today) + ")");
    }
    const Date latest = one_year_after(today);
    if (std::chrono::sys_days(expires) > std::chrono::sys_days(latest)) {
        return fail(Errc::invalid_delegation, "a delegation lasts at most one year: the expiry date " +
                                                  format_date(expires) + " is after " +
                                                  format_date(latest));
    }
    return {};
}

Status check_terms(const Matrix& matrix, const TenantView& tenant, const DelegationTerms& terms,
                   Timestamp now) {
    const Member* grantee = tenant.member(terms.grantee);
    if (grantee == nullptr) {
        return fail(Errc::invalid_delegation,
                    terms.grantee + " is not a member of " + tenant_label(tenant) +
                        ": delegations go to members of the same tenant only, never to clients");
    }
    const auto& principals = matrix.rules(tenant.tenant.kind).principals;
    if (std::find(principals.begin(), principals.end(), grantee->role) != principals.end()) {
        return fail(Errc::invalid_delegation,
                    terms.grantee + " is " + std::string(to_string(grantee->role)) + " of " +
                        tenant_label(tenant) + " and holds its rights without a delegation");
    }
    if (terms.rights.empty()) return fail(Errc::invalid_delegation, "a delegation needs at least one right");
    std::set<std::string> seen;
    for (const auto& right : terms.rights) {
        if (!matrix.has_delegation(right)) {
            std::string known;
            for (const auto& id : matrix.delegations()) known += (known.empty() ? "" : ", ") + id;
            return fail(Errc::invalid_delegation,
                        "\"" + right + "\" is not a delegation; the delegations are: " + known);
        }
        if (!seen.insert(right).second) {
            return fail(Errc::invalid_delegation, "the right " + right + " is listed twice");
        }
    }
    return check_expiry(terms.expires, now);
}

Status check_granted(const Delegation& delegation, std::string_view doing) {
    if (delegation.state == DelegationState::pending) {
        return fail(Errc::conflict, "delegation #" + std::to_string(delegation.id) +
                                        " is a pending request: accept it before you " +
                                        std::string(doing) + " it");
    }
    if (delegation.state == DelegationState::ended) {
        return fail(Errc::conflict, "delegation #" + std::to_string(delegation.id) +
                                        " has ended (its holder left the tenant)");
    }
    return {};
}

}  // namespace

Status check_grant(const Matrix& matrix, const TenantView& tenant, const std::string& grantor,
                   const DelegationTerms& terms, Timestamp now) {
    if (auto allowed = check_grantor(matrix, tenant, grantor, "grant delegations"); !allowed) return allowed;
    return check_terms(matrix, tenant, terms, now);
}

Status check_request(const Matrix& matrix, const TenantView& tenant, const DelegationTerms& terms,
                     Timestamp now) {
    return check_terms(matrix, tenant, terms, now);
}

Status check_accept(const Matrix& matrix, const TenantView& tenant, const Delegation& request,
                    const std::string& grantor, Timestamp now) {
    if (request.state != DelegationState::pending) {
        return fail(Errc::conflict, "delegation #" + std::to_string(request.id) + " is " +
                                        std::string(to_string(request.state)) +
                                        ", not a pending request");
    }
    if (auto allowed = check_grantor(matrix, tenant, grantor, "accept delegation requests"); !allowed) {
        return allowed;
    }
    return check_terms(matrix, tenant, DelegationTerms{request.grantee, request.rights, request.expires}, now);
}

Status check_set_active(const Matrix& matrix, const TenantView& tenant, const Delegation& delegation,
                        const std::string& by, bool active, Timestamp /*now*/) {
    std::string_view doing = active ? "reactivate" : "deactivate";
    if (auto allowed = check_grantor(matrix, tenant, by, std::string(doing) + " delegations"); !allowed) {
        return allowed;
    }
    return check_granted(delegation, doing);
}

Status check_prolong(const Matrix& matrix, const TenantView& tenant, const Delegation& delegation,
                     const std::string& by, Date expires, Timestamp now) {
    if (auto allowed = check_grantor(matrix, tenant, by, "prolong delegations"); !allowed) return allowed;
    if (auto granted = check_granted(delegation, "prolong"); !granted) return granted;
    return check_expiry(expires, now);
}

}  // namespace signet::policy
