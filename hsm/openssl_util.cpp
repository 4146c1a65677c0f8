#include "hsm/openssl_util.hpp"

#include <climits>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>

namespace signet::hsm {

namespace {

// Large enough for any key we accept (RSA-4096: 512 bytes, P-384 point: 97 bytes), small enough
// that every length fits an int for OpenSSL's APIs.
constexpr std::size_t max_component = 16 * 1024;

Result<PublicKey> from_params(const char* type, OSSL_PARAM_BLD* build, std::string_view what) {
    ParamPtr params(OSSL_PARAM_BLD_to_param(build));
    if (!params) return fail(Errc::internal, openssl_error(what));
    EvpPkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    if (!context || EVP_PKEY_fromdata_init(context.get()) != 1) {
        return fail(Errc::internal, openssl_error(what));
    }
    EVP_PKEY* key = nullptr;
    if (EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        return fail(Errc::internal, openssl_error(what));
    }
    return PublicKey(key);
}

BignumPtr to_bignum(std::span<const std::uint8_t> bytes) {
    return BignumPtr(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
}

}  // namespace

Result<PublicKey> rsa_public_key(std::span<const std::uint8_t> modulus,
                                 std::span<const std::uint8_t> exponent) {
    constexpr std::string_view what = "building the RSA public key";
    if (modulus.empty() || exponent.empty() || modulus.size() > max_component ||
        exponent.size() > max_component) {
        return fail(Errc::internal, std::string(what) + ": modulus or exponent of unusable size");
    }
    const BignumPtr n = to_bignum(modulus);
    const BignumPtr e = to_bignum(exponent);
    ParamBuildPtr build(OSSL_PARAM_BLD_new());
    if (!n || !e || !build ||
        OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
        return fail(Errc::internal, openssl_error(what));
    }
    return from_params("RSA", build.get(), what);
}

std::vector<std::uint8_t> unwrap_ec_point(std::span<const std::uint8_t> ec_point) {
    if (ec_point.size() <= max_component) {
        const unsigned char* in = ec_point.data();
        Asn1OctetStringPtr octets(
            d2i_ASN1_OCTET_STRING(nullptr, &in, static_cast<long>(ec_point.size())));
        if (octets && in == ec_point.data() + ec_point.size()) {
            const unsigned char* data = ASN1_STRING_get0_data(octets.get());
            return std::vector<std::uint8_t>(data, data + ASN1_STRING_length(octets.get()));
        }
        ERR_clear_error();  // not DER: the bare point, whose failed parse is not an error
    }
    return std::vector<std::uint8_t>(ec_point.begin(), ec_point.end());
}

Result<PublicKey> ec_public_key(std::span<const std::uint8_t> ec_params,
                                std::span<const std::uint8_t> ec_point) {
    constexpr std::string_view what = "building the EC public key";
    if (ec_params.empty() || ec_params.size() > max_component || ec_point.empty() ||
        ec_point.size() > max_component) {
        return fail(Errc::internal,
                    std::string(what) + ": EC parameters or point of unusable size");
    }
    // X9.62 ECParameters is a CHOICE; signet only makes and accepts the namedCurve form, an OID
    // (RFC 5480 §2.1.1 forbids the others in certificates).
    const unsigned char* in = ec_params.data();
    Asn1ObjectPtr oid(d2i_ASN1_OBJECT(nullptr, &in, static_cast<long>(ec_params.size())));
    if (!oid || in != ec_params.data() + ec_params.size()) {
        return fail(Errc::internal, openssl_error(std::string(what) +
                                                  ": CKA_EC_PARAMS is not a named curve's OID"));
    }
    const int nid = OBJ_obj2nid(oid.get());
    const char* group = nid == NID_undef ? nullptr : OSSL_EC_curve_nid2name(nid);
    if (group == nullptr) {
        return fail(Errc::internal,
                    std::string(what) + ": CKA_EC_PARAMS names a curve OpenSSL does not know");
    }
    const std::vector<std::uint8_t> point = unwrap_ec_point(ec_point);
    ParamBuildPtr build(OSSL_PARAM_BLD_new());
    if (!build ||
        OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1) {
        return fail(Errc::internal, openssl_error(what));
    }
    return from_params("EC", build.get(), what);
}

Result<std::vector<std::uint8_t>> ecdsa_raw_to_der(std::span<const std::uint8_t> raw) {
    constexpr std::string_view what = "encoding the ECDSA signature";
    if (raw.empty() || raw.size() % 2 != 0 || raw.size() > max_component) {
        return fail(Errc::internal, std::string(what) + ": CKM_ECDSA returned " +
                                        std::to_string(raw.size()) +
                                        " bytes, not r || s of equal halves");
    }
    const std::size_t half = raw.size() / 2;
    BignumPtr r = to_bignum(raw.first(half));
    BignumPtr s = to_bignum(raw.subspan(half));
    EcdsaSigPtr signature(ECDSA_SIG_new());
    if (!r || !s || !signature || ECDSA_SIG_set0(signature.get(), r.get(), s.get()) != 1) {
        return fail(Errc::internal, openssl_error(what));
    }
    // ECDSA_SIG_set0 took ownership of r and s.
    static_cast<void>(r.release());
    static_cast<void>(s.release());
    return der_encode([&](unsigned char** out) { return i2d_ECDSA_SIG(signature.get(), out); },
                      what);
}

Result<X509AlgorPtr> signature_algorithm(const EVP_PKEY* key) {
    const bool rsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
    const bool ec = EVP_PKEY_get_base_id(key) == EVP_PKEY_EC;
    if (!rsa && !ec) return fail(Errc::bad_request, "only RSA and EC keys sign in the token");
    X509AlgorPtr algorithm(X509_ALGOR_new());
    // RFC 4055 §5: sha256WithRSAEncryption has NULL parameters; RFC 5758 §3.2: ECDSA has none.
    if (!algorithm ||
        X509_ALGOR_set0(algorithm.get(),
                        OBJ_nid2obj(rsa ? NID_sha256WithRSAEncryption : NID_ecdsa_with_SHA256),
                        rsa ? V_ASN1_NULL : V_ASN1_UNDEF, nullptr) != 1) {
        return fail(Errc::internal, openssl_error("making the signature algorithm"));
    }
    return algorithm;
}

Status set_signature_bits(ASN1_BIT_STRING* bits, std::span<const std::uint8_t> signature) {
    if (signature.size() > max_component ||
        ASN1_BIT_STRING_set(bits, const_cast<std::uint8_t*>(signature.data()),
                            static_cast<int>(signature.size())) != 1) {
        return fail(Errc::internal, openssl_error("setting the signature"));
    }
    // A signature is a whole number of bytes: no unused bits, and no trailing zero bits dropped
    // by OpenSSL's own count.
    bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
    bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
    return {};
}

Result<Sha256> sha256(std::span<const std::uint8_t> data) {
    Sha256 digest{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
        length != digest.size()) {
        return fail(Errc::internal, openssl_error("computing SHA-256"));
    }
    return digest;
}

}  // namespace signet::hsm
