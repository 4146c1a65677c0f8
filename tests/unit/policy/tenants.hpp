#pragma once
// Tenants for the policy tests: a member with one delegation in force, or none, in a cabinet or
// a CROEC with its principals (who are the approvers the decisions must name).

#include <optional>
#include <string>

#include "policy/decision.hpp"
#include "policy/matrix.hpp"

namespace signet::test {

inline const signet::Timestamp test_now = signet::end_of(*signet::parse_date("2026-11-22")) + std::chrono::hours(10);

const policy::Matrix& shipped_matrix();

// A cabinet (EC "ec") or a CROEC (president "pres", secrétaire général "sg"), plus the member
// "m" with `role` and, when `right` is given, one delegation of that right in force.
policy::TenantView tenant_with(policy::TenantKind kind, policy::Role role,
                               const std::optional<std::string>& right);

policy::Delegation delegation_of(const std::string& grantee, const std::string& right, const char* expires,
                                 policy::DelegationState state = policy::DelegationState::active);

}  // namespace signet::test
