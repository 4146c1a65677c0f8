#include "tests/unit/policy/tenants.hpp"

#include <stdexcept>

namespace signet::test {

using namespace policy;

const Matrix& shipped_matrix() {
    static const Matrix matrix = [] {
        auto loaded = Matrix::load(SIGNET_RIGHTS_MATRIX);
        if (!loaded) throw std::runtime_error(loaded.error().message);
        return std::move(*loaded);
    }();
    return matrix;
}

Delegation delegation_of(const std::string& grantee, const std::string& right, const char* expires,
                         DelegationState state) {
    static std::int64_t next_id = 1;
    return Delegation{next_id++, "t", grantee, "ec", {right}, *parse_date(expires), state, "ec", test_now};
}

TenantView tenant_with(TenantKind kind, Role role, const std::optional<std::string>& right) {
    TenantView view;
    view.tenant = Tenant{"t", kind, kind == TenantKind::cabinet ? "Cabinet Test" : "CROEC Test"};
    if (kind == TenantKind::cabinet) {
        view.members = {{"ec", Role::ec, "E"}};
    } else {
        view.members = {{"pres", Role::president, "P"}, {"sg", Role::secretary_general, "S"}};
    }
    view.members.push_back({"m", role, "M"});
    if (right) view.delegations.push_back(delegation_of("m", *right, "2027-06-30"));
    return view;
}

}  // namespace signet::test
