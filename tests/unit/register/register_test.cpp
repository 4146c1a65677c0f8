#include "register/register.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/support/temp_dir.hpp"

namespace {

using namespace signet;
using namespace signet::policy;
using signet::Errc;
using signet::daemon::Register;

const Timestamp noon = end_of(*parse_date("2026-11-22")) + std::chrono::hours(12);

struct Fixture {
    signet::test::TempDir dir{"signet-register"};
    signet::store::Database db = std::move(*signet::store::Database::open(dir / "signet.db"));
    Register register_{db};

    Fixture() {
        BOOST_REQUIRE(register_.put_tenant(Tenant{"cab", TenantKind::cabinet, "Cabinet Roux"}));
        BOOST_REQUIRE(register_.put_member("cab", Member{"ec1", Role::ec, "Jeanne Roux"}));
        BOOST_REQUIRE(register_.put_member("cab", Member{"col", Role::collaborator, "Hugo"}));
    }

    std::int64_t grant(const std::string& grantee, DelegationState state) {
        Delegation delegation{0, "cab", grantee, "ec1", {"sceller", "signer"}, *parse_date("2027-03-01"),
                              state, "ec1", noon};
        auto id = register_.insert(delegation);
        BOOST_REQUIRE(id);
        return *id;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(delegation_register, Fixture)

BOOST_AUTO_TEST_CASE(a_tenant_loads_with_its_members_and_delegations) {
    auto id = grant("col", DelegationState::active);
    auto view = register_.load("cab");
    BOOST_REQUIRE(view);
    BOOST_REQUIRE(view->has_value());
    const TenantView& tenant = **view;
    BOOST_TEST(tenant.tenant.name == "Cabinet Roux");
    BOOST_TEST(tenant.members.size() == 2U);
    BOOST_REQUIRE(tenant.member("col") != nullptr);
    BOOST_TEST((tenant.member("col")->role == Role::collaborator));
    BOOST_REQUIRE(tenant.delegations.size() == 1U);
    const Delegation& stored = tenant.delegations[0];
    BOOST_TEST(stored.id == id);
    BOOST_TEST(stored.rights == (std::vector<std::string>{"sceller", "signer"}), boost::test_tools::per_element());
    BOOST_TEST(format_date(stored.expires) == "2027-03-01");
    BOOST_TEST((stored.changed_at == noon));

    auto absent = register_.load("nowhere");
    BOOST_REQUIRE(absent);
    BOOST_TEST(!absent->has_value());
}

BOOST_AUTO_TEST_CASE(a_request_keeps_no_grantor_until_accepted) {
    auto id = grant("col", DelegationState::pending);
    auto pending = register_.delegation(id);
    BOOST_REQUIRE(pending);
    BOOST_REQUIRE(pending->has_value());
    Delegation delegation = **pending;
    BOOST_TEST((delegation.state == DelegationState::pending));
    delegation.grantor = "";
    BOOST_REQUIRE(register_.update(delegation));
    BOOST_TEST((*register_.delegation(id))->grantor.empty());
    delegation.grantor = "ec1";
    delegation.state = DelegationState::active;
    BOOST_REQUIRE(register_.update(delegation));
    BOOST_TEST((*register_.delegation(id))->grantor == "ec1");
    BOOST_TEST(!register_.delegation(id + 100)->has_value());
}

BOOST_AUTO_TEST_CASE(removing_a_member_ends_their_delegations_only) {
    BOOST_REQUIRE(register_.put_member("cab", Member{"other", Role::collaborator, "Léa"}));
    auto mine = grant("col", DelegationState::active);
    auto requested = grant("col", DelegationState::pending);
    auto theirs = grant("other", DelegationState::active);
    auto ended = register_.remove_member("cab", "col", noon);
    BOOST_REQUIRE(ended);
    BOOST_TEST(*ended == (std::vector<std::int64_t>{mine, requested}), boost::test_tools::per_element());
    BOOST_TEST(((*register_.delegation(mine))->state == DelegationState::ended));
    BOOST_TEST(((*register_.delegation(theirs))->state == DelegationState::active));
    auto again = register_.remove_member("cab", "col", noon);
    BOOST_REQUIRE(!again);
    BOOST_TEST((again.error().code == Errc::not_found));
}

BOOST_AUTO_TEST_CASE(delegations_stay_in_their_tenant) {
    BOOST_REQUIRE(register_.put_tenant(Tenant{"cab2", TenantKind::cabinet, "Cabinet Deux"}));
    BOOST_REQUIRE(register_.put_member("cab2", Member{"col", Role::collaborator, "Hugo"}));
    grant("col", DelegationState::active);  // in "cab"
    BOOST_TEST((*register_.load("cab"))->delegations.size() == 1U);
    BOOST_TEST((*register_.load("cab2"))->delegations.empty());
    // Leaving one firm ends nothing in the other.
    BOOST_REQUIRE(register_.remove_member("cab2", "col", noon));
    BOOST_TEST(((*register_.load("cab"))->delegations[0].state == DelegationState::active));
}

BOOST_AUTO_TEST_CASE(a_tenant_with_members_keeps_its_kind) {
    auto changed = register_.put_tenant(Tenant{"cab", TenantKind::croec, "Renamed"});
    BOOST_REQUIRE(!changed);
    BOOST_TEST((changed.error().code == Errc::conflict));
    BOOST_REQUIRE(register_.put_tenant(Tenant{"cab", TenantKind::cabinet, "Cabinet Roux & Fils"}));
    BOOST_TEST((*register_.load("cab"))->tenant.name == "Cabinet Roux & Fils");
}

BOOST_AUTO_TEST_SUITE_END()
