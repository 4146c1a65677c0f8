#include "revocation/algorithm_policy.hpp"

#include <memory>
#include <string>

#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "base/ssl_ptr.hpp"

namespace signet::revocation {
namespace {

using PssParams = std::unique_ptr<RSA_PSS_PARAMS, SslDeleter<&RSA_PSS_PARAMS_free>>;

bool weak_hash(int md_nid) {
    return md_nid == NID_md2 || md_nid == NID_md4 || md_nid == NID_md5 || md_nid == NID_sha1 ||
           md_nid == NID_md5_sha1;
}

std::string nid_name(int nid) {
    const char* name = OBJ_nid2sn(nid);
    return name != nullptr ? name : "unknown (NID " + std::to_string(nid) + ")";
}

// The hash of an RSASSA-PSS AlgorithmIdentifier's parameters; SHA-1 when they name none.
int pss_hash(const X509_ALGOR* algorithm) {
    const ASN1_OBJECT* oid = nullptr;
    int parameter_type = 0;
    const void* parameter = nullptr;
    X509_ALGOR_get0(&oid, &parameter_type, &parameter, algorithm);
    if (parameter_type != V_ASN1_SEQUENCE) return NID_sha1;
    const auto* sequence = static_cast<const ASN1_STRING*>(parameter);
    const unsigned char* cursor = ASN1_STRING_get0_data(sequence);
    PssParams params(d2i_RSA_PSS_PARAMS(nullptr, &cursor, ASN1_STRING_length(sequence)));
    if (!params) return NID_undef;
    if (params->hashAlgorithm == nullptr) return NID_sha1;
    return OBJ_obj2nid(params->hashAlgorithm->algorithm);
}

}  // namespace

Status acceptable_key(const EVP_PKEY* key) {
    const int type = EVP_PKEY_get_base_id(key);
    const int bits = EVP_PKEY_get_bits(key);
    if ((type == EVP_PKEY_RSA || type == EVP_PKEY_RSA_PSS) && bits < 2048) {
        return fail(Errc::invalid_certificate,
                    "RSA key of " + std::to_string(bits) + " bits is refused (minimum 2048)");
    }
    if (type == EVP_PKEY_EC && bits < 256) {
        return fail(Errc::invalid_certificate,
                    "EC key of " + std::to_string(bits) + " bits is refused (minimum 256)");
    }
    if (type == EVP_PKEY_DSA) return fail(Errc::invalid_certificate, "DSA keys are refused");
    return {};
}

Status acceptable_signature(const X509_ALGOR* algorithm, const EVP_PKEY* key) {
    if (algorithm == nullptr) return fail(Errc::invalid_certificate, "no signature algorithm");
    const ASN1_OBJECT* oid = nullptr;
    X509_ALGOR_get0(&oid, nullptr, nullptr, algorithm);
    const int signature_nid = OBJ_obj2nid(oid);
    int md_nid = NID_undef;
    int pkey_nid = NID_undef;
    if (signature_nid == NID_rsassaPss) {
        md_nid = pss_hash(algorithm);
        if (md_nid == NID_undef)
            return fail(Errc::invalid_certificate, "unreadable RSASSA-PSS parameters");
    } else if (OBJ_find_sigid_algs(signature_nid, &md_nid, &pkey_nid) != 1) {
        return fail(Errc::invalid_certificate,
                    "unknown signature algorithm " + nid_name(signature_nid));
    }
    // Ed25519/Ed448 have no separate hash (md_nid undef) and are accepted.
    if (weak_hash(md_nid)) {
        return fail(Errc::invalid_certificate, "signature hash " + nid_name(md_nid) +
                                                   " is refused (" + nid_name(signature_nid) + ")");
    }
    if (key != nullptr) SIGNET_CHECK(acceptable_key(key));
    return {};
}

Status acceptable_certificate_signature(const X509* cert, const EVP_PKEY* issuer_key) {
    const ASN1_BIT_STRING* signature = nullptr;
    const X509_ALGOR* algorithm = nullptr;
    X509_get0_signature(&signature, &algorithm, cert);
    return acceptable_signature(algorithm, issuer_key);
}

}  // namespace signet::revocation
