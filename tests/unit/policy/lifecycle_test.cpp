// Delegations over time and through their lifecycle: expiry to the second, deactivation,
// requests, who may grant, to whom, for how long.

#include <boost/test/unit_test.hpp>

#include "policy/lifecycle.hpp"
#include "tests/unit/policy/tenants.hpp"

namespace {

using namespace signet;
using namespace signet::policy;
using signet::Errc;
using signet::test::delegation_of;
using signet::test::shipped_matrix;
using signet::test::tenant_with;
using signet::test::test_now;

Timestamp at(const char* date, int hours, int minutes, int seconds) {
    return Timestamp(std::chrono::sys_days(*parse_date(date))) + std::chrono::hours(hours) +
           std::chrono::minutes(minutes) + std::chrono::seconds(seconds);
}

void expect_refused(const signet::Status& status, Errc code, const std::string& words) {
    BOOST_REQUIRE(!status);
    BOOST_TEST((status.error().code == code), status.error().message);
    BOOST_TEST(status.error().message.find(words) != std::string::npos, status.error().message);
}

DelegationTerms terms(const std::string& grantee, std::vector<std::string> rights, const char* expires) {
    return DelegationTerms{grantee, std::move(rights), *parse_date(expires)};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(delegations_over_time)

BOOST_AUTO_TEST_CASE(expiry_holds_to_the_last_second_of_the_day) {
    auto view = tenant_with(TenantKind::cabinet, Role::collaborator, std::nullopt);
    view.delegations.push_back(delegation_of("m", "sceller", "2026-10-01"));
    auto last_second = decide(shipped_matrix(), &view, "m", "document.seal", at("2026-10-01", 23, 59, 59));
    BOOST_TEST((last_second.verdict == Verdict::allow), last_second.reason);
    auto next_day = decide(shipped_matrix(), &view, "m", "document.seal", at("2026-10-02", 0, 0, 0));
    BOOST_TEST((next_day.verdict == Verdict::deny));
    BOOST_TEST(next_day.reason.find("expired on 2026-10-01") != std::string::npos, next_day.reason);
    BOOST_TEST(status_at(view.delegations[0], at("2026-10-02", 0, 0, 0)) == "expired");
}

BOOST_AUTO_TEST_CASE(deactivated_and_pending_delegations_say_so) {
    auto view = tenant_with(TenantKind::cabinet, Role::collaborator, std::nullopt);
    auto off = delegation_of("m", "sceller", "2027-06-30", DelegationState::deactivated);
    off.changed_by = "ec";
    off.changed_at = at("2026-11-20", 9, 0, 0);
    view.delegations.push_back(off);
    auto deactivated = decide(shipped_matrix(), &view, "m", "document.seal", test_now);
    BOOST_TEST((deactivated.verdict == Verdict::deny));
    BOOST_TEST(deactivated.reason.find("deactivated by ec on 2026-11-20") != std::string::npos, deactivated.reason);

    auto requested = tenant_with(TenantKind::cabinet, Role::collaborator, std::nullopt);
    requested.delegations.push_back(delegation_of("m", "sceller", "2027-06-30", DelegationState::pending));
    auto pending = decide(shipped_matrix(), &requested, "m", "document.seal", test_now);
    BOOST_TEST((pending.verdict == Verdict::deny));
    BOOST_TEST(pending.reason.find("pending") != std::string::npos, pending.reason);
}

BOOST_AUTO_TEST_CASE(refusals_name_what_is_missing) {
    auto lancer = tenant_with(TenantKind::cabinet, Role::collaborator, "lancer");
    auto wrong_right = decide(shipped_matrix(), &lancer, "m", "document.seal", test_now);
    BOOST_TEST(wrong_right.reason.find("lancer") != std::string::npos, wrong_right.reason);
    BOOST_TEST(wrong_right.reason.find("sceller") != std::string::npos, wrong_right.reason);
    auto ec_only = decide(shipped_matrix(), &lancer, "m", "platform.add_users", test_now);
    BOOST_TEST(ec_only.reason.find("collaborator cannot hold platform.add_users") != std::string::npos, ec_only.reason);
    auto croec = tenant_with(TenantKind::croec, Role::permanent, std::nullopt);
    auto president_only = decide(shipped_matrix(), &croec, "sg", "platform.accept_terms", test_now);
    BOOST_TEST((president_only.verdict == Verdict::deny));
    BOOST_TEST(president_only.reason.find("secretary_general cannot hold") != std::string::npos, president_only.reason);
}

BOOST_AUTO_TEST_CASE(a_preparer_is_allowed_once_an_approver_agrees) {
    auto view = tenant_with(TenantKind::cabinet, Role::collaborator, "preparer");
    view.members.push_back({"other", Role::collaborator, "O"});
    auto decide_with = [&](std::optional<std::string> approver) {
        return decide_with_approval(shipped_matrix(), &view, "m", "document.seal", approver, test_now);
    };
    BOOST_TEST((decide_with(std::nullopt).verdict == Verdict::approval_required));
    BOOST_TEST((decide_with("ec").verdict == Verdict::allow));
    BOOST_TEST((decide_with("other").verdict == Verdict::deny));
    BOOST_TEST((decide_with("stranger").verdict == Verdict::deny));
    auto signer = tenant_with(TenantKind::cabinet, Role::collaborator, "signer");
    auto already = decide_with_approval(shipped_matrix(), &signer, "m", "document.seal", std::string("ec"), test_now);
    BOOST_TEST((already.verdict == Verdict::allow));
}

BOOST_AUTO_TEST_CASE(a_person_in_two_firms_holds_each_firms_delegations_only) {
    // "m" works for two firms; the sceller delegation is the first firm's.
    auto first = tenant_with(TenantKind::cabinet, Role::collaborator, "sceller");
    auto second = tenant_with(TenantKind::cabinet, Role::collaborator, std::nullopt);
    second.tenant.id = "other-firm";
    BOOST_TEST((decide(shipped_matrix(), &first, "m", "document.seal", test_now).verdict == Verdict::allow));
    auto elsewhere = decide(shipped_matrix(), &second, "m", "document.seal", test_now);
    BOOST_TEST((elsewhere.verdict == Verdict::deny));
    BOOST_TEST(elsewhere.reason.find("holds no delegation in force in Cabinet Test (other-firm)") != std::string::npos,
               elsewhere.reason);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(delegation_lifecycle)

BOOST_AUTO_TEST_CASE(only_grantors_grant) {
    auto cabinet = tenant_with(TenantKind::cabinet, Role::collaborator, std::nullopt);
    cabinet.members.push_back({"c2", Role::collaborator, "C"});
    BOOST_TEST(check_grant(shipped_matrix(), cabinet, "ec", terms("m", {"sceller"}, "2027-01-31"), test_now).has_value());
    expect_refused(check_grant(shipped_matrix(), cabinet, "c2", terms("m", {"sceller"}, "2027-01-31"), test_now),
                   Errc::forbidden, "only ec");
    auto croec = tenant_with(TenantKind::croec, Role::permanent, std::nullopt);
    expect_refused(check_grant(shipped_matrix(), croec, "pres", terms("m", {"signer"}, "2027-01-31"), test_now),
                   Errc::forbidden, "only secretary_general");
    BOOST_TEST(check_grant(shipped_matrix(), croec, "sg", terms("m", {"signer"}, "2027-01-31"), test_now).has_value());
}

BOOST_AUTO_TEST_CASE(grants_go_to_members_for_known_rights_within_a_year) {
    auto view = tenant_with(TenantKind::cabinet, Role::collaborator, std::nullopt);
    auto grant = [&](DelegationTerms t) { return check_grant(shipped_matrix(), view, "ec", t, test_now); };
    expect_refused(grant(terms("client", {"sceller"}, "2027-01-31")), Errc::invalid_delegation, "not a member");
    expect_refused(grant(terms("ec", {"sceller"}, "2027-01-31")), Errc::invalid_delegation, "without a delegation");
    expect_refused(grant(terms("m", {}, "2027-01-31")), Errc::invalid_delegation, "at least one");
    expect_refused(grant(terms("m", {"nouveau"}, "2027-01-31")), Errc::invalid_delegation, "not a delegation");
    expect_refused(grant(terms("m", {"signer", "signer"}, "2027-01-31")), Errc::invalid_delegation, "twice");
    // Today is 2026-11-23: the latest expiry is 2027-11-23.
    BOOST_TEST(grant(terms("m", {"signer"}, "2027-11-23")).has_value());
    expect_refused(grant(terms("m", {"signer"}, "2027-11-24")), Errc::invalid_delegation, "at most one year");
    expect_refused(grant(terms("m", {"signer"}, "2026-11-22")), Errc::invalid_delegation, "already past");
}

BOOST_AUTO_TEST_CASE(requests_wait_for_a_grantor) {
    auto view = tenant_with(TenantKind::cabinet, Role::collaborator, std::nullopt);
    view.members.push_back({"c2", Role::collaborator, "C"});
    BOOST_TEST(check_request(shipped_matrix(), view, terms("m", {"sceller"}, "2027-03-01"), test_now).has_value());
    auto request = delegation_of("m", "sceller", "2027-03-01", DelegationState::pending);
    expect_refused(check_accept(shipped_matrix(), view, request, "c2", test_now), Errc::forbidden, "cannot accept");
    BOOST_TEST(check_accept(shipped_matrix(), view, request, "ec", test_now).has_value());
    auto granted = delegation_of("m", "sceller", "2027-03-01");
    expect_refused(check_accept(shipped_matrix(), view, granted, "ec", test_now), Errc::conflict, "not a pending request");
}

BOOST_AUTO_TEST_CASE(deactivate_reactivate_and_prolong) {
    auto view = tenant_with(TenantKind::cabinet, Role::collaborator, std::nullopt);
    auto granted = delegation_of("m", "sceller", "2027-03-01");
    BOOST_TEST(check_set_active(shipped_matrix(), view, granted, "ec", false, test_now).has_value());
    expect_refused(check_set_active(shipped_matrix(), view, granted, "m", false, test_now), Errc::forbidden, "cannot deactivate");
    auto pending = delegation_of("m", "sceller", "2027-03-01", DelegationState::pending);
    expect_refused(check_set_active(shipped_matrix(), view, pending, "ec", true, test_now), Errc::conflict, "pending");
    BOOST_TEST(check_prolong(shipped_matrix(), view, granted, "ec", *parse_date("2027-11-23"), test_now).has_value());
    expect_refused(check_prolong(shipped_matrix(), view, granted, "ec", *parse_date("2027-12-01"), test_now),
                   Errc::invalid_delegation, "at most one year");
    auto ended = delegation_of("m", "sceller", "2027-03-01", DelegationState::ended);
    expect_refused(check_prolong(shipped_matrix(), view, ended, "ec", *parse_date("2027-05-01"), test_now),
                   Errc::conflict, "ended");
}

BOOST_AUTO_TEST_SUITE_END()
