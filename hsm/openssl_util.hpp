#pragma once
// OpenSSL 3 pieces of hsm/: the OpenSSL types it owns (base/ssl_ptr.hpp's deleter), public keys from PKCS#11 attributes, and the ECDSA signature
// encoding. No deprecated OpenSSL API. Private to hsm/.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "base/ssl_ptr.hpp"
#include "hsm/token.hpp"
#include "base/error.hpp"
#include "base/openssl_error.hpp"

namespace signet::hsm {

using BignumPtr = std::unique_ptr<BIGNUM, SslDeleter<&BN_free>>;
using EvpPkeyCtxPtr =
    std::unique_ptr<EVP_PKEY_CTX, SslDeleter<&EVP_PKEY_CTX_free>>;
using ParamBuildPtr =
    std::unique_ptr<OSSL_PARAM_BLD, SslDeleter<&OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, SslDeleter<&OSSL_PARAM_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, SslDeleter<&ECDSA_SIG_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, SslDeleter<&ASN1_OBJECT_free>>;
using Asn1OctetStringPtr =
    std::unique_ptr<ASN1_OCTET_STRING, SslDeleter<&ASN1_OCTET_STRING_free>>;
using Asn1BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, SslDeleter<&ASN1_BIT_STRING_free>>;
using X509AlgorPtr = std::unique_ptr<X509_ALGOR, SslDeleter<&X509_ALGOR_free>>;


// An RSA public key from the big-endian CKA_MODULUS and CKA_PUBLIC_EXPONENT.
Result<PublicKey> rsa_public_key(std::span<const std::uint8_t> modulus,
                                 std::span<const std::uint8_t> exponent);

// An EC public key from CKA_EC_PARAMS (DER of a named curve's OID, X9.62 ECParameters) and
// CKA_EC_POINT (DER OCTET STRING around the X9.62 point; a bare point is accepted too).
Result<PublicKey> ec_public_key(std::span<const std::uint8_t> ec_params,
                                std::span<const std::uint8_t> ec_point);

// The X9.62 point inside CKA_EC_POINT. PKCS#11 v2.40 Current Mechanisms §2.3.3 says the value is
// the DER encoding of an OCTET STRING; some older modules return the bare point, which starts
// with 0x04 as well, so the DER reading is tried first and must consume every byte.
std::vector<std::uint8_t> unwrap_ec_point(std::span<const std::uint8_t> ec_point);

// CKM_ECDSA's output (r || s, each half the size of the group order; Current Mechanisms §2.3.1)
// as the DER ECDSA-Sig-Value that X.509 and CMS expect (RFC 3279 §2.2.3, RFC 5753 §2.1.1).
Result<std::vector<std::uint8_t>> ecdsa_raw_to_der(std::span<const std::uint8_t> raw);

// The AlgorithmIdentifier of the signatures Token::sign makes with a key of this type (the key's
// public half): sha256WithRSAEncryption or ecdsa-with-SHA256. bad_request for another type.
Result<X509AlgorPtr> signature_algorithm(const EVP_PKEY* key);

// Puts Token::sign's output into a signature BIT STRING (X.509's, PKCS#10's).
Status set_signature_bits(ASN1_BIT_STRING* bits, std::span<const std::uint8_t> signature);

using Sha256 = std::array<std::uint8_t, 32>;
Result<Sha256> sha256(std::span<const std::uint8_t> data);

// The DER encoding an OpenSSL i2d function produces: `encode(nullptr)` for the length, then
// `encode(&out)`.
template <class Encode>
Result<std::vector<std::uint8_t>> der_encode(Encode encode, std::string_view what) {
    const int length = encode(nullptr);
    if (length <= 0) return fail(Errc::internal, openssl_error(what));
    std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
    unsigned char* out = der.data();
    if (encode(&out) != length) return fail(Errc::internal, openssl_error(what));
    return der;
}

}  // namespace signet::hsm
