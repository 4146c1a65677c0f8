#include "hsm/token.hpp"

#include <string>
#include <utility>

#include <boost/test/unit_test.hpp>

#include "tests/unit/hsm/softhsm.hpp"
#include "tests/unit/hsm/token_fixture.hpp"

namespace signet::hsm {
namespace {

using namespace test;

struct Expected {
    const char* openssl_type;
    int bits;
    CK_ATTRIBUTE_TYPE private_value;  // the secret part, which must stay unreadable
};

Expected expected_for(KeyAlgorithm algorithm) {
    switch (algorithm) {
        case KeyAlgorithm::rsa_2048:
            return {"RSA", 2048, CKA_PRIVATE_EXPONENT};
        case KeyAlgorithm::rsa_3072:
            return {"RSA", 3072, CKA_PRIVATE_EXPONENT};
        case KeyAlgorithm::rsa_4096:
            return {"RSA", 4096, CKA_PRIVATE_EXPONENT};
        case KeyAlgorithm::ec_p256:
            return {"EC", 256, CKA_VALUE};
        case KeyAlgorithm::ec_p384:
            return {"EC", 384, CKA_VALUE};
    }
    return {"", 0, 0};
}

// Generates a key pair and checks it end to end: the returned key, the attributes the token
// really holds (read back through a session of our own), signing, and public_key().
void check_key_pair(test::OpenToken& hsm, KeyAlgorithm algorithm) {
    const KeyId id{0x5e, 0xa1, static_cast<std::uint8_t>(algorithm)};
    const std::string label = "key " + std::string(to_string(algorithm));
    const Expected expected = expected_for(algorithm);

    auto generated = hsm.token->generate_key_pair(algorithm, id, label);
    BOOST_REQUIRE_MESSAGE(generated, (generated ? "" : message_of(generated.error())));
    const PublicKey& key = *generated;
    BOOST_TEST(EVP_PKEY_is_a(key.get(), expected.openssl_type) == 1);
    BOOST_TEST(EVP_PKEY_get_bits(key.get()) == expected.bits);

    RawSession raw(hsm.functions(), test::token_label);
    const CK_OBJECT_HANDLE private_key = raw.find_one(CKO_PRIVATE_KEY, id);
    BOOST_TEST(raw.flag(private_key, CKA_TOKEN));
    BOOST_TEST(raw.flag(private_key, CKA_PRIVATE));
    BOOST_TEST(raw.flag(private_key, CKA_SENSITIVE));
    BOOST_TEST(raw.flag(private_key, CKA_ALWAYS_SENSITIVE));
    BOOST_TEST(!raw.flag(private_key, CKA_EXTRACTABLE));
    BOOST_TEST(raw.flag(private_key, CKA_NEVER_EXTRACTABLE));
    BOOST_TEST(raw.flag(private_key, CKA_SIGN));
    BOOST_TEST(!raw.flag(private_key, CKA_DECRYPT));
    BOOST_TEST(!raw.flag(private_key, CKA_UNWRAP));
    BOOST_TEST(!raw.flag(private_key, CKA_DERIVE));
    BOOST_TEST(!raw.flag(private_key, CKA_SIGN_RECOVER));
    BOOST_TEST((raw.bytes(private_key, CKA_LABEL) == bytes_of(label)));
    BOOST_TEST(raw.get(private_key, expected.private_value).first == CKR_ATTRIBUTE_SENSITIVE);

    const CK_OBJECT_HANDLE public_key = raw.find_one(CKO_PUBLIC_KEY, id);
    BOOST_TEST(raw.flag(public_key, CKA_TOKEN));
    BOOST_TEST(raw.flag(public_key, CKA_VERIFY));
    BOOST_TEST(!raw.flag(public_key, CKA_ENCRYPT));
    BOOST_TEST(!raw.flag(public_key, CKA_WRAP));
    BOOST_TEST(!raw.flag(public_key, CKA_VERIFY_RECOVER));
    BOOST_TEST((raw.bytes(public_key, CKA_LABEL) == bytes_of(label)));

    const auto data = bytes_of("%PDF-1.7 ... the bytes of the ByteRange");
    const auto signature = hsm.token->sign(id, data);
    BOOST_REQUIRE_MESSAGE(signature, (signature ? "" : message_of(signature.error())));
    BOOST_TEST(verifies(key, data, *signature));
    BOOST_TEST(!verifies(key, bytes_of("other bytes"), *signature));
    if (expected.openssl_type == std::string_view("RSA")) {
        BOOST_TEST(signature->size() == static_cast<std::size_t>(expected.bits / 8));
    }

    const auto read_back = hsm.token->public_key(id);
    BOOST_REQUIRE(read_back);
    BOOST_TEST(EVP_PKEY_eq(read_back->get(), key.get()) == 1);
}

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(token_keys)

BOOST_FIXTURE_TEST_CASE(rsa_2048, test::OpenToken) {
    check_key_pair(*this, KeyAlgorithm::rsa_2048);
}
BOOST_FIXTURE_TEST_CASE(rsa_3072, test::OpenToken) {
    check_key_pair(*this, KeyAlgorithm::rsa_3072);
}
BOOST_FIXTURE_TEST_CASE(rsa_4096, test::OpenToken) {
    check_key_pair(*this, KeyAlgorithm::rsa_4096);
}
BOOST_FIXTURE_TEST_CASE(ec_p256, test::OpenToken) { check_key_pair(*this, KeyAlgorithm::ec_p256); }
BOOST_FIXTURE_TEST_CASE(ec_p384, test::OpenToken) { check_key_pair(*this, KeyAlgorithm::ec_p384); }

BOOST_FIXTURE_TEST_CASE(same_id_twice_is_a_conflict, test::OpenToken) {
    const KeyId id = ec_key(*this, {0xC0, 0xFF, 0xEE});
    const auto again = token->generate_key_pair(KeyAlgorithm::ec_p384, id, "again");
    BOOST_REQUIRE(!again);
    BOOST_TEST((again.error().code == Errc::conflict));
    BOOST_TEST(contains(again.error().message, "c0ffee"));
    RawSession raw(functions(), test::token_label);
    BOOST_TEST(raw.find(CKO_PRIVATE_KEY, id).size() == 1U);
    BOOST_TEST(raw.find(CKO_PUBLIC_KEY, id).size() == 1U);
}

BOOST_FIXTURE_TEST_CASE(an_orphan_public_key_also_blocks_its_id, test::OpenToken) {
    const KeyId id = ec_key(*this, {0x0F});
    RawSession raw(functions(), test::token_label);
    BOOST_REQUIRE(raw.destroy(raw.find_one(CKO_PRIVATE_KEY, id)) == CKR_OK);
    const auto again = token->generate_key_pair(KeyAlgorithm::ec_p256, id, "again");
    BOOST_REQUIRE(!again);
    BOOST_TEST((again.error().code == Errc::conflict));
}

BOOST_FIXTURE_TEST_CASE(empty_id_is_a_bad_request, test::OpenToken) {
    const KeyId none;
    BOOST_TEST((token->generate_key_pair(KeyAlgorithm::ec_p256, none, "x").error().code ==
                Errc::bad_request));
    BOOST_TEST((token->sign(none, bytes_of("x")).error().code == Errc::bad_request));
    BOOST_TEST((token->public_key(none).error().code == Errc::bad_request));
    BOOST_TEST(
        (token->store_certificate(none, "x", bytes_of("x")).error().code == Errc::bad_request));
}

BOOST_FIXTURE_TEST_CASE(unknown_key_is_not_found, test::OpenToken) {
    ec_key(*this, {0x01});
    const KeyId unknown{0xAB, 0xCD};
    const auto signature = token->sign(unknown, bytes_of("data"));
    BOOST_REQUIRE(!signature);
    BOOST_TEST((signature.error().code == Errc::not_found));
    BOOST_TEST(contains(signature.error().message, "abcd"), signature.error().message);
    const auto key = token->public_key(unknown);
    BOOST_REQUIRE(!key);
    BOOST_TEST((key.error().code == Errc::not_found));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// One-time keys (KeyLifetime::session): PKCS#11 session objects, usable by every session of this
// process while the session that made them lasts, and never written to the token.
BOOST_AUTO_TEST_SUITE(token_session_keys)

// The private keys the token itself keeps (CKA_TOKEN true), whatever their CKA_ID.
std::size_t private_keys_on_token(RawSession& raw) {
    return raw.find(CKO_PRIVATE_KEY, CKA_TOKEN, {CK_TRUE}).size();
}

PublicKey session_key(Token& token, KeyAlgorithm algorithm, const KeyId& id) {
    auto key = token.generate_key_pair(algorithm, id, "one-time", KeyLifetime::session);
    BOOST_REQUIRE_MESSAGE(key, (key ? "" : message_of(key.error())));
    return std::move(*key);
}

BOOST_FIXTURE_TEST_CASE(session_keys_sign_and_add_no_object_to_the_token, test::OpenToken) {
    const KeyId kept = ec_key(*this, {0x70});
    RawSession raw(functions(), test::token_label);
    BOOST_REQUIRE_EQUAL(private_keys_on_token(raw), 1U);
    for (const KeyAlgorithm algorithm : {KeyAlgorithm::ec_p256, KeyAlgorithm::rsa_2048}) {
        BOOST_TEST_CONTEXT(to_string(algorithm)) {
            const KeyId id{0x71, static_cast<std::uint8_t>(algorithm)};
            const PublicKey key = session_key(*token, algorithm, id);
            BOOST_TEST(EVP_PKEY_get_bits(key.get()) == expected_for(algorithm).bits);

            const auto data = bytes_of("a guest's co-signature");
            const auto signature = token->sign(id, data);
            BOOST_REQUIRE_MESSAGE(signature, (signature ? "" : message_of(signature.error())));
            BOOST_TEST(verifies(key, data, *signature));
            BOOST_TEST(!verifies(key, bytes_of("other bytes"), *signature));

            const CK_OBJECT_HANDLE private_key = raw.find_one(CKO_PRIVATE_KEY, id);
            BOOST_TEST(!raw.flag(private_key, CKA_TOKEN));
            BOOST_TEST(raw.flag(private_key, CKA_PRIVATE));
            BOOST_TEST(raw.flag(private_key, CKA_SENSITIVE));
            BOOST_TEST(!raw.flag(private_key, CKA_EXTRACTABLE));
            BOOST_TEST(raw.flag(private_key, CKA_SIGN));
            BOOST_TEST(!raw.flag(private_key, CKA_DECRYPT));
            BOOST_TEST(!raw.flag(private_key, CKA_UNWRAP));
            BOOST_TEST(!raw.flag(private_key, CKA_DERIVE));
            BOOST_TEST(raw.get(private_key, expected_for(algorithm).private_value).first ==
                       CKR_ATTRIBUTE_SENSITIVE);
            const CK_OBJECT_HANDLE public_key = raw.find_one(CKO_PUBLIC_KEY, id);
            BOOST_TEST(!raw.flag(public_key, CKA_TOKEN));
            BOOST_TEST(raw.flag(public_key, CKA_VERIFY));

            const auto read_back = token->public_key(id);
            BOOST_REQUIRE(read_back);
            BOOST_TEST(EVP_PKEY_eq(read_back->get(), key.get()) == 1);
        }
    }
    BOOST_TEST(private_keys_on_token(raw) == 1U);  // still only `kept`
    BOOST_TEST(raw.flag(raw.find_one(CKO_PRIVATE_KEY, kept), CKA_TOKEN));
}

BOOST_FIXTURE_TEST_CASE(every_session_of_the_process_finds_a_session_key, test::OpenToken) {
    const KeyId id{0x72};
    const PublicKey key = session_key(*token, KeyAlgorithm::ec_p256, id);
    const auto data = bytes_of("signed through other sessions");
    {
        // Another Token has sessions of its own and no cached handle: a search must find the key.
        const auto other = open(test::token_label);
        const auto signature = other->sign(id, data);
        BOOST_REQUIRE_MESSAGE(signature, (signature ? "" : message_of(signature.error())));
        BOOST_TEST(verifies(key, data, *signature));
        BOOST_TEST(other->public_key(id).has_value());
    }
    // Its sessions closed, the key's own session still holds it.
    const auto signature = token->sign(id, data);
    BOOST_REQUIRE_MESSAGE(signature, (signature ? "" : message_of(signature.error())));
    BOOST_TEST(verifies(key, data, *signature));
}

BOOST_FIXTURE_TEST_CASE(a_destroyed_session_key_is_not_found, test::OpenToken) {
    const KeyId id{0x73};
    session_key(*token, KeyAlgorithm::ec_p256, id);
    BOOST_REQUIRE(token->sign(id, bytes_of("warm the cache")));
    const auto destroyed = token->destroy_key_objects(id);
    BOOST_REQUIRE_MESSAGE(destroyed, (destroyed ? "" : message_of(destroyed.error())));

    const auto signature = token->sign(id, bytes_of("after destruction"));
    BOOST_REQUIRE(!signature);
    BOOST_TEST((signature.error().code == Errc::not_found), signature.error().message);
    const auto key = token->public_key(id);
    BOOST_REQUIRE(!key);
    BOOST_TEST((key.error().code == Errc::not_found));
    RawSession raw(functions(), test::token_label);
    BOOST_TEST(raw.find(CKO_PRIVATE_KEY, id).empty());
    BOOST_TEST(raw.find(CKO_PUBLIC_KEY, id).empty());
    // The CKA_ID is free for the next one-time key.
    const PublicKey next = session_key(*token, KeyAlgorithm::rsa_2048, id);
    const auto data = bytes_of("the next one");
    const auto again = token->sign(id, data);
    BOOST_REQUIRE(again);
    BOOST_TEST(verifies(next, data, *again));
}

BOOST_FIXTURE_TEST_CASE(a_session_key_ends_with_the_token_object, test::OpenToken) {
    const KeyId id{0x74};
    session_key(*token, KeyAlgorithm::ec_p256, id);
    BOOST_REQUIRE(token->sign(id, bytes_of("before")));
    token.reset();  // closes its sessions, as a crash of signetd would

    token = open(test::token_label);
    const auto key = token->public_key(id);
    BOOST_REQUIRE(!key);
    BOOST_TEST((key.error().code == Errc::not_found), key.error().message);
    const auto signature = token->sign(id, bytes_of("after"));
    BOOST_REQUIRE(!signature);
    BOOST_TEST((signature.error().code == Errc::not_found));
    RawSession raw(functions(), test::token_label);
    BOOST_TEST(raw.find(CKO_PRIVATE_KEY, id).empty());
    BOOST_TEST(private_keys_on_token(raw) == 0U);
}

BOOST_FIXTURE_TEST_CASE(a_session_key_does_not_survive_its_session, test::RecoveringToken) {
    const KeyId id{0x75};
    session_key(*token, KeyAlgorithm::ec_p256, id);
    BOOST_REQUIRE(token->sign(id, bytes_of("before")));
    BOOST_REQUIRE_EQUAL(functions()->C_CloseAllSessions(test::slot_labelled(functions(), test::token_label)),
                        CKR_OK);
    // run() repairs the session and the login; the key went with its session.
    const auto signature = token->sign(id, bytes_of("after C_CloseAllSessions"));
    BOOST_REQUIRE(!signature);
    BOOST_TEST((signature.error().code == Errc::not_found), signature.error().message);
    BOOST_TEST(pin_reads.load() == 2);
    BOOST_TEST((token->health().health == TokenHealth::ok));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// The key index: one search per class at start, attribute reads afterwards.
BOOST_AUTO_TEST_SUITE(token_index)

BOOST_FIXTURE_TEST_CASE(indexed_keys_sign_and_a_key_gone_since_is_noticed, test::OpenToken) {
    const KeyId first = ec_key(*this, {0x1D, 0x01});
    const KeyId second = ec_key(*this, {0x1D, 0x02});
    auto indexed = token->index_keys();
    BOOST_REQUIRE_MESSAGE(indexed, (indexed ? "" : message_of(indexed.error())));
    BOOST_TEST(*indexed == 4U);  // two private and two public keys
    BOOST_TEST(token->sign(first, bytes_of("indexed")).has_value());
    BOOST_TEST(token->public_key(second).has_value());

    // Destroyed behind signet's back: the cached handles no longer name the key.
    RawSession raw(functions(), test::token_label);
    BOOST_REQUIRE_EQUAL(raw.destroy(raw.find_one(CKO_PRIVATE_KEY, second)), CKR_OK);
    BOOST_REQUIRE_EQUAL(raw.destroy(raw.find_one(CKO_PUBLIC_KEY, second)), CKR_OK);
    auto gone = token->sign(second, bytes_of("gone"));
    BOOST_REQUIRE(!gone);
    BOOST_TEST((gone.error().code == Errc::not_found), gone.error().message);
    auto no_public = token->public_key(second);
    BOOST_TEST((!no_public && no_public.error().code == Errc::not_found));
    BOOST_TEST(token->sign(first, bytes_of("still indexed")).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(key_algorithm)

BOOST_AUTO_TEST_CASE(parses_the_five_names) {
    for (const KeyAlgorithm algorithm :
         {KeyAlgorithm::rsa_2048, KeyAlgorithm::rsa_3072, KeyAlgorithm::rsa_4096,
          KeyAlgorithm::ec_p256, KeyAlgorithm::ec_p384}) {
        const auto parsed = parse_key_algorithm(to_string(algorithm));
        BOOST_REQUIRE(parsed);
        BOOST_TEST((*parsed == algorithm));
    }
    BOOST_TEST(to_string(KeyAlgorithm::rsa_2048) == "rsa-2048");
    BOOST_TEST(to_string(KeyAlgorithm::rsa_3072) == "rsa-3072");
    BOOST_TEST(to_string(KeyAlgorithm::ec_p256) == "ec-p256");
}

BOOST_AUTO_TEST_CASE(refuses_other_names) {
    for (const char* name :
         {"", "rsa", "RSA-3072", "rsa-1024", "RSA-2048", "ec-p521", "ed25519", "ec-p256 "}) {
        const auto parsed = parse_key_algorithm(name);
        BOOST_REQUIRE(!parsed);
        BOOST_TEST((parsed.error().code == Errc::bad_request));
        BOOST_TEST(contains(parsed.error().message, "'" + std::string(name) + "'"));
        BOOST_TEST(
            contains(parsed.error().message, "rsa-2048, rsa-3072, rsa-4096, ec-p256, ec-p384"));
    }
    const auto long_name = parse_key_algorithm(std::string(10000, 'x'));
    BOOST_REQUIRE(!long_name);
    BOOST_TEST(long_name.error().message.size() < 300U);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::hsm
