#pragma once
// The rules of the delegation lifecycle (rights-matrix.md, "The four delegations"): who may
// grant, to whom, which rights, until when. Each check returns the refusal with its reason:
// forbidden (403) when the person acting may not do it, invalid_delegation (422) when the
// delegation itself is wrong, conflict (409) when its state does not allow the change.

#include <string>
#include <vector>

#include "base/error.hpp"
#include "policy/matrix.hpp"
#include "policy/model.hpp"

namespace signet::policy {

struct DelegationTerms {
    std::string grantee;
    std::vector<std::string> rights;
    Date expires;
};

// A grant by `grantor` now.
Status check_grant(const Matrix& matrix, const TenantView& tenant, const std::string& grantor,
                   const DelegationTerms& terms, Timestamp now);
// A member's request, pending until a grantor accepts it.
Status check_request(const Matrix& matrix, const TenantView& tenant, const DelegationTerms& terms,
                     Timestamp now);
// `grantor` accepts the pending `request` now (the year is counted from the acceptance).
Status check_accept(const Matrix& matrix, const TenantView& tenant, const Delegation& request,
                    const std::string& grantor, Timestamp now);
// `by` deactivates (active = false) or reactivates a granted delegation.
Status check_set_active(const Matrix& matrix, const TenantView& tenant, const Delegation& delegation,
                        const std::string& by, bool active, Timestamp now);
// `by` moves the expiry of a granted delegation to `expires` (at most a year from now).
Status check_prolong(const Matrix& matrix, const TenantView& tenant, const Delegation& delegation,
                     const std::string& by, Date expires, Timestamp now);

}  // namespace signet::policy
