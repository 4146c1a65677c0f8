#include "hsm/token.hpp"

#include <cstdint>
#include <string>

#include <boost/test/unit_test.hpp>

#include "tests/unit/hsm/softhsm.hpp"
#include "tests/unit/hsm/token_fixture.hpp"

namespace signet::hsm {
namespace {

using namespace test;

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(token_open)

BOOST_FIXTURE_TEST_CASE(opens_by_label, test::SoftHsm) {
    add_token(test::token_label);
    const auto token = Token::open(module, test::token_label, secret(test::user_pin), 2);
    BOOST_REQUIRE_MESSAGE(token, (token ? "" : message_of(token.error())));
}

BOOST_FIXTURE_TEST_CASE(opens_by_uri_with_percent_encoding, test::SoftHsm) {
    add_token("other");
    add_token("signet test;1");
    std::uint8_t n = 0;
    for (const char* uri :
         {"pkcs11:token=signet%20test%3B1",
          "pkcs11:model=SoftHSM%20v2;manufacturer=SoftHSM%20project;token=signet%20test%3b1",
          "pkcs11:token=signet%20test%3B1;object=seal;id=%01%02;type=private?pin-value=ignored"}) {
        const auto token = Token::open(module, uri, secret(test::user_pin), 2);
        BOOST_REQUIRE_MESSAGE(token,
                              uri + (token ? std::string() : ": " + message_of(token.error())));
        // The key lands in the token the URI names, not in the other one.
        const KeyId id{0x01, ++n};
        BOOST_REQUIRE((*token)->generate_key_pair(KeyAlgorithm::ec_p256, id, "k"));
        BOOST_TEST(RawSession(functions(), "signet test;1").find(CKO_PUBLIC_KEY, id).size() == 1U);
        BOOST_TEST(RawSession(functions(), "other").find(CKO_PUBLIC_KEY, id).empty());
    }
}

BOOST_FIXTURE_TEST_CASE(opens_by_serial, test::SoftHsm) {
    add_token("first");
    add_token("second");
    const CK_TOKEN_INFO info = test::token_info(functions(), "second");
    std::string serial(reinterpret_cast<const char*>(info.serialNumber), sizeof info.serialNumber);
    serial.erase(serial.find_last_not_of(' ') + 1);
    const auto token = Token::open(module, "pkcs11:serial=" + serial, secret(test::user_pin), 1);
    BOOST_REQUIRE_MESSAGE(token, (token ? "" : message_of(token.error())));
    const KeyId id{0x02};
    BOOST_REQUIRE((*token)->generate_key_pair(KeyAlgorithm::ec_p256, id, "k"));
    BOOST_TEST(RawSession(functions(), "second").find(CKO_PUBLIC_KEY, id).size() == 1U);
}

BOOST_FIXTURE_TEST_CASE(ambiguous_uri_is_a_conflict, test::SoftHsm) {
    add_token("first");
    add_token("second");
    const auto token =
        Token::open(module, "pkcs11:manufacturer=SoftHSM%20project", secret(test::user_pin), 1);
    BOOST_REQUIRE(!token);
    BOOST_TEST((token.error().code == Errc::conflict));
    BOOST_TEST(contains(token.error().message, "'first'"));
    BOOST_TEST(contains(token.error().message, "'second'"));
}

BOOST_FIXTURE_TEST_CASE(unknown_token_is_not_found, test::SoftHsm) {
    add_token(test::token_label);
    for (const char* name : {"no-such-token", "pkcs11:token=no-such-token?pin-value=hunter2"}) {
        const auto token = Token::open(module, name, secret(test::user_pin), 1);
        BOOST_REQUIRE(!token);
        BOOST_TEST((token.error().code == Errc::not_found), name);
        BOOST_TEST(contains(token.error().message, "no-such-token"), token.error().message);
        BOOST_TEST(contains(token.error().message, test::token_label), token.error().message);
        BOOST_TEST(!contains(token.error().message, "hunter2"));
    }
}

BOOST_FIXTURE_TEST_CASE(wrong_pin_is_refused_with_its_return_value, test::SoftHsm) {
    add_token(test::token_label);
    const auto token = Token::open(module, test::token_label, secret("not-the-pin"), 1);
    BOOST_REQUIRE(!token);
    BOOST_TEST((token.error().code == Errc::unavailable));
    BOOST_TEST(contains(token.error().message, "CKR_PIN_INCORRECT"), token.error().message);
    BOOST_TEST(!contains(token.error().message, "not-the-pin"));
}

BOOST_FIXTURE_TEST_CASE(refuses_bad_arguments, test::SoftHsm) {
    add_token(test::token_label);
    const auto check = [&](std::string_view token, std::string_view pin, unsigned sessions) {
        const auto opened = Token::open(module, token, secret(pin), sessions);
        BOOST_REQUIRE(!opened);
        BOOST_TEST((opened.error().code == Errc::bad_request), opened.error().message);
    };
    check(test::token_label, test::user_pin, 0);
    check(test::token_label, "", 1);
    check("", test::user_pin, 1);
    check(std::string(33, 'a'), test::user_pin, 1);
    check("pkcs11:token=%zz", test::user_pin, 1);
    check("pkcs11:label=signet-test", test::user_pin, 1);
}

BOOST_FIXTURE_TEST_CASE(closing_the_token_logs_out, test::OpenToken) {
    const KeyId id = ec_key(*this, {0x0C});
    BOOST_TEST(RawSession(functions(), test::token_label).find(CKO_PRIVATE_KEY, id).size() == 1U);
    token.reset();
    // Private objects are visible only to a logged-in application (PKCS#11 v2.40 §4.4).
    RawSession raw(functions(), test::token_label);
    BOOST_TEST(raw.find(CKO_PRIVATE_KEY, id).empty());
    BOOST_TEST(raw.find(CKO_PUBLIC_KEY, id).size() == 1U);
}

BOOST_FIXTURE_TEST_CASE(a_second_token_object_leaves_the_login_to_the_first, test::OpenToken) {
    const KeyId id = ec_key(*this, {0x0D});
    {
        auto second = Token::open(module, test::token_label, secret(test::user_pin), 1);
        BOOST_REQUIRE_MESSAGE(second, (second ? "" : message_of(second.error())));
        BOOST_TEST((*second)->sign(id, bytes_of("x")).has_value());
    }
    const auto signature = token->sign(id, bytes_of("still logged in"));
    BOOST_TEST(signature.has_value(), (signature ? "" : message_of(signature.error())));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(token_initialise)

BOOST_FIXTURE_TEST_CASE(initialises_a_token_with_both_pins, test::SoftHsm) {
    add_token("fresh");
    const CK_TOKEN_INFO info = test::token_info(functions(), "fresh");
    BOOST_TEST((info.flags & CKF_TOKEN_INITIALIZED) != 0U);
    BOOST_TEST((info.flags & CKF_USER_PIN_INITIALIZED) != 0U);
    // The SO PIN is not the user PIN.
    BOOST_TEST(!Token::open(module, "fresh", secret(test::so_pin), 1));
}

BOOST_FIXTURE_TEST_CASE(same_label_twice_is_a_conflict, test::SoftHsm) {
    add_token(test::token_label);
    const auto again =
        Token::initialise(*module, test::token_label, secret(test::so_pin), secret(test::user_pin));
    BOOST_REQUIRE(!again);
    BOOST_TEST((again.error().code == Errc::conflict));
    BOOST_TEST(contains(again.error().message, test::token_label));
    // Still exactly one token with that label.
    BOOST_TEST(test::slots_labelled(functions(), test::token_label).size() == 1U);
}

BOOST_FIXTURE_TEST_CASE(several_tokens_side_by_side, test::SoftHsm) {
    add_token("one");
    add_token("two");
    add_token("three");
    BOOST_TEST(open("two", 1) != nullptr);
    BOOST_TEST(open("pkcs11:token=three", 1) != nullptr);
}

BOOST_FIXTURE_TEST_CASE(refuses_bad_labels_and_pins, test::SoftHsm) {
    const auto check = [&](std::string_view label, std::string_view so, std::string_view user) {
        const auto made = Token::initialise(*module, label, secret(so), secret(user));
        BOOST_REQUIRE(!made);
        BOOST_TEST((made.error().code == Errc::bad_request), made.error().message);
    };
    check("", test::so_pin, test::user_pin);
    check(std::string(33, 'x'), test::so_pin, test::user_pin);
    check("trailing ", test::so_pin, test::user_pin);
    check("pkcs11:token=x", test::so_pin, test::user_pin);
    check("ok", "", test::user_pin);
    check("ok", test::so_pin, "");
    BOOST_TEST(test::slots_labelled(functions(), "ok").empty());
}

BOOST_FIXTURE_TEST_CASE(a_32_byte_label_fits, test::SoftHsm) {
    const std::string label(32, 'L');
    add_token(label);
    BOOST_TEST(open(label, 1) != nullptr);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::hsm
