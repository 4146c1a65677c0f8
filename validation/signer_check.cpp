#include "validation/signer_check.hpp"

#include <climits>
#include <memory>

#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include "base/openssl_error.hpp"
#include "revocation/algorithm_policy.hpp"
#include "timestamp/ts_ptr.hpp"

namespace signet::validation {
namespace {

using EssSigningCert = std::unique_ptr<ESS_SIGNING_CERT, SslDeleter<&ESS_SIGNING_CERT_free>>;
using EssSigningCertV2 = std::unique_ptr<ESS_SIGNING_CERT_V2, SslDeleter<&ESS_SIGNING_CERT_V2_free>>;

// A stack that borrows its certificates (sk_X509_free is a macro, hence the struct).
struct BorrowedStackFree {
    void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }
};
using BorrowedStack = std::unique_ptr<STACK_OF(X509), BorrowedStackFree>;

// The one value of the signed attribute `nid` as the DER of its SEQUENCE, or null when the
// attribute is absent or present more than once (lastpos -3: exactly one, RFC 5652 §5.3).
const ASN1_STRING* single_sequence(CMS_SignerInfo* signer_info, int nid) {
    return static_cast<const ASN1_STRING*>(
        CMS_signed_get0_data_by_OBJ(signer_info, OBJ_nid2obj(nid), -3, V_ASN1_SEQUENCE));
}

template <class Owned, auto decode>
Owned decoded(const ASN1_STRING* sequence) {
    if (sequence == nullptr) return Owned();
    const unsigned char* cursor = ASN1_STRING_get0_data(sequence);
    return Owned(decode(nullptr, &cursor, ASN1_STRING_length(sequence)));
}

Status refused(const std::string& what, const Status& judged) {
    if (judged) return {};
    return fail(Errc::invalid_certificate, what + "'s algorithms are refused: " + judged.error().message);
}

}  // namespace

Result<SignerView> signer_of(CMS_ContentInfo* cms, const std::string& what) {
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
    const int count = infos == nullptr ? 0 : sk_CMS_SignerInfo_num(infos);
    if (count != 1) {
        return fail(Errc::invalid_document,
                    what + " has " + std::to_string(count) + " SignerInfos where exactly one is expected");
    }
    SignerView view;
    view.signer_info = sk_CMS_SignerInfo_value(infos, 0);
    view.certificates.reset(CMS_get1_certs(cms));
    for (int i = 0; view.certificates && i < sk_X509_num(view.certificates.get()); ++i) {
        X509* candidate = sk_X509_value(view.certificates.get(), i);
        if (CMS_SignerInfo_cert_cmp(view.signer_info, candidate) == 0) view.certificate = candidate;
    }
    if (view.certificate == nullptr) {
        return fail(Errc::invalid_certificate, what + " does not carry its signer's certificate");
    }
    return view;
}

Status check_signer_algorithms(const SignerView& signer, const std::string& what) {
    X509_ALGOR* digest = nullptr;
    X509_ALGOR* signature = nullptr;
    CMS_SignerInfo_get0_algs(signer.signer_info, nullptr, nullptr, &digest, &signature);
    EVP_PKEY* key = X509_get0_pubkey(signer.certificate);
    if (digest == nullptr || signature == nullptr || key == nullptr) {
        return fail(Errc::invalid_certificate, what + "'s algorithms or key cannot be read");
    }
    const ASN1_OBJECT* digest_oid = nullptr;
    X509_ALGOR_get0(&digest_oid, nullptr, nullptr, digest);
    const ASN1_OBJECT* signature_oid = nullptr;
    X509_ALGOR_get0(&signature_oid, nullptr, nullptr, signature);
    // RFC 5652 §5.3 names the digest apart from the signature algorithm, which is often the
    // bare key algorithm (rsaEncryption, RFC 3370 §3.2): the two are judged as the signature
    // algorithm they make together (sha1WithRSAEncryption, ecdsa-with-SHA1, ...).
    int combined = NID_undef;
    if (OBJ_find_sigid_by_algs(&combined, OBJ_obj2nid(digest_oid), EVP_PKEY_get_base_id(key)) == 1) {
        timestamp::X509Algor algorithm(X509_ALGOR_new());
        if (!algorithm || X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(combined), V_ASN1_UNDEF, nullptr) != 1) {
            return openssl_failure(Errc::internal, "naming a signature algorithm");
        }
        SIGNET_CHECK(refused(what, revocation::acceptable_signature(algorithm.get(), key)));
    } else if (EVP_get_digestbyobj(digest_oid) == nullptr) {
        return fail(Errc::invalid_certificate, what + " uses a digest algorithm signet does not know");
    }
    int md_nid = NID_undef;
    int key_nid = NID_undef;
    const int signature_nid = OBJ_obj2nid(signature_oid);
    if (signature_nid == NID_rsassaPss || OBJ_find_sigid_algs(signature_nid, &md_nid, &key_nid) == 1) {
        SIGNET_CHECK(refused(what, revocation::acceptable_signature(signature, key)));
    }
    return refused(what, revocation::acceptable_key(key));
}

Status check_signing_certificate(const SignerView& signer, bool required, const std::string& what) {
    const ASN1_STRING* v1 = single_sequence(signer.signer_info, NID_id_smime_aa_signingCertificate);
    const ASN1_STRING* v2 = single_sequence(signer.signer_info, NID_id_smime_aa_signingCertificateV2);
    if (v1 == nullptr && v2 == nullptr) {
        if (!required) return {};
        return fail(Errc::invalid_document, what + " has no signing-certificate attribute naming its signer");
    }
    auto old_style = decoded<EssSigningCert, &d2i_ESS_SIGNING_CERT>(v1);
    auto new_style = decoded<EssSigningCertV2, &d2i_ESS_SIGNING_CERT_V2>(v2);
    if ((v1 != nullptr && !old_style) || (v2 != nullptr && !new_style)) {
        return openssl_failure(Errc::invalid_document, what + "'s signing-certificate attribute cannot be read");
    }
    // The signer first: the attribute's first ESSCertID must name it (RFC 5035 §4).
    BorrowedStack chain(sk_X509_new_null());
    if (!chain || sk_X509_push(chain.get(), signer.certificate) <= 0) {
        return openssl_failure(Errc::internal, "listing the signer's certificates");
    }
    for (int i = 0; signer.certificates && i < sk_X509_num(signer.certificates.get()); ++i) {
        X509* other = sk_X509_value(signer.certificates.get(), i);
        if (other != signer.certificate && sk_X509_push(chain.get(), other) <= 0) {
            return openssl_failure(Errc::internal, "listing the signer's certificates");
        }
    }
    if (OSSL_ESS_check_signing_certs(old_style.get(), new_style.get(), chain.get(), 1) <= 0) {
        return openssl_failure(Errc::invalid_certificate,
                               what + "'s signing-certificate attribute does not name its signer's certificate");
    }
    return {};
}

Result<std::vector<std::uint8_t>> signed_message_digest(const SignerView& signer) {
    if (CMS_signed_get_attr_count(signer.signer_info) <= 0) return std::vector<std::uint8_t>{};
    const auto* digest = static_cast<const ASN1_OCTET_STRING*>(CMS_signed_get0_data_by_OBJ(
        signer.signer_info, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
    if (digest == nullptr || ASN1_STRING_length(digest) <= 0) {
        return fail(Errc::invalid_document, "its signed attributes have no single message-digest (RFC 5652 §11.2)");
    }
    const unsigned char* bytes = ASN1_STRING_get0_data(digest);
    return std::vector<std::uint8_t>(bytes, bytes + ASN1_STRING_length(digest));
}

Result<const EVP_MD*> signer_digest(const SignerView& signer, const std::string& what) {
    X509_ALGOR* digest = nullptr;
    CMS_SignerInfo_get0_algs(signer.signer_info, nullptr, nullptr, &digest, nullptr);
    const ASN1_OBJECT* oid = nullptr;
    if (digest != nullptr) X509_ALGOR_get0(&oid, nullptr, nullptr, digest);
    const EVP_MD* md = oid == nullptr ? nullptr : EVP_get_digestbyobj(oid);
    if (md == nullptr) return fail(Errc::invalid_certificate, what + " uses a digest algorithm signet does not know");
    return md;
}

Result<std::vector<std::uint8_t>> verify_signed_data(CMS_ContentInfo* cms, const Pieces* detached,
                                                     const std::string& what) {
    ERR_clear_error();
    std::vector<std::uint8_t> content;
    Bio input;
    if (detached != nullptr) {
        for (const auto& piece : *detached) content.insert(content.end(), piece.begin(), piece.end());
        if (content.size() > static_cast<std::size_t>(INT_MAX)) {
            return fail(Errc::invalid_document, what + " covers more bytes than signet verifies (2 GiB)");
        }
        input.reset(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
        if (!input) return openssl_failure(Errc::internal, "reading the signed bytes");
    }
    Bio output(detached == nullptr ? BIO_new(BIO_s_mem()) : nullptr);
    if (detached == nullptr && !output) return openssl_failure(Errc::internal, "allocating a buffer");
    // The signer's chain is verified apart, at the proven time rather than now (chain_check.hpp).
    if (CMS_verify(cms, nullptr, nullptr, input.get(), output.get(), CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1) {
        return openssl_failure(Errc::invalid_document, what + " does not verify with its signer's key");
    }
    if (detached != nullptr) return std::vector<std::uint8_t>{};
    const unsigned char* data = nullptr;
    const long length = BIO_get_mem_data(output.get(), &data);
    if (length < 0) return openssl_failure(Errc::internal, "reading the signed content");
    return std::vector<std::uint8_t>(data, data + length);
}

}  // namespace signet::validation
