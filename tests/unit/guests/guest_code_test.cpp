// A guest's code below the API, with the daemon's clock a ManualClock: good once, refused once
// expired, three wrong codes lock the guest for good, and every refusal is on record.

#include <set>

#include <boost/test/unit_test.hpp>

#include "guests/guest_code.hpp"
#include "guests/guest_register.hpp"
#include "register/register.hpp"
#include "tests/support/dev_installation.hpp"

namespace {

using namespace signet;
using signet::test::DevInstallation;
using signet::test::need;
using nlohmann::json;

struct Invited : DevInstallation {
    config::ClientIdentity platform{std::string(64, 'p'), "platform", config::Role::platform};
    daemon::GuestContext guests{*db, db_mutex, *token, clock, config.guests};
    std::string id;
    std::string code;

    Invited() {
        need(daemon::ensure_guest_code_key(*token));
        daemon::Register(*db).put_tenant(policy::Tenant{"cab", policy::TenantKind::cabinet, "Cabinet Roux"}).value();
        json body{{"email", "paul@example.fr"}, {"name", "Paul Martin"}, {"documents_sha256", {std::string(64, 'c')}}};
        auto reply = need(daemon::invite_guest(guests, platform, "cab", body.dump()));
        id = reply.body.at("guest_id");
        code = reply.body.at("code");
    }

    Result<daemon::GuestActivation> check(const std::string& given) {
        audit::Entry base;
        base.tenant = "cab";
        base.actor = id;
        return daemon::check_guest_code(guests, base, id, given);
    }

    // A code that is not the guest's.
    std::string wrong() const { return code == "000000" ? "000001" : "000000"; }

    std::vector<json> entries(const std::string& event) {
        std::vector<json> found;
        auto statement = need(db->prepare("SELECT entry FROM audit_log WHERE event = ? ORDER BY seq"));
        statement.bind(1, event);
        while (need(statement.step())) found.push_back(json::parse(statement.column_text(0)));
        return found;
    }

    void expect_refused(const Result<daemon::GuestActivation>& result, const std::string& words) {
        BOOST_REQUIRE(!result.has_value());
        BOOST_TEST((result.error().code == Errc::activation_failed));
        BOOST_TEST(result.error().message.find(words) != std::string::npos, result.error().message);
        BOOST_TEST(result.error().message.find(code) == std::string::npos);
    }
};

BOOST_AUTO_TEST_CASE(codes_are_six_digits_and_vary) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const std::string code = need(daemon::draw_guest_code());
        BOOST_TEST(code.size() == 6U);
        BOOST_TEST(code.find_first_not_of("0123456789") == std::string::npos);
        seen.insert(code);
    }
    // 200 draws from a million: a repeat is possible (2 %), two would be suspicious.
    BOOST_TEST(seen.size() >= 198U);
}

BOOST_FIXTURE_TEST_CASE(the_right_code_is_good_once, Invited) {
    auto first = check(code);
    BOOST_REQUIRE_MESSAGE(first.has_value(), (first ? std::string() : first.error().message));
    BOOST_TEST((first->checked_at == clock.now()));
    const auto activations = entries("guest_activation");
    BOOST_REQUIRE(activations.size() == 1U);
    BOOST_TEST(activations[0].at("seq") == first->audit_seq);
    BOOST_TEST(activations[0].at("detail").at("email") == "paul@example.fr");
    BOOST_TEST(activations[0].at("detail").at("code_checked_at") == format_timestamp(clock.now()));
    expect_refused(check(code), "was used");
}

BOOST_FIXTURE_TEST_CASE(an_expired_code_is_refused, Invited) {
    clock.advance(std::chrono::minutes(15));
    expect_refused(check(code), "expired");
    BOOST_TEST(entries("refusal").back().at("reason").get<std::string>().find("expired") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(three_wrong_codes_lock_the_guest_even_against_the_right_one, Invited) {
    expect_refused(check(wrong()), "is not guest");
    expect_refused(check(wrong()), "is not guest");
    BOOST_TEST(entries("guest_locked").empty());
    expect_refused(check(wrong()), "now locked");
    BOOST_TEST(entries("guest_locked").size() == 1U);
    BOOST_TEST(entries("refusal").back().at("detail").at("failures") == 3);
    expect_refused(check(code), "locked after 3 wrong codes");
    clock.advance(std::chrono::minutes(10));
    expect_refused(check(code), "locked");
    for (const json& entry : entries("refusal")) BOOST_TEST(entry.dump().find(code) == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(two_wrong_codes_then_the_right_one_pass, Invited) {
    expect_refused(check(wrong()), "is not guest");
    expect_refused(check(wrong()), "is not guest");
    BOOST_TEST(check(code).has_value());
}

BOOST_FIXTURE_TEST_CASE(a_code_is_bound_to_its_guest, Invited) {
    // The same six digits MACed for another guest id do not match.
    BOOST_TEST(need(daemon::guest_code_mac(*token, id, code)) != need(daemon::guest_code_mac(*token, "g-other", code)));
    json body{{"email", "anne@example.fr"}, {"name", "Anne"}, {"documents_sha256", {std::string(64, 'c')}}};
    const std::string other = need(daemon::invite_guest(guests, platform, "cab", body.dump())).body.at("guest_id");
    audit::Entry base;
    auto result = daemon::check_guest_code(guests, base, other, code);
    // Unless the two codes happen to be equal (one in a million), this is a wrong code.
    if (!result) BOOST_TEST((result.error().code == Errc::activation_failed));
}

}  // namespace
