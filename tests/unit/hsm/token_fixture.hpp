#pragma once
// What several token_*_test.cpp files need: a check on error messages, and an EC key pair made
// through the Token under test for the tests that only need some key.

#include <string>
#include <string_view>

#include <boost/test/unit_test.hpp>

#include "hsm/token.hpp"
#include "tests/unit/hsm/softhsm.hpp"

namespace signet::hsm::test {

inline bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

inline KeyId ec_key(Token& token, const KeyId& id) {
    auto key = token.generate_key_pair(KeyAlgorithm::ec_p256, id, "ec key");
    BOOST_REQUIRE_MESSAGE(key, (key ? "" : message_of(key.error())));
    return id;
}

inline KeyId ec_key(test::RecoveringToken& hsm, const KeyId& id) { return ec_key(*hsm.token, id); }

inline KeyId ec_key(test::OpenToken& hsm, const KeyId& id) {
    auto key = hsm.token->generate_key_pair(KeyAlgorithm::ec_p256, id, "ec key");
    BOOST_REQUIRE_MESSAGE(key, (key ? "" : message_of(key.error())));
    return id;
}

}  // namespace signet::hsm::test
