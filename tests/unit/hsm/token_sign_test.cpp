#include "hsm/token.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/unit/hsm/softhsm.hpp"
#include "tests/unit/hsm/token_fixture.hpp"

namespace signet::hsm {
namespace {

using namespace test;

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(token_sign)

BOOST_FIXTURE_TEST_CASE(signs_empty_and_large_inputs, test::OpenToken) {
    const KeyId id = ec_key(*this, {0x10});
    const PublicKey key = *token->public_key(id);
    const std::vector<std::uint8_t> empty;
    const std::vector<std::uint8_t> large(4 * 1024 * 1024, 0x5A);
    for (const auto* data : {&empty, &large}) {
        const auto signature = token->sign(id, *data);
        BOOST_REQUIRE_MESSAGE(signature, (signature ? "" : message_of(signature.error())));
        BOOST_TEST(verifies(key, *data, *signature));
    }
}

BOOST_FIXTURE_TEST_CASE(ecdsa_signatures_are_fresh_der, test::OpenToken) {
    const KeyId id = ec_key(*this, {0x11});
    const auto a = token->sign(id, bytes_of("same"));
    const auto b = token->sign(id, bytes_of("same"));
    BOOST_REQUIRE(a && b);
    BOOST_TEST(a->front() == 0x30);  // DER SEQUENCE, not the raw r || s of CKM_ECDSA
    BOOST_TEST((*a != *b));          // a fresh k for every signature
}

BOOST_FIXTURE_TEST_CASE(a_destroyed_key_is_not_found_again, test::OpenToken) {
    const KeyId id = ec_key(*this, {0x12});
    BOOST_REQUIRE(token->sign(id, bytes_of("warm the cache")));
    RawSession raw(functions(), test::token_label);
    BOOST_REQUIRE(raw.destroy(raw.find_one(CKO_PRIVATE_KEY, id)) == CKR_OK);
    const auto signature = token->sign(id, bytes_of("after destruction"));
    BOOST_REQUIRE(!signature);
    BOOST_TEST((signature.error().code == Errc::not_found), signature.error().message);
}

BOOST_FIXTURE_TEST_CASE(a_replaced_key_is_looked_up_again, test::OpenToken) {
    const KeyId id = ec_key(*this, {0x13});
    const PublicKey old_key = *token->public_key(id);
    BOOST_REQUIRE(token->sign(id, bytes_of("warm the cache")));
    {
        // Another process destroys the pair and makes a new one under the same CKA_ID.
        RawSession raw(functions(), test::token_label);
        BOOST_REQUIRE(raw.destroy(raw.find_one(CKO_PRIVATE_KEY, id)) == CKR_OK);
        BOOST_REQUIRE(raw.destroy(raw.find_one(CKO_PUBLIC_KEY, id)) == CKR_OK);
    }
    const auto new_key = token->generate_key_pair(KeyAlgorithm::ec_p256, id, "replacement");
    BOOST_REQUIRE(new_key);
    const auto data = bytes_of("signed by the replacement");
    const auto signature = token->sign(id, data);
    BOOST_REQUIRE_MESSAGE(signature, (signature ? "" : message_of(signature.error())));
    BOOST_TEST(verifies(*new_key, data, *signature));
    BOOST_TEST(!verifies(old_key, data, *signature));
}

BOOST_FIXTURE_TEST_CASE(each_id_signs_with_its_own_key, test::OpenToken) {
    // With both handles cached, each CKA_ID still reaches its own key.
    const KeyId first = ec_key(*this, {0x21});
    const KeyId second = ec_key(*this, {0x22});
    const PublicKey second_key = *token->public_key(second);
    const auto data = bytes_of("whose key?");
    const auto a = token->sign(first, data);
    const auto b = token->sign(second, data);
    BOOST_REQUIRE(a && b);
    BOOST_TEST(!verifies(second_key, data, *a));
    BOOST_TEST(verifies(second_key, data, *b));
}

BOOST_AUTO_TEST_CASE(concurrent_signing_through_two_sessions) {
    test::SoftHsm hsm;
    hsm.add_token(test::token_label);
    const auto token = hsm.open(test::token_label, 2);
    const KeyId ec_id{0xEC};
    const KeyId rsa_id{0x55};
    const auto ec_key_pair = token->generate_key_pair(KeyAlgorithm::ec_p256, ec_id, "ec");
    const auto rsa_key_pair = token->generate_key_pair(KeyAlgorithm::rsa_3072, rsa_id, "rsa");
    BOOST_REQUIRE(ec_key_pair && rsa_key_pair);

    constexpr int threads = 4;
    constexpr int signatures = 50;
    std::atomic<int> good{0};
    std::atomic<int> bad{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (int i = 0; i < signatures; ++i) {
                const bool rsa = (i + t) % 2 == 0;
                const auto data =
                    bytes_of("thread " + std::to_string(t) + " document " + std::to_string(i));
                const auto signature = token->sign(rsa ? rsa_id : ec_id, data);
                const bool ok =
                    signature && verifies(rsa ? *rsa_key_pair : *ec_key_pair, data, *signature);
                (ok ? good : bad).fetch_add(1);
            }
        });
    }
    for (auto& worker : workers) worker.join();
    BOOST_TEST(bad.load() == 0);
    BOOST_TEST(good.load() == threads * signatures);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::hsm
