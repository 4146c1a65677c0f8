#include "hsm/csr.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "hsm/openssl_util.hpp"

namespace signet::hsm {
namespace {

using RequestPtr = std::unique_ptr<X509_REQ, SslDeleter<&X509_REQ_free>>;
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
    Asn1BitStringPtr bits(ASN1_BIT_STRING_new());
    if (!bits) return fail(Errc::internal, openssl_error(what));
    SIGNET_CHECK(set_signature_bits(bits.get(), *signature));
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
