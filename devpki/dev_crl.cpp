#include "devpki/dev_crl.hpp"

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/openssl_error.hpp"

namespace signet::devpki {
namespace {

using Asn1Integer = std::unique_ptr<ASN1_INTEGER, SslDeleter<&ASN1_INTEGER_free>>;
using Revoked = std::unique_ptr<X509_REVOKED, SslDeleter<&X509_REVOKED_free>>;
using Asn1Time = std::unique_ptr<ASN1_TIME, SslDeleter<&ASN1_TIME_free>>;

// The previous CRL's cRLNumber plus one (RFC 5280 §5.2.3: monotonically increasing), 1 for
// the first.
Result<Asn1Integer> following_number(const X509_CRL* previous) {
    std::unique_ptr<BIGNUM, decltype(&BN_free)> number(BN_new(), BN_free);
    if (!number) return openssl_failure(Errc::internal, "allocating the CRL number");
    if (previous != nullptr) {
        Asn1Integer last(static_cast<ASN1_INTEGER*>(
            X509_CRL_get_ext_d2i(previous, NID_crl_number, nullptr, nullptr)));
        if (last && ASN1_INTEGER_to_BN(last.get(), number.get()) == nullptr) {
            return openssl_failure(Errc::internal, "reading the previous CRL number");
        }
    }
    if (BN_add_word(number.get(), 1) != 1) return openssl_failure(Errc::internal, "counting the CRL number");
    Asn1Integer next(BN_to_ASN1_INTEGER(number.get(), nullptr));
    if (!next) return openssl_failure(Errc::internal, "encoding the CRL number");
    return next;
}

Status add_entry(X509_CRL* crl, const ASN1_INTEGER* serial, const ASN1_TIME* when) {
    Revoked entry(X509_REVOKED_new());
    if (!entry || X509_REVOKED_set_serialNumber(entry.get(), const_cast<ASN1_INTEGER*>(serial)) != 1 ||
        X509_REVOKED_set_revocationDate(entry.get(), const_cast<ASN1_TIME*>(when)) != 1 ||
        X509_CRL_add0_revoked(crl, entry.get()) != 1) {
        return openssl_failure(Errc::internal, "adding a CRL entry");
    }
    entry.release();  // the CRL owns it now
    return {};
}

}  // namespace

Result<X509Crl> next_crl(X509* ca, EVP_PKEY* ca_key, const X509_CRL* previous, std::span<X509* const> revoke,
                     std::chrono::seconds validity) {
    X509_NAME* issuer = X509_get_subject_name(ca);
    if (previous != nullptr && X509_NAME_cmp(X509_CRL_get_issuer(previous), issuer) != 0) {
        return fail(Errc::invalid_certificate, "the previous CRL is not this CA's");
    }
    X509Crl crl(X509_CRL_new());
    Asn1Time now(ASN1_TIME_set(nullptr, std::time(nullptr)));
    Asn1Time next_update(ASN1_TIME_adj(nullptr, std::time(nullptr), 0, static_cast<long>(validity.count())));
    if (!crl || !now || !next_update || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
        X509_CRL_set_issuer_name(crl.get(), issuer) != 1 || X509_CRL_set1_lastUpdate(crl.get(), now.get()) != 1 ||
        X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1) {
        return openssl_failure(Errc::internal, "filling in the CRL");
    }
    if (previous != nullptr) {
        STACK_OF(X509_REVOKED)* listed = X509_CRL_get_REVOKED(const_cast<X509_CRL*>(previous));
        for (int i = 0; i < sk_X509_REVOKED_num(listed); ++i) {
            const X509_REVOKED* entry = sk_X509_REVOKED_value(listed, i);
            SIGNET_CHECK(add_entry(crl.get(), X509_REVOKED_get0_serialNumber(entry),
                                   X509_REVOKED_get0_revocationDate(entry)));
        }
    }
    for (X509* cert : revoke) {
        if (X509_NAME_cmp(X509_get_issuer_name(cert), issuer) != 0 || X509_check_issued(ca, cert) != X509_V_OK) {
            return fail(Errc::invalid_certificate, "the certificate to revoke was not issued by this CA");
        }
        X509_REVOKED* already = nullptr;
        if (X509_CRL_get0_by_serial(crl.get(), &already, X509_get0_serialNumber(cert)) == 1) continue;
        SIGNET_CHECK(add_entry(crl.get(), X509_get0_serialNumber(cert), now.get()));
    }
    auto number = following_number(previous);
    if (!number) return std::unexpected(number.error());
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca, nullptr, nullptr, crl.get(), 0);
    X509_EXTENSION* key_id = X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always");
    const bool extended = key_id != nullptr && X509_CRL_add_ext(crl.get(), key_id, -1) == 1 &&
                          X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number->get(), 0, 0) == 1;
    X509_EXTENSION_free(key_id);
    if (!extended) return openssl_failure(Errc::internal, "adding the CRL's extensions");
    if (X509_CRL_sort(crl.get()) != 1 || X509_CRL_sign(crl.get(), ca_key, EVP_sha256()) <= 0) {
        return openssl_failure(Errc::internal, "signing the CRL");
    }
    return crl;
}

Status write_crl(const std::filesystem::path& path, X509_CRL* crl) {
    const std::filesystem::path partial = path.string() + ".partial";
    {
        Bio bio(BIO_new_file(partial.c_str(), "wb"));
        if (!bio || PEM_write_bio_X509_CRL(bio.get(), crl) != 1 || BIO_flush(bio.get()) != 1) {
            std::remove(partial.c_str());
            return openssl_failure(Errc::unavailable, "writing " + partial.string());
        }
    }
    std::error_code ec;
    std::filesystem::rename(partial, path, ec);
    if (ec) return fail(Errc::unavailable, "cannot replace " + path.string() + ": " + ec.message());
    return {};
}

Result<X509Crl> read_crl(const std::filesystem::path& path) {
    Bio bio(BIO_new_file(path.c_str(), "rb"));
    if (!bio) return openssl_failure(Errc::invalid_config, "cannot read " + path.string());
    X509Crl crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
    if (!crl) return openssl_failure(Errc::invalid_config, path.string() + " holds no PEM CRL");
    return crl;
}

}  // namespace signet::devpki
