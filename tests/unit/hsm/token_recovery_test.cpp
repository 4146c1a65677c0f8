#include "hsm/token.hpp"

#include <chrono>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/unit/hsm/softhsm.hpp"
#include "tests/unit/hsm/token_fixture.hpp"

namespace signet::hsm {
namespace {

using namespace test;

// ---------------------------------------------------------------------------------------------
// Faults and recovery, with SoftHSM really failing: sessions closed behind the Token's back, a
// logout, the token folder taken away, a PIN that stops working.
BOOST_AUTO_TEST_SUITE(token_recovery)

// Polls health() until it is `wanted`, for at most `limit`.
bool becomes(const Token& token, TokenHealth wanted, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (token.health().health != wanted) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

BOOST_FIXTURE_TEST_CASE(sessions_closed_behind_its_back_are_reopened_and_logged_in, test::RecoveringToken) {
    const KeyId id = ec_key(*this, {0x5C, 0x01});
    const PublicKey key = *token->public_key(id);
    BOOST_REQUIRE(token->sign(id, bytes_of("before")));
    BOOST_REQUIRE_EQUAL(pin_reads.load(), 1);
    // Every session of the application with the token ends, and with the last one the login
    // (PKCS#11 v2.40 §5.6): SoftHSM answers the old handles with CKR_SESSION_HANDLE_INVALID.
    BOOST_REQUIRE_EQUAL(functions()->C_CloseAllSessions(test::slot_labelled(functions(), test::token_label)), CKR_OK);
    const auto data = bytes_of("after C_CloseAllSessions");
    const auto signature = token->sign(id, data);
    BOOST_REQUIRE_MESSAGE(signature, (signature ? "" : message_of(signature.error())));
    BOOST_TEST(verifies(key, data, *signature));
    BOOST_TEST(pin_reads.load() == 2);  // one re-login, the PIN read for it
    BOOST_TEST((token->health().health == TokenHealth::ok));
    BOOST_TEST(token->sign(id, bytes_of("and after")).has_value());
    BOOST_TEST(pin_reads.load() == 2);
}

BOOST_FIXTURE_TEST_CASE(a_logout_behind_its_back_is_not_taken_for_a_missing_key, test::RecoveringToken) {
    const KeyId id = ec_key(*this, {0x5C, 0x02});
    BOOST_REQUIRE(token->sign(id, bytes_of("before")));
    // Logged out, the private key is invisible (§4.4): SoftHSM answers the cached handle with
    // CKR_OBJECT_HANDLE_INVALID and a search with nothing, not with CKR_USER_NOT_LOGGED_IN.
    BOOST_REQUIRE_EQUAL(functions()->C_Logout(RawSession(functions(), test::token_label).handle()), CKR_OK);
    const auto signature = token->sign(id, bytes_of("after C_Logout"));
    BOOST_TEST(signature.has_value(), (signature ? "" : message_of(signature.error())));
    BOOST_TEST(pin_reads.load() == 2);
    BOOST_TEST((token->health().health == TokenHealth::ok));
}

BOOST_FIXTURE_TEST_CASE(a_vanished_token_is_degraded_until_recovered, test::RecoveringToken) {
    const KeyId id = ec_key(*this, {0x5C, 0x03});
    const PublicKey key = *token->public_key(id);
    BOOST_REQUIRE(token->sign(id, bytes_of("before")));
    const auto before = std::chrono::system_clock::now();

    // SoftHSM 2.6 with its token folder gone: the key's handle is CKR_OBJECT_HANDLE_INVALID, a
    // search finds nothing, C_GetTokenInfo says CKR_GENERAL_ERROR.
    hide_tokens();
    const auto failed = token->sign(id, bytes_of("while hidden"));
    BOOST_REQUIRE(!failed);
    BOOST_TEST((failed.error().code == Errc::unavailable), failed.error().message);
    BOOST_TEST(contains(failed.error().message, "CKR_GENERAL_ERROR"), failed.error().message);
    const TokenState down = token->health();
    BOOST_TEST((down.health == TokenHealth::degraded));
    BOOST_TEST(down.error == failed.error().message);
    BOOST_TEST((down.since >= before && down.since <= std::chrono::system_clock::now()));

    // Later calls fail at once, with the failure that put the token down.
    const auto fast = token->public_key(id);
    BOOST_REQUIRE(!fast);
    BOOST_TEST((fast.error().code == Errc::unavailable));
    BOOST_TEST(contains(fast.error().message, "degraded"), fast.error().message);
    BOOST_TEST(contains(fast.error().message, "CKR_GENERAL_ERROR"), fast.error().message);

    // C_Initialize cannot load a store that is not there.
    const auto too_early = token->recover();
    BOOST_REQUIRE(!too_early);
    BOOST_TEST((too_early.error().code == Errc::unavailable));
    BOOST_TEST(contains(too_early.error().message, "CKR_GENERAL_ERROR"), too_early.error().message);
    BOOST_TEST((token->health().health == TokenHealth::degraded));
    BOOST_TEST((token->health().since == down.since));  // still the same outage

    restore_tokens();
    // The recovery thread may have got there first; either way one more call is cheap.
    const auto recovered = token->recover();
    BOOST_REQUIRE_MESSAGE(recovered, (recovered ? "" : message_of(recovered.error())));
    const TokenState up = token->health();
    BOOST_TEST((up.health == TokenHealth::ok));
    BOOST_TEST(up.error.empty());
    const auto data = bytes_of("after the token came back");
    const auto signature = token->sign(id, data);
    BOOST_REQUIRE_MESSAGE(signature, (signature ? "" : message_of(signature.error())));
    BOOST_TEST(verifies(key, data, *signature));
    BOOST_TEST(pin_reads.load() == 2);  // the login after C_Initialize
}

BOOST_FIXTURE_TEST_CASE(the_recovery_thread_brings_the_token_back_by_itself, test::RecoveringToken) {
    const KeyId id = ec_key(*this, {0x5C, 0x04});
    hide_tokens();
    BOOST_REQUIRE(!token->sign(id, bytes_of("while hidden")));
    BOOST_REQUIRE((token->health().health == TokenHealth::degraded));
    restore_tokens();
    // The first attempt is 0.5 s after the failure.
    BOOST_REQUIRE(becomes(*token, TokenHealth::ok, std::chrono::seconds(5)));
    const auto signature = token->sign(id, bytes_of("no restart, no recover() call"));
    BOOST_TEST(signature.has_value(), (signature ? "" : message_of(signature.error())));
}

BOOST_FIXTURE_TEST_CASE(a_refused_pin_is_reported_and_not_retried, test::RecoveringToken) {
    // SoftHSM 2.6 never locks a PIN (it sets CKF_USER_PIN_COUNT_LOW and keeps answering
    // CKR_PIN_INCORRECT), so the PIN problem here is a PIN file that changed under the daemon.
    const KeyId id = ec_key(*this, {0x5C, 0x05});
    wrong_pin = true;
    BOOST_REQUIRE_EQUAL(functions()->C_CloseAllSessions(test::slot_labelled(functions(), test::token_label)), CKR_OK);
    const auto failed = token->sign(id, bytes_of("needs a new login"));
    BOOST_REQUIRE(!failed);
    BOOST_TEST((failed.error().code == Errc::unavailable), failed.error().message);
    BOOST_TEST(contains(failed.error().message, "CKR_PIN_INCORRECT"), failed.error().message);
    BOOST_TEST(!contains(failed.error().message, "not-the-pin"));
    BOOST_TEST((token->health().health == TokenHealth::pin_problem));
    BOOST_TEST(pin_reads.load() == 2);

    // Nothing tries the PIN again: not the recovery thread (its first attempt would be due after
    // 0.5 s), not the next calls.
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    const auto fast = token->sign(id, bytes_of("still refused"));
    BOOST_REQUIRE(!fast);
    BOOST_TEST(contains(fast.error().message, "PIN problem"), fast.error().message);
    BOOST_TEST(pin_reads.load() == 2);
    BOOST_TEST((token->health().health == TokenHealth::pin_problem));

    // An explicit recovery tries once, and once the PIN is right again it works.
    const auto still_wrong = token->recover();
    BOOST_REQUIRE(!still_wrong);
    BOOST_TEST(contains(still_wrong.error().message, "CKR_PIN_INCORRECT"), still_wrong.error().message);
    BOOST_TEST(pin_reads.load() == 3);
    wrong_pin = false;
    const auto recovered = token->recover();
    BOOST_REQUIRE_MESSAGE(recovered, (recovered ? "" : message_of(recovered.error())));
    BOOST_TEST(pin_reads.load() == 4);
    BOOST_TEST((token->health().health == TokenHealth::ok));
    BOOST_TEST(token->sign(id, bytes_of("with the right PIN")).has_value());
}

BOOST_FIXTURE_TEST_CASE(a_token_whose_module_another_token_reinitialised_reopens, test::RecoveringToken) {
    add_token("second");
    auto second = Token::open(
        module, "second", [] { return Result<Secret>(secret(test::user_pin)); }, 2);
    BOOST_REQUIRE_MESSAGE(second, (second ? "" : message_of(second.error())));
    const KeyId id = ec_key(**second, {0x5C, 0x06});
    const KeyId first_id = ec_key(*this, {0x5C, 0x07});
    // The first token goes down and is recovered with C_Finalize + C_Initialize, which voids the
    // second token's sessions too (§5.4).
    hide_tokens();
    BOOST_REQUIRE(!token->sign(first_id, bytes_of("while hidden")));
    restore_tokens();
    BOOST_REQUIRE(token->recover());
    const auto signature = (*second)->sign(id, bytes_of("after another token's recovery"));
    BOOST_TEST(signature.has_value(), (signature ? "" : message_of(signature.error())));
    BOOST_TEST(((*second)->health().health == TokenHealth::ok));
    BOOST_TEST(token->sign(first_id, bytes_of("and the first one")).has_value());
}

BOOST_AUTO_TEST_CASE(health_names) {
    BOOST_TEST(to_string(TokenHealth::ok) == "ok");
    BOOST_TEST(to_string(TokenHealth::degraded) == "degraded");
    BOOST_TEST(to_string(TokenHealth::pin_problem) == "pin_problem");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::hsm
