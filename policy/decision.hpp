#pragma once
// A decision of the rights matrix for (tenant, actor, action), with a reason a person
// understands and, when an approval is needed, the people who may give it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/matrix.hpp"
#include "policy/model.hpp"

namespace signet::policy {

enum class Verdict { allow, deny, approval_required };
std::string_view to_string(Verdict verdict);

struct Decision {
    Verdict verdict = Verdict::deny;
    std::string reason;
    std::vector<std::string> approvers;  // persons, for approval_required
};

// `tenant` is null when the tenant is not registered. `action` must be one of the matrix's.
Decision decide(const Matrix& matrix, const TenantView* tenant, std::string_view actor,
                std::string_view action, Timestamp now);

// As decide(), and an approval_required decision becomes allow when `approved_by` names a
// member whom the matrix lets approve and who may take the action themselves; deny otherwise.
Decision decide_with_approval(const Matrix& matrix, const TenantView* tenant,
                              std::string_view actor, std::string_view action,
                              const std::optional<std::string>& approved_by, Timestamp now);

}  // namespace signet::policy
