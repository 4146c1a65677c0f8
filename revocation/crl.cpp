#include "revocation/crl.hpp"

#include <climits>
#include <vector>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/openssl_error.hpp"
#include "base/x509_encoding.hpp"
#include "revocation/algorithm_policy.hpp"
#include "revocation/asn1_time.hpp"

namespace signet::revocation {

const char* reason_text(int reason) {
    // RFC 5280 §5.3.1; 7 is not used.
    switch (reason) {
        case 0:
            return "unspecified";
        case 1:
            return "keyCompromise";
        case 2:
            return "cACompromise";
        case 3:
            return "affiliationChanged";
        case 4:
            return "superseded";
        case 5:
            return "cessationOfOperation";
        case 6:
            return "certificateHold";
        case 8:
            return "removeFromCRL";
        case 9:
            return "privilegeWithdrawn";
        case 10:
            return "aACompromise";
        default:
            return "unspecified";
    }
}

Result<X509Crl> parse_crl(std::span<const std::uint8_t> bytes) {
    if (bytes.empty() || bytes.size() > static_cast<std::size_t>(INT_MAX))
        return fail(Errc::invalid_certificate, "not a CRL: empty or too large");
    const unsigned char* cursor = bytes.data();
    X509Crl crl(d2i_X509_CRL(nullptr, &cursor, static_cast<long>(bytes.size())));
    if (crl && cursor == bytes.data() + bytes.size()) return crl;
    ERR_clear_error();  // not DER: maybe PEM
    Bio bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    if (!bio) return openssl_failure(Errc::internal, "cannot allocate a memory BIO");
    crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
    if (!crl) return openssl_failure(Errc::invalid_certificate, "not a CRL in DER or PEM");
    return crl;
}

Status verify_crl(X509_CRL* crl, X509* issuer, Timestamp now, std::chrono::seconds skew) {
    if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0)
        return fail(Errc::invalid_certificate, "a delta CRL, not a full one");
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0) {
        return fail(Errc::invalid_certificate,
                    "the CRL is issued by " + name_text(X509_CRL_get_issuer(crl)) + ", not by " +
                        name_text(X509_get_subject_name(issuer)));
    }
    // RFC 5280 §4.2.1.3: a CRL signer asserts cRLSign when it has a keyUsage at all.
    if ((X509_get_extension_flags(issuer) & EXFLAG_KUSAGE) != 0 &&
        (X509_get_key_usage(issuer) & KU_CRL_SIGN) == 0) {
        return fail(Errc::invalid_certificate, "the issuer's keyUsage lacks cRLSign");
    }
    EVP_PKEY* key = X509_get0_pubkey(issuer);
    if (key == nullptr) return openssl_failure(Errc::invalid_certificate, "the issuer has no key");
    const ASN1_BIT_STRING* signature = nullptr;
    const X509_ALGOR* algorithm = nullptr;
    X509_CRL_get0_signature(crl, &signature, &algorithm);
    SIGNET_CHECK(acceptable_signature(algorithm, key));
    if (X509_CRL_verify(crl, key) != 1)
        return openssl_failure(Errc::invalid_certificate, "the CRL's signature does not verify");

    Timestamp this_update;
    SIGNET_TRY(this_update, to_timestamp(X509_CRL_get0_lastUpdate(crl)));
    if (X509_CRL_get0_nextUpdate(crl) == nullptr)
        return fail(Errc::invalid_certificate, "the CRL has no nextUpdate");
    Timestamp next_update;
    SIGNET_TRY(next_update, to_timestamp(X509_CRL_get0_nextUpdate(crl)));
    if (this_update > now + skew) {
        return fail(Errc::invalid_certificate,
                    "the CRL is not valid yet (thisUpdate " + format_timestamp(this_update) + ")");
    }
    if (next_update + skew <= now) {
        return fail(Errc::invalid_certificate,
                    "the CRL is stale (nextUpdate " + format_timestamp(next_update) + ")");
    }
    return {};
}

Result<RevocationStatus> status_in_crl(X509_CRL* crl, X509* cert) {
    RevocationStatus status;
    SIGNET_TRY(status.this_update, to_timestamp(X509_CRL_get0_lastUpdate(crl)));
    SIGNET_TRY(status.next_update, to_timestamp(X509_CRL_get0_nextUpdate(crl)));
    const int length = i2d_X509_CRL(crl, nullptr);
    if (length <= 0) return openssl_failure(Errc::internal, "cannot encode the CRL");
    status.evidence_der.resize(static_cast<std::size_t>(length));
    unsigned char* out = status.evidence_der.data();
    if (i2d_X509_CRL(crl, &out) != length)
        return openssl_failure(Errc::internal, "cannot encode the CRL");

    X509_REVOKED* entry = nullptr;
    // 1: listed; 2: listed with reason removeFromCRL (RFC 5280 §5.3.1), which un-revokes.
    const int found = X509_CRL_get0_by_serial(crl, &entry, X509_get0_serialNumber(cert));
    if (found != 1) {
        status.status = CertStatus::good;
        return status;
    }
    status.status = CertStatus::revoked;
    Timestamp when;
    SIGNET_TRY(when, to_timestamp(X509_REVOKED_get0_revocationDate(entry)));
    status.revocation_time = when;
    Asn1Enumerated reason(static_cast<ASN1_ENUMERATED*>(
        X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, nullptr, nullptr)));
    if (reason) status.reason = static_cast<int>(ASN1_ENUMERATED_get(reason.get()));
    return status;
}

Result<RevocationStatus> check_crl(X509_CRL* crl, X509* cert, X509* issuer, Timestamp now,
                                   std::chrono::seconds skew) {
    if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(issuer)) != 0)
        return fail(Errc::invalid_certificate, "the issuer given is not the certificate's issuer");
    SIGNET_CHECK(verify_crl(crl, issuer, now, skew));
    return status_in_crl(crl, cert);
}

}  // namespace signet::revocation
