// Every (state, change) pair of the key life cycle, against the table of issue 5.

#include <boost/test/unit_test.hpp>

#include "policy/key_state.hpp"

namespace {

using namespace signet;
using namespace signet::policy;

constexpr KeyState states[] = {KeyState::pending, KeyState::ready, KeyState::active, KeyState::retired,
                               KeyState::destroyed};
constexpr KeyChange changes[] = {KeyChange::import_certificate, KeyChange::activate, KeyChange::retire,
                                 KeyChange::destroy};

// The expected next state, or nullopt for a refusal; rows follow `states`, columns `changes`.
const std::optional<KeyState> expected[5][4] = {
    /* pending   */ {KeyState::ready, std::nullopt, std::nullopt, KeyState::destroyed},
    /* ready     */ {KeyState::ready, KeyState::active, KeyState::retired, KeyState::destroyed},
    /* active    */ {std::nullopt, std::nullopt, KeyState::retired, std::nullopt},
    /* retired   */ {std::nullopt, std::nullopt, std::nullopt, KeyState::destroyed},
    /* destroyed */ {std::nullopt, std::nullopt, std::nullopt, std::nullopt},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(key_life_cycle)

BOOST_AUTO_TEST_CASE(every_state_and_change) {
    for (std::size_t s = 0; s < 5; ++s) {
        for (std::size_t c = 0; c < 4; ++c) {
            BOOST_TEST_CONTEXT(to_string(states[s]) << " / " << to_string(changes[c])) {
                auto next = next_state(states[s], changes[c]);
                BOOST_TEST(next.has_value() == expected[s][c].has_value());
                if (next && expected[s][c]) BOOST_TEST((*next == *expected[s][c]));
                if (!next) {
                    BOOST_TEST((next.error().code == signet::Errc::conflict));
                    BOOST_TEST(!next.error().message.empty());
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(seal_and_audit_keys_need_two_officers) {
    for (auto purpose : {KeyPurpose::seal, KeyPurpose::audit}) {
        BOOST_TEST(needs_second_officer(purpose, KeyChange::activate));
        BOOST_TEST(needs_second_officer(purpose, KeyChange::retire));
        BOOST_TEST(needs_second_officer(purpose, KeyChange::destroy));
        BOOST_TEST(!needs_second_officer(purpose, KeyChange::import_certificate));
    }
    BOOST_TEST(!needs_second_officer(KeyPurpose::personal, KeyChange::activate));
    BOOST_TEST(may_sign_documents(KeyState::active));
    for (auto state : {KeyState::pending, KeyState::ready, KeyState::retired, KeyState::destroyed}) {
        BOOST_TEST(!may_sign_documents(state));
    }
}

BOOST_AUTO_TEST_CASE(names_round_trip) {
    for (auto state : states) BOOST_TEST((parse_key_state(to_string(state)) == state));
    for (auto purpose : {KeyPurpose::seal, KeyPurpose::audit, KeyPurpose::personal}) {
        BOOST_TEST((parse_key_purpose(to_string(purpose)) == purpose));
    }
    BOOST_TEST(!parse_key_state("lost").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
