#include "cms/signed_data.hpp"

#include <algorithm>
#include <climits>
#include <string>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "base/openssl_error.hpp"

namespace signet::cms {
namespace {

// The encoding that RFC 5652 §5.4 says is signed: the signed attributes as an explicit
// SET OF Attribute (tag 0x31), not the [0] IMPLICIT of the SignerInfo. This is OpenSSL's own
// CMS_Attributes_Sign (crypto/cms/cms_asn1.c), which libcrypto does not export. SET_ORDER makes
// the encoder sort the members into DER order, as the SignerInfo's own encoding does, so the
// bytes we sign are the bytes a verifier re-encodes.
// clang-format off
ASN1_ITEM_TEMPLATE(SignetSignedAttributes) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SET_ORDER, V_ASN1_SET, SignedAttributes, X509_ATTRIBUTE)
static_ASN1_ITEM_TEMPLATE_END(SignetSignedAttributes)

// A stack that borrows its members (the SignerInfo keeps owning them).
struct AttributeStackDeleter {
    void operator()(STACK_OF(X509_ATTRIBUTE)* stack) const { sk_X509_ATTRIBUTE_free(stack); }
};
// clang-format on
using BorrowedAttributes = std::unique_ptr<STACK_OF(X509_ATTRIBUTE), AttributeStackDeleter>;

Result<std::vector<std::uint8_t>> encode_signed_attributes(CMS_SignerInfo* si) {
    BorrowedAttributes attributes(sk_X509_ATTRIBUTE_new_null());
    if (!attributes) return openssl_failure(Errc::internal, "allocating the attribute list");
    for (int i = 0; i < CMS_signed_get_attr_count(si); ++i) {
        if (sk_X509_ATTRIBUTE_push(attributes.get(), CMS_signed_get_attr(si, i)) <= 0) {
            return openssl_failure(Errc::internal, "collecting the signed attributes");
        }
    }
    unsigned char* der = nullptr;
    int length = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(attributes.get()), &der,
                               ASN1_ITEM_rptr(SignetSignedAttributes));
    OpensslBytes owned(der);
    if (length <= 0 || der == nullptr) {
        return openssl_failure(Errc::internal, "encoding the signed attributes");
    }
    return std::vector<std::uint8_t>(der, der + length);
}

// The signature comes from outside (an HSM): check it against the certificate before it goes
// into a document, so that a key that does not match its certificate, or a token that returns
// garbage, fails here instead of producing a signature that no validator accepts.
Status verify_signature(EVP_PKEY* public_key, std::span<const std::uint8_t> to_be_signed,
                        std::span<const std::uint8_t> signature) {
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx) return openssl_failure(Errc::internal, "allocating a digest context");
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, public_key) != 1) {
        return openssl_failure(Errc::internal, "initialising the signature check");
    }
    int ok = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), to_be_signed.data(),
                              to_be_signed.size());
    if (ok != 1) {
        drain_openssl_errors();
        return fail(Errc::invalid_certificate,
                    "the signature returned by the signing key does not verify with the signing "
                    "certificate's public key: the certificate is not the key's, or the key "
                    "did not make a PKCS#1 v1.5 or ECDSA signature over SHA-256");
    }
    return {};
}

// OpenSSL adds signing-time only when it signs itself, which we never let it do; remove any
// that slipped in all the same (PAdES forbids it, ETSI EN 319 142-1 §6.3; a time-stamp token's
// time is its genTime).
void remove_signing_time(CMS_SignerInfo* si) {
    for (int index = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1); index >= 0;
         index = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1)) {
        X509Attribute removed(CMS_signed_delete_attr(si, index));
        if (!removed) break;  // the callers' attribute checks report it
    }
}

std::size_t der_size(X509_NAME* name) {
    int size = i2d_X509_NAME(name, nullptr);
    return size > 0 ? static_cast<std::size_t>(size) : 0;
}

std::size_t der_size(const ASN1_INTEGER* integer) {
    int size = i2d_ASN1_INTEGER(integer, nullptr);
    return size > 0 ? static_cast<std::size_t>(size) : 0;
}

std::size_t der_size(X509* cert) {
    int size = i2d_X509(cert, nullptr);
    return size > 0 ? static_cast<std::size_t>(size) : 0;
}

}  // namespace

Status check_key_type(EVP_PKEY* key) {
    switch (EVP_PKEY_get_base_id(key)) {
        case EVP_PKEY_RSA:
        case EVP_PKEY_EC:
            return {};
        default: {
            const char* name = OBJ_nid2sn(EVP_PKEY_get_base_id(key));
            return fail(Errc::invalid_certificate,
                        std::string("the signing certificate's key is of type ") +
                            (name != nullptr ? name : "unknown") +
                            "; signet signs with RSA (PKCS#1 v1.5) or ECDSA keys only");
        }
    }
}

Result<CMS_SignerInfo*> add_signer(CMS_ContentInfo* cms, const Signer& signer,
                                   unsigned extra_flags) {
    if (signer.certificate == nullptr) {
        return fail(Errc::invalid_certificate, "no signing certificate was given");
    }
    EVP_PKEY* public_key = X509_get0_pubkey(signer.certificate);
    if (public_key == nullptr) {
        return openssl_failure(Errc::invalid_certificate,
                               "the signing certificate's public key cannot be read");
    }
    if (auto ok = check_key_type(public_key); !ok) return std::unexpected(ok.error());
    // CMS_add1_signer takes a key only to pick the algorithm identifiers (and to check it
    // against the certificate): the certificate's own public key serves, the private key stays
    // in the HSM. CMS_PARTIAL: it must not sign (OpenSSL 3.0 would add signing-time, NOTES trap 1).
    // CMS_CADES: signing-certificate-v2 with an ESSCertIDv2 over SHA-256 (RFC 5035 §3),
    // required by ETSI EN 319 122-1 §5.2.2 and RFC 5816. CMS_NOSMIMECAP: neither PAdES nor
    // RFC 3161 has a use for it.
    CMS_SignerInfo* si =
        CMS_add1_signer(cms, signer.certificate, public_key, EVP_sha256(),
                        CMS_PARTIAL | CMS_CADES | CMS_NOSMIMECAP | CMS_BINARY | extra_flags);
    if (si == nullptr) return openssl_failure(Errc::internal, "adding the CMS SignerInfo");
    remove_signing_time(si);
    return si;
}

Status sign_signer_info(CMS_SignerInfo* signer_info, X509* certificate, const SignCallback& sign) {
    if (!sign) return fail(Errc::internal, "no signing function was given");
    auto to_be_signed = encode_signed_attributes(signer_info);
    if (!to_be_signed) return std::unexpected(to_be_signed.error());
    auto signature = sign(*to_be_signed);
    if (!signature) return std::unexpected(signature.error());
    if (signature->empty() || signature->size() > static_cast<std::size_t>(INT_MAX)) {
        return fail(Errc::internal, "the signing function returned an empty signature");
    }
    if (auto ok = verify_signature(X509_get0_pubkey(certificate), *to_be_signed, *signature); !ok) {
        return ok;
    }
    if (ASN1_STRING_set(CMS_SignerInfo_get0_signature(signer_info), signature->data(),
                        static_cast<int>(signature->size())) != 1) {
        return openssl_failure(Errc::internal, "setting the signature value");
    }
    return {};
}

Status add_chain(CMS_ContentInfo* cms, const Signer& signer) {
    std::vector<X509*> added{signer.certificate};  // CMS_add1_signer added the signer's own
    for (X509* cert : signer.chain) {
        if (cert == nullptr) {
            return fail(Errc::invalid_certificate, "the certificate chain has an empty entry");
        }
        bool duplicate = std::any_of(added.begin(), added.end(),
                                     [cert](X509* other) { return X509_cmp(cert, other) == 0; });
        if (duplicate) continue;
        if (CMS_add1_cert(cms, cert) != 1) {
            return openssl_failure(Errc::internal, "adding a chain certificate to the CMS");
        }
        added.push_back(cert);
    }
    return {};
}

Result<std::vector<std::uint8_t>> encode(CMS_ContentInfo* cms) {
    int length = i2d_CMS_ContentInfo(cms, nullptr);
    if (length <= 0) return openssl_failure(Errc::internal, "encoding the CMS");
    std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
    unsigned char* out = der.data();
    if (i2d_CMS_ContentInfo(cms, &out) != length) {
        return openssl_failure(Errc::internal, "encoding the CMS");
    }
    return der;
}

std::size_t signer_size_bound(const Signer& signer) {
    if (signer.certificate == nullptr) return 0;
    std::size_t bound = der_size(signer.certificate);
    for (X509* cert : signer.chain) {
        if (cert != nullptr) bound += der_size(cert);
    }
    bound += 2 * (der_size(X509_get_issuer_name(signer.certificate)) +
                  der_size(X509_get0_serialNumber(signer.certificate)));
    // The DER ECDSA-Sig-Value with both integers padded for EC, the modulus for RSA:
    // EVP_PKEY_get_size reports both.
    EVP_PKEY* key = X509_get0_pubkey(signer.certificate);
    int max_signature = key != nullptr ? EVP_PKEY_get_size(key) : 0;
    bound += max_signature > 0 ? static_cast<std::size_t>(max_signature) : 1024;
    return bound;
}

Result<std::vector<Certificate>> load_pem_certificates(std::span<const std::uint8_t> pem) {
    if (pem.size() > static_cast<std::size_t>(INT_MAX)) {
        return fail(Errc::invalid_certificate, "the PEM data is too large");
    }
    if (pem.empty()) return fail(Errc::invalid_certificate, "the data holds no PEM certificate");
    ERR_clear_error();
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return openssl_failure(Errc::internal, "allocating a memory BIO");
    std::vector<Certificate> certificates;
    while (Certificate cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
        certificates.push_back(std::move(cert));
    }
    // The loop ends at the first failure. Running out of PEM blocks is the normal end (and
    // leaves PEM_R_NO_START_LINE); anything else is a damaged certificate.
    unsigned long error = ERR_peek_last_error();
    if (error != 0 &&
        !(ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE)) {
        return openssl_failure(Errc::invalid_certificate,
                               "a PEM certificate in the data cannot be read");
    }
    ERR_clear_error();
    if (certificates.empty()) {
        return fail(Errc::invalid_certificate, "the data holds no PEM certificate");
    }
    return certificates;
}

}  // namespace signet::cms
