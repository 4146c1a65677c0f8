// The invitation's checks (e-mail, name, digests), what is stored (a MAC, never the code) and
// the sweep of expired guests.

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

const std::string digest_a(64, 'a');
const std::string digest_b = "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef";

struct Firm : DevInstallation {
    config::ClientIdentity platform{std::string(64, 'p'), "platform", config::Role::platform};
    daemon::GuestContext guests{*db, db_mutex, *token, clock, config.guests};

    Firm() {
        need(daemon::ensure_guest_code_key(*token));
        daemon::Register(*db).put_tenant(policy::Tenant{"cab", policy::TenantKind::cabinet, "Cabinet Roux"}).value();
    }

    Result<daemon::JsonReply> invite(const json& body, const std::string& tenant = "cab") {
        return daemon::invite_guest(guests, platform, tenant, body.dump());
    }
};

json invitation() {
    return json{{"email", "marie.dupont@example.fr"}, {"name", "Marie Dupont"}, {"documents_sha256", {digest_a, digest_b}}};
}

BOOST_AUTO_TEST_CASE(addresses_in_the_common_form_are_accepted) {
    for (const char* email : {"a@b.fr", "marie.dupont@example.fr", "x+tag@mail.example.co.uk", "o'brien@example.ie",
                              "a_b-c@sub-domain.example.com", "1234@example.fr"}) {
        BOOST_TEST(daemon::check_guest_email(email).has_value(), email);
    }
}

BOOST_AUTO_TEST_CASE(malformed_addresses_are_refused) {
    for (const char* email : {"", "marie", "@example.fr", "marie@", "marie@example", "marie@@example.fr",
                              "ma rie@example.fr", ".marie@example.fr", "marie.@example.fr", "ma..rie@example.fr",
                              "marie@example..fr", "marie@-example.fr", "marie@example-.fr", "marie@example.123",
                              "\"marie\"@example.fr", "marie@[127.0.0.1]", "marié@example.fr", "marie@exa_mple.fr",
                              "marie@example.fr\n"}) {
        auto checked = daemon::check_guest_email(email);
        BOOST_TEST(!checked.has_value(), email);
        if (!checked) BOOST_TEST((checked.error().code == Errc::bad_request));
    }
    BOOST_TEST(!daemon::check_guest_email(std::string(120, 'a') + "@example.fr").has_value());
}

BOOST_AUTO_TEST_CASE(names_are_printable_text_of_at_most_128_characters) {
    BOOST_TEST(daemon::check_guest_name("Marie Dupont").has_value());
    BOOST_TEST(daemon::check_guest_name("Émilie Lefèvre-Łukasiewicz").has_value());
    BOOST_TEST(daemon::check_guest_name(std::string(128, 'x')).has_value());
    // 128 characters of two bytes each: the limit counts characters, not bytes.
    std::string accents;
    for (int i = 0; i < 128; ++i) accents += "é";
    BOOST_TEST(daemon::check_guest_name(accents).has_value());
    for (const std::string& name : {std::string(), std::string(129, 'x'), std::string("   "), std::string("Marie\nDupont"),
                                    std::string("Marie\tDupont"), std::string("Marie\x7f"), std::string("\xc3\x28"),
                                    std::string("\xc0\xaf"), std::string("\xed\xa0\x80"), std::string("a\xe2\x80\xa8" "b")}) {
        BOOST_TEST(!daemon::check_guest_name(name).has_value(), json::binary(std::vector<std::uint8_t>(name.begin(), name.end())).dump());
    }
}

BOOST_FIXTURE_TEST_CASE(an_invitation_keeps_a_mac_of_the_code_and_is_on_record, Firm) {
    auto reply = need(invite(invitation()));
    BOOST_TEST(reply.status == 201U);
    const std::string id = reply.body.at("guest_id");
    const std::string code = reply.body.at("code");
    BOOST_TEST(id.size() == 34U);
    BOOST_TEST(code.size() == 6U);
    BOOST_TEST(code.find_first_not_of("0123456789") == std::string::npos);
    BOOST_TEST(reply.body.at("expires") == format_timestamp(clock.now() + std::chrono::minutes(15)));

    auto guest = need(daemon::load_guest(*db, id));
    BOOST_REQUIRE(guest.has_value());
    BOOST_TEST(guest->tenant == "cab");
    BOOST_TEST(guest->email == "marie.dupont@example.fr");
    // Digests are kept in lower case, whatever case the platform sent.
    BOOST_TEST(guest->documents == (std::vector<std::string>{digest_a, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}));
    BOOST_TEST(guest->code_mac == need(daemon::guest_code_mac(*token, id, code)));
    // The row holds no trace of the code itself.
    auto row = need(db->prepare("SELECT quote(guests.code_mac) || tenant || email || name || documents FROM guests"));
    BOOST_REQUIRE(need(row.step()));
    BOOST_TEST(row.column_text(0).find(code) == std::string::npos);

    auto entries = need(db->prepare("SELECT entry FROM audit_log WHERE event = 'guest_invited'"));
    BOOST_REQUIRE(need(entries.step()));
    const json entry = json::parse(entries.column_text(0));
    BOOST_TEST(entry.at("detail").at("email") == "marie.dupont@example.fr");
    BOOST_TEST(entry.at("detail").at("guest_id") == id);
    BOOST_TEST(entry.dump().find(code) == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(bad_invitations_are_refused_with_the_field_named, Firm) {
    auto refused = [&](json body, const std::string& words) {
        auto reply = invite(body);
        BOOST_REQUIRE(!reply.has_value());
        BOOST_TEST((reply.error().code == Errc::bad_request));
        BOOST_TEST(reply.error().message.find(words) != std::string::npos, reply.error().message);
    };
    json body = invitation();
    body["email"] = "not an address";
    refused(body, "'email'");
    body = invitation();
    body["name"] = "Marie\nDupont";
    refused(body, "'name'");
    body = invitation();
    body["documents_sha256"] = json::array();
    refused(body, "1 to 50");
    body["documents_sha256"] = std::vector<std::string>(51, digest_a);
    refused(body, "1 to 50");
    body["documents_sha256"] = {digest_a, "abc"};
    refused(body, "documents_sha256[1]");
    body["documents_sha256"] = {std::string(63, 'a') + "g"};
    refused(body, "documents_sha256[0]");
    body = invitation();
    body["extra"] = 1;
    refused(body, "extra");
    body = invitation();
    body.erase("name");
    refused(body, "'name'");
    auto unknown = invite(invitation(), "nowhere");
    BOOST_REQUIRE(!unknown.has_value());
    BOOST_TEST((unknown.error().code == Errc::not_found));
}

BOOST_FIXTURE_TEST_CASE(the_sweep_removes_guests_a_day_after_their_code_expired, Firm) {
    const std::string id = need(invite(invitation())).body.at("guest_id");
    clock.advance(std::chrono::hours(24));
    BOOST_TEST(need(daemon::remove_expired_guests(guests)) == 0U);
    BOOST_TEST(need(daemon::load_guest(*db, id)).has_value());
    clock.advance(std::chrono::minutes(16));
    BOOST_TEST(need(daemon::remove_expired_guests(guests)) == 1U);
    BOOST_TEST(!need(daemon::load_guest(*db, id)).has_value());
}

}  // namespace
