#include "hsm/csr.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "hsm/openssl_util.hpp"

namespace signet::hsm {
namespace {

using RequestPtr = std::unique_ptr<X509_REQ, SslDeleter<&X509_REQ_free>>;
using AlgorithmPtr = std::unique_ptr<X509_ALGOR, SslDeleter<&X509_ALGOR_free>>;
using BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, SslDeleter<&ASN1_BIT_STRING_free>>;
using NamePtr = std::unique_ptr<X509_NAME, SslDeleter<&X509_NAME_free>>;
using BioPtr = std::unique_ptr<BIO, SslDeleter<&BIO_free_all>>;

constexpr std::string_view what = "making the certification request";

Status add_name_entry(X509_NAME* name, const char* field, const std::string& value) {
    if (value.empty()) return {};
    if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1) {
        return fail(Errc::bad_request, openssl_error(std::string("the subject's ") + field + " is not usable"));
    }
    return {};
}

// The signature algorithm Token::sign produces for this key type.
Result<AlgorithmPtr> signature_algorithm(EVP_PKEY* public_key) {
    const bool rsa = EVP_PKEY_get_base_id(public_key) == EVP_PKEY_RSA;
    const bool ec = EVP_PKEY_get_base_id(public_key) == EVP_PKEY_EC;
    if (!rsa && !ec) return fail(Errc::bad_request, "only RSA and EC keys can make a request");
    AlgorithmPtr algorithm(X509_ALGOR_new());
    // RFC 4055 §5: sha256WithRSAEncryption has NULL parameters; RFC 5758 §3.2: ECDSA has none.
    if (!algorithm || X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(rsa ? NID_sha256WithRSAEncryption : NID_ecdsa_with_SHA256),
                                      rsa ? V_ASN1_NULL : V_ASN1_UNDEF, nullptr) != 1) {
        return fail(Errc::internal, openssl_error(what));
    }
    return algorithm;
}

}  // namespace

Result<std::string> make_csr(Token& token, const KeyId& id, EVP_PKEY* public_key, const CsrSubject& subject) {
    if (subject.common_name.empty()) return fail(Errc::bad_request, "a certification request needs a common name");
    RequestPtr request(X509_REQ_new());
    NamePtr name(X509_NAME_new());
    if (!request || !name || X509_REQ_set_version(request.get(), 0) != 1 ||
        X509_REQ_set_pubkey(request.get(), public_key) != 1) {
        return fail(Errc::internal, openssl_error(what));
    }
    SIGNET_CHECK(add_name_entry(name.get(), "O", subject.organization));
    SIGNET_CHECK(add_name_entry(name.get(), "CN", subject.common_name));
    if (X509_REQ_set_subject_name(request.get(), name.get()) != 1) return fail(Errc::internal, openssl_error(what));

    auto algorithm = signature_algorithm(public_key);
    if (!algorithm) return std::unexpected(algorithm.error());
    if (X509_REQ_set1_signature_algo(request.get(), algorithm->get()) != 1) {
        return fail(Errc::internal, openssl_error(what));
    }
    unsigned char* tbs = nullptr;
    int tbs_length = i2d_re_X509_REQ_tbs(request.get(), &tbs);
    if (tbs_length <= 0) return fail(Errc::internal, openssl_error(what));
    std::vector<std::uint8_t> info(tbs, tbs + tbs_length);
    OPENSSL_free(tbs);

    auto signature = token.sign(id, info);
    if (!signature) return std::unexpected(signature.error().with_context("signing the certification request"));
    BitStringPtr bits(ASN1_BIT_STRING_new());
    if (!bits || ASN1_BIT_STRING_set(bits.get(), signature->data(), static_cast<int>(signature->size())) != 1) {
        return fail(Errc::internal, openssl_error(what));
    }
    // A signature is a whole number of bytes: no unused bits.
    bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
    bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
    X509_REQ_set0_signature(request.get(), bits.release());

    // The token signed what we asked, with the key we think: check before handing it out.
    if (X509_REQ_verify(request.get(), public_key) != 1) {
        return fail(Errc::internal, openssl_error("the certification request does not verify with its own key"));
    }
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509_REQ(bio.get(), request.get()) != 1) return fail(Errc::internal, openssl_error(what));
    char* data = nullptr;
    long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace signet::hsm
