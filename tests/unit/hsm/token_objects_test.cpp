#include "hsm/token.hpp"

#include <algorithm>
#include <cstring>
#include <ios>
#include <memory>
#include <string_view>
#include <vector>

#include <openssl/x509.h>
#include <boost/test/unit_test.hpp>

#include "hsm/openssl_util.hpp"
#include "tests/unit/hsm/softhsm.hpp"
#include "tests/unit/hsm/token_fixture.hpp"

namespace signet::hsm {
namespace {

using namespace test;

struct X509Free {
    void operator()(X509* certificate) const { X509_free(certificate); }
};

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
// Keyed hashes of one-time codes under an HMAC key that never leaves the token.
BOOST_AUTO_TEST_SUITE(token_mac)

std::vector<std::uint8_t> mac_of(Token& token, const KeyId& id, std::string_view data) {
    auto mac = token.mac(id, bytes_of(data));
    BOOST_REQUIRE_MESSAGE(mac, (mac ? "" : message_of(mac.error())));
    return *mac;
}

BOOST_FIXTURE_TEST_CASE(a_mac_key_is_made_once_and_never_leaves_the_token, test::OpenToken) {
    const KeyId id{0x3A, 0xC0};
    auto made = token->ensure_mac_key(id, "one-time codes");
    BOOST_REQUIRE_MESSAGE(made, (made ? "" : message_of(made.error())));
    BOOST_TEST(*made);
    auto found = token->ensure_mac_key(id, "one-time codes");
    BOOST_REQUIRE(found);
    BOOST_TEST(!*found);

    RawSession raw(functions(), test::token_label);
    const auto keys = raw.find(CKO_SECRET_KEY, id);
    BOOST_REQUIRE_EQUAL(keys.size(), 1U);
    const CK_OBJECT_HANDLE key = keys.front();
    CK_KEY_TYPE type = 0;
    std::memcpy(&type, raw.bytes(key, CKA_KEY_TYPE).data(), sizeof type);
    BOOST_TEST(type == CKK_GENERIC_SECRET);
    CK_ULONG length = 0;
    std::memcpy(&length, raw.bytes(key, CKA_VALUE_LEN).data(), sizeof length);
    BOOST_TEST(length == 32U);
    BOOST_TEST(raw.flag(key, CKA_TOKEN));
    BOOST_TEST(raw.flag(key, CKA_PRIVATE));
    BOOST_TEST(raw.flag(key, CKA_SENSITIVE));
    BOOST_TEST(!raw.flag(key, CKA_EXTRACTABLE));
    BOOST_TEST(raw.flag(key, CKA_NEVER_EXTRACTABLE));
    BOOST_TEST(raw.flag(key, CKA_SIGN));
    BOOST_TEST(raw.flag(key, CKA_VERIFY));
    for (const CK_ATTRIBUTE_TYPE use : {CKA_ENCRYPT, CKA_DECRYPT, CKA_WRAP, CKA_UNWRAP, CKA_DERIVE}) {
        BOOST_TEST(!raw.flag(key, use), "attribute 0x" << std::hex << use);
    }
    BOOST_TEST(raw.get(key, CKA_VALUE).first == CKR_ATTRIBUTE_SENSITIVE);
    BOOST_TEST((raw.bytes(key, CKA_LABEL) == bytes_of("one-time codes")));
}

BOOST_FIXTURE_TEST_CASE(a_mac_depends_on_the_data_and_the_key, test::OpenToken) {
    const KeyId id{0x3A, 0xC1};
    const KeyId other{0x3A, 0xC2};
    BOOST_REQUIRE(token->ensure_mac_key(id, "codes"));
    BOOST_REQUIRE(token->ensure_mac_key(other, "other codes"));

    const auto mac = mac_of(*token, id, "guest:42:code:318207");
    BOOST_TEST(mac.size() == 32U);
    BOOST_TEST((mac_of(*token, id, "guest:42:code:318207") == mac));
    BOOST_TEST((mac_of(*token, id, "guest:42:code:318208") != mac));
    BOOST_TEST((mac_of(*token, other, "guest:42:code:318207") != mac));
    const auto plain = sha256(bytes_of("guest:42:code:318207"));
    BOOST_REQUIRE(plain);
    BOOST_TEST(!std::equal(mac.begin(), mac.end(), plain->begin(), plain->end()));
    BOOST_TEST(mac_of(*token, id, "").size() == 32U);

    // The token's own verification agrees that it is SHA-256-HMAC of the data under that key.
    RawSession raw(functions(), test::token_label);
    CK_MECHANISM mechanism{CKM_SHA256_HMAC, nullptr, 0};
    BOOST_REQUIRE_EQUAL(functions()->C_VerifyInit(raw.handle(), &mechanism, raw.find_one(CKO_SECRET_KEY, id)),
                        CKR_OK);
    auto data = bytes_of("guest:42:code:318207");
    auto copy = mac;
    BOOST_TEST(functions()->C_Verify(raw.handle(), data.data(), data.size(), copy.data(), copy.size()) == CKR_OK);

    // The key is kept on the token: a code stored before a restart still checks after it.
    token.reset();
    token = open(test::token_label);
    BOOST_TEST((mac_of(*token, id, "guest:42:code:318207") == mac));
}

BOOST_FIXTURE_TEST_CASE(a_mac_needs_an_hmac_key, test::OpenToken) {
    const auto none = token->mac({0x3A, 0xFF}, bytes_of("x"));
    BOOST_REQUIRE(!none);
    BOOST_TEST((none.error().code == Errc::not_found), none.error().message);
    BOOST_TEST((token->mac({}, bytes_of("x")).error().code == Errc::bad_request));
    BOOST_TEST((token->ensure_mac_key({}, "x").error().code == Errc::bad_request));

    // An AES key under the id can neither serve as nor be taken for the HMAC key.
    const KeyId wrapping{0x3A, 0xAE};
    BOOST_REQUIRE(token->ensure_wrapping_key(wrapping, "seeds"));
    const auto taken = token->ensure_mac_key(wrapping, "codes");
    BOOST_REQUIRE(!taken);
    BOOST_TEST((taken.error().code == Errc::conflict), taken.error().message);
    BOOST_TEST(!token->mac(wrapping, bytes_of("x")).has_value());
    const KeyId hmac{0x3A, 0xC3};
    BOOST_REQUIRE(token->ensure_mac_key(hmac, "codes"));
    const auto reversed = token->ensure_wrapping_key(hmac, "seeds");
    BOOST_REQUIRE(!reversed);
    BOOST_TEST((reversed.error().code == Errc::conflict));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::hsm
