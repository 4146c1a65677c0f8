#include "hsm/token.hpp"

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include <openssl/x509.h>
#include <boost/test/unit_test.hpp>

#include "tests/unit/hsm/softhsm.hpp"

namespace signet::hsm {
namespace {

using test::bytes_of;
using test::message_of;
using test::RawSession;
using test::secret;
using test::verifies;

struct X509Free {
    void operator()(X509* certificate) const { X509_free(certificate); }
};

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

// A certificate for `subject_key`, issued by `issuer_key` (a throwaway key of the test).
std::vector<std::uint8_t> make_certificate(const EVP_PKEY* subject_key, EVP_PKEY* issuer_key,
                                           long serial) {
    std::unique_ptr<X509, X509Free> certificate(X509_new());
    BOOST_REQUIRE(certificate);
    BOOST_REQUIRE(X509_set_version(certificate.get(), X509_VERSION_3) == 1);
    BOOST_REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), serial) == 1);
    BOOST_REQUIRE(X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0) != nullptr);
    BOOST_REQUIRE(X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 3600) != nullptr);
    BOOST_REQUIRE(X509_set_pubkey(certificate.get(), const_cast<EVP_PKEY*>(subject_key)) == 1);
    const auto* subject = reinterpret_cast<const unsigned char*>("signet test signer");
    const auto* issuer = reinterpret_cast<const unsigned char*>("signet test CA");
    BOOST_REQUIRE(X509_NAME_add_entry_by_txt(X509_get_subject_name(certificate.get()), "CN",
                                             MBSTRING_ASC, subject, -1, -1, 0) == 1);
    BOOST_REQUIRE(X509_NAME_add_entry_by_txt(X509_get_issuer_name(certificate.get()), "CN",
                                             MBSTRING_ASC, issuer, -1, -1, 0) == 1);
    BOOST_REQUIRE(X509_sign(certificate.get(), issuer_key, EVP_sha256()) > 0);
    const int length = i2d_X509(certificate.get(), nullptr);
    BOOST_REQUIRE(length > 0);
    std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
    unsigned char* out = der.data();
    BOOST_REQUIRE(i2d_X509(certificate.get(), &out) == length);
    return der;
}

PublicKey throwaway_key() {
    PublicKey key(EVP_EC_gen("P-256"));
    BOOST_REQUIRE(key);
    return key;
}

struct Expected {
    const char* openssl_type;
    int bits;
    CK_ATTRIBUTE_TYPE private_value;  // the secret part, which must stay unreadable
};

Expected expected_for(KeyAlgorithm algorithm) {
    switch (algorithm) {
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

KeyId ec_key(Token& token, const KeyId& id) {
    auto key = token.generate_key_pair(KeyAlgorithm::ec_p256, id, "ec key");
    BOOST_REQUIRE_MESSAGE(key, (key ? "" : message_of(key.error())));
    return id;
}

KeyId ec_key(test::RecoveringToken& hsm, const KeyId& id) { return ec_key(*hsm.token, id); }

KeyId ec_key(test::OpenToken& hsm, const KeyId& id) {
    auto key = hsm.token->generate_key_pair(KeyAlgorithm::ec_p256, id, "ec key");
    BOOST_REQUIRE_MESSAGE(key, (key ? "" : message_of(key.error())));
    return id;
}

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

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(token_keys)

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

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(token_certificate)

BOOST_FIXTURE_TEST_CASE(stores_a_findable_certificate_object, test::OpenToken) {
    const KeyId id = ec_key(*this, {0xCE, 0x27});
    const PublicKey key = *token->public_key(id);
    const PublicKey issuer = throwaway_key();
    const auto der = make_certificate(key.get(), issuer.get(), 4242);
    const auto stored = token->store_certificate(id, "signer certificate", der);
    BOOST_REQUIRE_MESSAGE(stored, (stored ? "" : message_of(stored.error())));

    RawSession raw(functions(), test::token_label);
    const CK_OBJECT_HANDLE object = raw.find_one(CKO_CERTIFICATE, id);
    BOOST_TEST((raw.bytes(object, CKA_VALUE) == der));
    BOOST_TEST((raw.bytes(object, CKA_LABEL) == bytes_of("signer certificate")));
    BOOST_TEST(raw.flag(object, CKA_TOKEN));
    const auto type = raw.bytes(object, CKA_CERTIFICATE_TYPE);
    BOOST_REQUIRE(type.size() == sizeof(CK_CERTIFICATE_TYPE));
    CK_CERTIFICATE_TYPE certificate_type = 0;
    std::memcpy(&certificate_type, type.data(), type.size());
    BOOST_TEST(certificate_type == CKC_X_509);

    const unsigned char* in = der.data();
    std::unique_ptr<X509, X509Free> parsed(d2i_X509(nullptr, &in, static_cast<long>(der.size())));
    BOOST_REQUIRE(parsed);
    unsigned char* subject = nullptr;
    const int subject_length = i2d_X509_NAME(X509_get_subject_name(parsed.get()), &subject);
    BOOST_REQUIRE(subject_length > 0);
    const std::vector<std::uint8_t> expected_subject(subject, subject + subject_length);
    OPENSSL_free(subject);
    BOOST_TEST((raw.bytes(object, CKA_SUBJECT) == expected_subject));
    // The serial number is the DER INTEGER: 4242 = 0x1092.
    BOOST_TEST((raw.bytes(object, CKA_SERIAL_NUMBER) ==
                std::vector<std::uint8_t>{0x02, 0x02, 0x10, 0x92}));
    BOOST_TEST(raw.bytes(object, CKA_ISSUER).size() > 0U);
}

BOOST_FIXTURE_TEST_CASE(refuses_what_is_not_a_certificate, test::OpenToken) {
    const KeyId id = ec_key(*this, {0xCE, 0x28});
    const PublicKey issuer = throwaway_key();
    auto der = make_certificate(token->public_key(id)->get(), issuer.get(), 1);
    der.push_back(0x00);  // trailing garbage
    for (const auto& bad : {bytes_of(""), bytes_of("-----BEGIN CERTIFICATE-----"), der}) {
        const auto stored = token->store_certificate(id, "x", bad);
        BOOST_REQUIRE(!stored);
        BOOST_TEST((stored.error().code == Errc::invalid_certificate), stored.error().message);
    }
    BOOST_TEST(RawSession(functions(), test::token_label).find(CKO_CERTIFICATE, id).empty());
}

BOOST_FIXTURE_TEST_CASE(refuses_a_certificate_for_another_key, test::OpenToken) {
    const KeyId id = ec_key(*this, {0xCE, 0x29});
    const PublicKey issuer = throwaway_key();
    // Certifies the issuer's own key, not the token's key with this CKA_ID.
    const auto der = make_certificate(issuer.get(), issuer.get(), 2);
    const auto stored = token->store_certificate(id, "x", der);
    BOOST_REQUIRE(!stored);
    BOOST_TEST((stored.error().code == Errc::invalid_certificate), stored.error().message);
    BOOST_TEST(RawSession(functions(), test::token_label).find(CKO_CERTIFICATE, id).empty());
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// Key retirement: destroy_key_objects, destroy_certificates, and the chain's CA certificates.

// Every certificate object in the token whose CKA_VALUE is `der`, searched through a session of
// the test's own: which CKA_ID the token files an authority certificate under is its business;
// that the same bytes are not stored twice is the promise.
std::vector<CK_OBJECT_HANDLE> certificates_with_value(CK_FUNCTION_LIST* functions,
                                                      const std::vector<std::uint8_t>& der) {
    return RawSession(functions, test::token_label).find(CKO_CERTIFICATE, CKA_VALUE, der);
}

CK_ULONG ulong_attribute(RawSession& raw, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
    const auto value = raw.bytes(object, type);
    BOOST_REQUIRE_EQUAL(value.size(), sizeof(CK_ULONG));
    CK_ULONG result = 0;
    std::memcpy(&result, value.data(), value.size());
    return result;
}

// A key pair with its certificate stored, and a signature made so that the token has the
// private key's handle cached: destruction must not leave that cache usable.
PublicKey certified_key(test::OpenToken& hsm, const KeyId& id) {
    ec_key(hsm, id);
    PublicKey key = *hsm.token->public_key(id);
    const PublicKey issuer = throwaway_key();
    const auto stored =
        hsm.token->store_certificate(id, "signer certificate", make_certificate(key.get(), issuer.get(), 7));
    BOOST_REQUIRE_MESSAGE(stored, (stored ? "" : message_of(stored.error())));
    BOOST_REQUIRE(hsm.token->sign(id, bytes_of("warm the cache")));
    RawSession raw(hsm.functions(), test::token_label);
    BOOST_REQUIRE(raw.find(CKO_PRIVATE_KEY, id).size() == 1U);
    BOOST_REQUIRE(raw.find(CKO_PUBLIC_KEY, id).size() == 1U);
    BOOST_REQUIRE(raw.find(CKO_CERTIFICATE, id).size() == 1U);
    return key;
}

BOOST_AUTO_TEST_SUITE(token_destroy)

BOOST_FIXTURE_TEST_CASE(destroy_key_objects_removes_key_pair_and_certificate, test::OpenToken) {
    const KeyId id{0xDE, 0x01};
    certified_key(*this, id);
    const KeyId bystander = ec_key(*this, {0xDE, 0x02});

    const auto destroyed = token->destroy_key_objects(id);
    BOOST_REQUIRE_MESSAGE(destroyed, (destroyed ? "" : message_of(destroyed.error())));

    RawSession raw(functions(), test::token_label);
    BOOST_TEST(raw.find(CKO_PRIVATE_KEY, id).empty());
    BOOST_TEST(raw.find(CKO_PUBLIC_KEY, id).empty());
    BOOST_TEST(raw.find(CKO_CERTIFICATE, id).empty());
    const auto key = token->public_key(id);
    BOOST_REQUIRE(!key);
    BOOST_TEST(key.error().code == Errc::not_found, key.error().message);
    const auto signature = token->sign(id, bytes_of("after destruction"));
    BOOST_REQUIRE(!signature);
    BOOST_TEST(signature.error().code == Errc::not_found, signature.error().message);

    // Only that CKA_ID went.
    BOOST_TEST(raw.find(CKO_PRIVATE_KEY, bystander).size() == 1U);
    BOOST_TEST(token->sign(bystander, bytes_of("still here")).has_value());
}

BOOST_FIXTURE_TEST_CASE(destroying_without_a_login_is_refused_and_keeps_the_key, test::OpenToken) {
    // Logged out (a token reset, another process's C_Logout), the private key is invisible to a
    // search: "found none" must not pass for "destroyed". This Token was opened with a plain PIN,
    // so it cannot log in again by itself.
    const KeyId id{0xDE, 0x06};
    certified_key(*this, id);
    RawSession raw(functions(), test::token_label);
    BOOST_REQUIRE_EQUAL(functions()->C_Logout(raw.handle()), CKR_OK);
    const auto destroyed = token->destroy_key_objects(id);
    BOOST_REQUIRE(!destroyed);
    BOOST_TEST((destroyed.error().code == Errc::unavailable), destroyed.error().message);
    BOOST_TEST(contains(destroyed.error().message, "did not keep"), destroyed.error().message);
    BOOST_TEST((token->health().health == TokenHealth::pin_problem));
    // Nothing was deleted, not even the public objects.
    BOOST_TEST(raw.find(CKO_PUBLIC_KEY, id).size() == 1U);
    BOOST_TEST(raw.find(CKO_CERTIFICATE, id).size() == 1U);
}

BOOST_FIXTURE_TEST_CASE(destroying_after_a_logout_logs_in_again_first, test::RecoveringToken) {
    const KeyId id = ec_key(*this, {0xDE, 0x07});
    RawSession raw(functions(), test::token_label);
    BOOST_REQUIRE_EQUAL(functions()->C_Logout(raw.handle()), CKR_OK);
    const auto destroyed = token->destroy_key_objects(id);
    BOOST_REQUIRE_MESSAGE(destroyed, (destroyed ? "" : message_of(destroyed.error())));
    BOOST_TEST(pin_reads.load() == 2);
    // The login is back (it is the application's, so this session sees private objects again)
    // and the key really went.
    BOOST_TEST(raw.find(CKO_PRIVATE_KEY, id).empty());
    BOOST_TEST(raw.find(CKO_PUBLIC_KEY, id).empty());
}

BOOST_FIXTURE_TEST_CASE(destroy_key_objects_twice_succeeds, test::OpenToken) {
    // A retry after a crash between the token and the register must not fail on what is gone.
    const KeyId id{0xDE, 0x03};
    certified_key(*this, id);
    BOOST_REQUIRE(token->destroy_key_objects(id));
    const auto again = token->destroy_key_objects(id);
    BOOST_TEST(again.has_value(), (again ? "" : message_of(again.error())));
    const auto never_there = token->destroy_key_objects({0xDE, 0xFF});
    BOOST_TEST(never_there.has_value(), (never_there ? "" : message_of(never_there.error())));
}

BOOST_FIXTURE_TEST_CASE(destroy_key_objects_removes_more_than_one_search_returns, test::OpenToken) {
    // The token's search asks for two handles at a time; three certificates need a second round.
    const KeyId id{0xDE, 0x04};
    const PublicKey key = certified_key(*this, id);
    const PublicKey issuer = throwaway_key();
    for (const long serial : {8L, 9L}) {
        BOOST_REQUIRE(token->store_certificate(id, "again", make_certificate(key.get(), issuer.get(), serial)));
    }
    RawSession raw(functions(), test::token_label);
    BOOST_REQUIRE(raw.find(CKO_CERTIFICATE, id).size() == 3U);
    BOOST_REQUIRE(token->destroy_key_objects(id));
    BOOST_TEST(raw.find(CKO_CERTIFICATE, id).empty());
    BOOST_TEST(raw.find(CKO_PRIVATE_KEY, id).empty());
    BOOST_TEST(raw.find(CKO_PUBLIC_KEY, id).empty());
}

BOOST_FIXTURE_TEST_CASE(destroy_certificates_keeps_the_key_pair, test::OpenToken) {
    const KeyId id{0xDE, 0x05};
    const PublicKey key = certified_key(*this, id);

    const auto destroyed = token->destroy_certificates(id);
    BOOST_REQUIRE_MESSAGE(destroyed, (destroyed ? "" : message_of(destroyed.error())));

    RawSession raw(functions(), test::token_label);
    BOOST_TEST(raw.find(CKO_CERTIFICATE, id).empty());
    BOOST_TEST(raw.find(CKO_PRIVATE_KEY, id).size() == 1U);
    BOOST_TEST(raw.find(CKO_PUBLIC_KEY, id).size() == 1U);
    const auto read_back = token->public_key(id);
    BOOST_REQUIRE_MESSAGE(read_back, (read_back ? "" : message_of(read_back.error())));
    BOOST_TEST(EVP_PKEY_eq(read_back->get(), key.get()) == 1);
    const auto data = bytes_of("signed after the certificate went");
    const auto signature = token->sign(id, data);
    BOOST_REQUIRE_MESSAGE(signature, (signature ? "" : message_of(signature.error())));
    BOOST_TEST(verifies(key, data, *signature));

    // What it is for: the corrected certificate takes the old one's place.
    const PublicKey issuer = throwaway_key();
    const auto corrected = make_certificate(key.get(), issuer.get(), 10);
    BOOST_REQUIRE(token->store_certificate(id, "corrected", corrected));
    BOOST_TEST((raw.bytes(raw.find_one(CKO_CERTIFICATE, id), CKA_VALUE) == corrected));
    BOOST_TEST(token->destroy_certificates({0xDE, 0xFF}).has_value());
}

BOOST_FIXTURE_TEST_CASE(destroying_with_an_empty_id_is_a_bad_request, test::OpenToken) {
    const KeyId none;
    const auto keys = token->destroy_key_objects(none);
    BOOST_REQUIRE(!keys);
    BOOST_TEST(keys.error().code == Errc::bad_request, keys.error().message);
    const auto certificates = token->destroy_certificates(none);
    BOOST_REQUIRE(!certificates);
    BOOST_TEST(certificates.error().code == Errc::bad_request, certificates.error().message);
}

BOOST_FIXTURE_TEST_CASE(an_authority_certificate_is_stored_once, test::OpenToken) {
    const PublicKey ca = throwaway_key();
    const auto der = make_certificate(ca.get(), ca.get(), 100);
    for (int call = 0; call < 2; ++call) {
        const auto stored = token->store_authority_certificate("signing CA", der);
        BOOST_REQUIRE_MESSAGE(stored, (stored ? "" : message_of(stored.error())));
    }
    const auto found = certificates_with_value(functions(), der);
    BOOST_REQUIRE_EQUAL(found.size(), 1U);

    RawSession raw(functions(), test::token_label);
    // PKCS#11 v2.40 §4.6.1: CKA_CERTIFICATE_CATEGORY 2 is "authority".
    BOOST_TEST(ulong_attribute(raw, found.front(), CKA_CERTIFICATE_CATEGORY) == 2U);
    BOOST_TEST(ulong_attribute(raw, found.front(), CKA_CERTIFICATE_TYPE) == CKC_X_509);
    BOOST_TEST((raw.bytes(found.front(), CKA_LABEL) == bytes_of("signing CA")));
    BOOST_TEST(raw.flag(found.front(), CKA_TOKEN));
    BOOST_TEST(!raw.bytes(found.front(), CKA_ID).empty());

    // Another CA is another object, not taken for the first.
    const PublicKey other_ca = throwaway_key();
    const auto other = make_certificate(other_ca.get(), other_ca.get(), 101);
    BOOST_REQUIRE(token->store_authority_certificate("other CA", other));
    BOOST_TEST(certificates_with_value(functions(), other).size() == 1U);
    BOOST_TEST(certificates_with_value(functions(), der).size() == 1U);
}

BOOST_FIXTURE_TEST_CASE(an_authority_certificate_outlives_a_destroyed_key, test::OpenToken) {
    // The CA certificate is shared by every key it issued, so destroying one key keeps it.
    const KeyId id{0xDE, 0x06};
    certified_key(*this, id);
    const PublicKey ca = throwaway_key();
    const auto der = make_certificate(ca.get(), ca.get(), 102);
    BOOST_REQUIRE(token->store_authority_certificate("signing CA", der));
    BOOST_REQUIRE(token->destroy_key_objects(id));
    BOOST_TEST(certificates_with_value(functions(), der).size() == 1U);
}

BOOST_FIXTURE_TEST_CASE(an_authority_certificate_must_be_one_der_certificate, test::OpenToken) {
    const PublicKey ca = throwaway_key();
    auto trailing = make_certificate(ca.get(), ca.get(), 103);
    trailing.push_back(0x00);
    for (const auto& bad : {bytes_of(""), bytes_of("-----BEGIN CERTIFICATE-----"), trailing}) {
        const auto stored = token->store_authority_certificate("CA", bad);
        BOOST_REQUIRE(!stored);
        BOOST_TEST(stored.error().code == Errc::invalid_certificate, stored.error().message);
    }
    BOOST_TEST(certificates_with_value(functions(), trailing).empty());
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// ---------------------------------------------------------------------------------------------
// Secrets sealed by an AES key in the token (TOTP seeds).
BOOST_AUTO_TEST_SUITE(token_sealed_secrets)

BOOST_FIXTURE_TEST_CASE(a_secret_opens_only_unchanged_and_for_its_owner, test::OpenToken) {
    const KeyId wrapping{0x5E, 0xED};
    auto made = token->ensure_wrapping_key(wrapping, "seeds");
    BOOST_REQUIRE(made);
    BOOST_TEST(*made);
    auto found = token->ensure_wrapping_key(wrapping, "seeds");  // a second call finds it
    BOOST_REQUIRE(found);
    BOOST_TEST(!*found);
    RawSession raw(functions(), test::token_label);
    const auto keys = raw.find(CKO_SECRET_KEY, wrapping);
    BOOST_REQUIRE_EQUAL(keys.size(), 1U);
    BOOST_TEST(raw.flag(keys.front(), CKA_SENSITIVE));
    BOOST_TEST(!raw.flag(keys.front(), CKA_EXTRACTABLE));
    BOOST_TEST(!raw.flag(keys.front(), CKA_SIGN));

    const Secret seed(std::string("12345678901234567890"));
    auto sealed = token->seal_secret(wrapping, seed, "person:marie");
    BOOST_REQUIRE_MESSAGE(sealed, (sealed ? "" : message_of(sealed.error())));
    BOOST_TEST(sealed->size() == 12U + 20U + 16U);  // IV, ciphertext, tag
    const std::string stored(sealed->begin(), sealed->end());
    BOOST_TEST(stored.find("1234567890") == std::string::npos);
    auto again = token->seal_secret(wrapping, seed, "person:marie");
    BOOST_TEST((*again != *sealed));  // a fresh IV each time

    auto opened = token->open_secret(wrapping, *sealed, "person:marie");
    BOOST_REQUIRE_MESSAGE(opened, (opened ? "" : message_of(opened.error())));
    BOOST_TEST(opened->reveal() == seed.reveal());
    BOOST_TEST(!token->open_secret(wrapping, *sealed, "person:paul").has_value());
    auto tampered = *sealed;
    tampered[14] ^= 0x01;
    BOOST_TEST(!token->open_secret(wrapping, tampered, "person:marie").has_value());
    BOOST_TEST(!token->open_secret(wrapping, std::span(*sealed).first(20), "person:marie").has_value());
    BOOST_TEST(!token->seal_secret({0x00}, seed, "x").has_value());  // no such key
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

BOOST_AUTO_TEST_SUITE(key_algorithm)

BOOST_AUTO_TEST_CASE(parses_the_four_names) {
    for (const KeyAlgorithm algorithm : {KeyAlgorithm::rsa_3072, KeyAlgorithm::rsa_4096,
                                         KeyAlgorithm::ec_p256, KeyAlgorithm::ec_p384}) {
        const auto parsed = parse_key_algorithm(to_string(algorithm));
        BOOST_REQUIRE(parsed);
        BOOST_TEST((*parsed == algorithm));
    }
    BOOST_TEST(to_string(KeyAlgorithm::rsa_3072) == "rsa-3072");
    BOOST_TEST(to_string(KeyAlgorithm::ec_p256) == "ec-p256");
}

BOOST_AUTO_TEST_CASE(refuses_other_names) {
    for (const char* name : {"", "rsa", "RSA-3072", "rsa-2048", "ec-p521", "ed25519", "ec-p256 "}) {
        const auto parsed = parse_key_algorithm(name);
        BOOST_REQUIRE(!parsed);
        BOOST_TEST((parsed.error().code == Errc::bad_request));
        BOOST_TEST(contains(parsed.error().message, "'" + std::string(name) + "'"));
        BOOST_TEST(contains(parsed.error().message, "rsa-3072, rsa-4096, ec-p256, ec-p384"));
    }
    const auto long_name = parse_key_algorithm(std::string(10000, 'x'));
    BOOST_REQUIRE(!long_name);
    BOOST_TEST(long_name.error().message.size() < 300U);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::hsm
