#include "hsm/openssl_util.hpp"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <boost/test/unit_test.hpp>

#include "tests/unit/hsm/softhsm.hpp"

namespace signet::hsm {
namespace {

PublicKey ec_key(const char* curve) {
    PublicKey key(EVP_EC_gen(curve));
    BOOST_REQUIRE(key);
    return key;
}

std::vector<std::uint8_t> get_octets(const EVP_PKEY* key, const char* name) {
    std::size_t length = 0;
    BOOST_REQUIRE(EVP_PKEY_get_octet_string_param(key, name, nullptr, 0, &length) == 1);
    std::vector<std::uint8_t> value(length);
    BOOST_REQUIRE(EVP_PKEY_get_octet_string_param(key, name, value.data(), value.size(), &length) ==
                  1);
    return value;
}

std::vector<std::uint8_t> get_bignum(const EVP_PKEY* key, const char* name) {
    BIGNUM* raw = nullptr;
    BOOST_REQUIRE(EVP_PKEY_get_bn_param(key, name, &raw) == 1);
    const BignumPtr number(raw);
    std::vector<std::uint8_t> value(static_cast<std::size_t>(BN_num_bytes(number.get())));
    BN_bn2bin(number.get(), value.data());
    return value;
}

// An ECDSA signature made by OpenSSL, taken apart into the r || s form CKM_ECDSA returns.
std::vector<std::uint8_t> raw_signature(const PublicKey& key, std::span<const std::uint8_t> data,
                                        std::size_t half) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                    EVP_MD_CTX_free);
    BOOST_REQUIRE(EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) ==
                  1);
    std::size_t length = 0;
    BOOST_REQUIRE(EVP_DigestSign(context.get(), nullptr, &length, data.data(), data.size()) == 1);
    std::vector<std::uint8_t> der(length);
    BOOST_REQUIRE(EVP_DigestSign(context.get(), der.data(), &length, data.data(), data.size()) ==
                  1);
    const unsigned char* in = der.data();
    const EcdsaSigPtr signature(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(length)));
    BOOST_REQUIRE(signature);
    std::vector<std::uint8_t> raw(2 * half);
    BOOST_REQUIRE(BN_bn2binpad(ECDSA_SIG_get0_r(signature.get()), raw.data(),
                               static_cast<int>(half)) == static_cast<int>(half));
    BOOST_REQUIRE(BN_bn2binpad(ECDSA_SIG_get0_s(signature.get()), raw.data() + half,
                               static_cast<int>(half)) == static_cast<int>(half));
    return raw;
}

BOOST_AUTO_TEST_SUITE(openssl_util)

BOOST_AUTO_TEST_CASE(raw_ecdsa_becomes_a_verifiable_der_signature) {
    for (const auto& [curve, half] : {std::pair{"P-256", 32U}, std::pair{"P-384", 48U}}) {
        const PublicKey key = ec_key(curve);
        const auto data = test::bytes_of("the ByteRange digest input");
        const auto raw = raw_signature(key, data, half);
        const auto der = ecdsa_raw_to_der(raw);
        BOOST_REQUIRE(der);
        BOOST_TEST(der->front() == 0x30);  // SEQUENCE { r INTEGER, s INTEGER }
        BOOST_TEST(test::verifies(key, data, *der), curve);
        auto tampered = raw;
        tampered.back() ^= 1U;
        BOOST_TEST(!test::verifies(key, data, *ecdsa_raw_to_der(tampered)), curve);
    }
}

BOOST_AUTO_TEST_CASE(raw_ecdsa_must_have_two_equal_halves) {
    BOOST_TEST(!ecdsa_raw_to_der({}));
    const std::vector<std::uint8_t> odd(63, 1);
    const auto result = ecdsa_raw_to_der(odd);
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().message.find("63") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(ec_point_is_unwrapped_from_its_octet_string) {
    std::vector<std::uint8_t> point(65, 0xAB);
    point[0] = 0x04;
    std::vector<std::uint8_t> wrapped{0x04, 65};
    wrapped.insert(wrapped.end(), point.begin(), point.end());
    BOOST_TEST((unwrap_ec_point(wrapped) == point));
    // A module that returns the bare point: it is used as it is.
    BOOST_TEST((unwrap_ec_point(point) == point));
    // P-384 points are 97 bytes: still a short-form length.
    std::vector<std::uint8_t> long_point(97, 0x11);
    long_point[0] = 0x04;
    std::vector<std::uint8_t> long_wrapped{0x04, 97};
    long_wrapped.insert(long_wrapped.end(), long_point.begin(), long_point.end());
    BOOST_TEST((unwrap_ec_point(long_wrapped) == long_point));
    BOOST_TEST(ERR_peek_error() == 0UL);
}

BOOST_AUTO_TEST_CASE(ec_public_key_from_pkcs11_attributes) {
    const PublicKey original = ec_key("P-256");
    const auto point = get_octets(original.get(), OSSL_PKEY_PARAM_PUB_KEY);
    std::vector<std::uint8_t> ec_point{0x04, static_cast<std::uint8_t>(point.size())};
    ec_point.insert(ec_point.end(), point.begin(), point.end());
    const std::vector<std::uint8_t> params{0x06, 0x08, 0x2A, 0x86, 0x48,
                                           0xCE, 0x3D, 0x03, 0x01, 0x07};
    const auto rebuilt = ec_public_key(params, ec_point);
    BOOST_REQUIRE(rebuilt);
    BOOST_TEST(EVP_PKEY_eq(rebuilt->get(), original.get()) == 1);
}

BOOST_AUTO_TEST_CASE(ec_public_key_refuses_bad_attributes) {
    const PublicKey original = ec_key("P-256");
    const auto point = get_octets(original.get(), OSSL_PKEY_PARAM_PUB_KEY);
    const std::vector<std::uint8_t> p384{0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22};
    BOOST_TEST(!ec_public_key(p384, point));  // a P-256 point is not on P-384
    BOOST_TEST(!ec_public_key(std::vector<std::uint8_t>{0x05, 0x00}, point));  // NULL, no OID
    BOOST_TEST(!ec_public_key(std::vector<std::uint8_t>{0x06, 0x03, 0x2A, 0x03, 0x04}, point));
    auto off_curve = point;
    off_curve[10] ^= 0xFFU;
    const std::vector<std::uint8_t> p256{0x06, 0x08, 0x2A, 0x86, 0x48,
                                         0xCE, 0x3D, 0x03, 0x01, 0x07};
    const auto result = ec_public_key(p256, off_curve);
    BOOST_TEST(!result);
    if (!result) BOOST_TEST((result.error().code == Errc::internal));
    ERR_clear_error();
}

BOOST_AUTO_TEST_CASE(rsa_public_key_from_pkcs11_attributes) {
    const PublicKey original(EVP_RSA_gen(2048));
    BOOST_REQUIRE(original);
    const auto rebuilt = rsa_public_key(get_bignum(original.get(), OSSL_PKEY_PARAM_RSA_N),
                                        get_bignum(original.get(), OSSL_PKEY_PARAM_RSA_E));
    BOOST_REQUIRE(rebuilt);
    BOOST_TEST(EVP_PKEY_eq(rebuilt->get(), original.get()) == 1);
    BOOST_TEST(!rsa_public_key({}, get_bignum(original.get(), OSSL_PKEY_PARAM_RSA_E)));
}

BOOST_AUTO_TEST_CASE(sha256_of_abc) {
    const auto digest = sha256(test::bytes_of("abc"));
    BOOST_REQUIRE(digest);
    const Sha256 expected{0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                          0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                          0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    BOOST_TEST((*digest == expected));
    BOOST_TEST(sha256({}).has_value());
}

BOOST_AUTO_TEST_CASE(openssl_error_drains_the_queue) {
    ERR_raise(ERR_LIB_EVP, EVP_R_BAD_DECRYPT);
    const std::string message = openssl_error("decrypting");
    BOOST_TEST(message.rfind("decrypting: ", 0) == 0U);
    BOOST_TEST(message.find("bad decrypt") != std::string::npos);
    BOOST_TEST(ERR_peek_error() == 0UL);
    BOOST_TEST(openssl_error("nothing") == "nothing: no OpenSSL error reported");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::hsm
