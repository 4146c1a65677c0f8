#include "revocation/ocsp.hpp"

#include <cctype>
#include <climits>
#include <utility>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "base/base64.hpp"
#include "base/openssl_error.hpp"
#include "base/x509_encoding.hpp"
#include "revocation/algorithm_policy.hpp"
#include "revocation/asn1_time.hpp"

namespace signet::revocation {
namespace {

// RFC 3986 §2.3: everything but the unreserved characters is percent-encoded; base64's '+',
// '/' and '=' would otherwise be read as a space, a path separator or a parameter.
std::string url_encode(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += hex[byte >> 4];
            out += hex[byte & 0x0f];
        }
    }
    return out;
}

bool valid_at(X509* cert, Timestamp now, std::chrono::seconds skew) {
    const auto not_before = to_timestamp(X509_get0_notBefore(cert));
    const auto not_after = to_timestamp(X509_get0_notAfter(cert));
    return not_before && not_after && *not_before <= now + skew && now - skew <= *not_after;
}

// RFC 6960 §4.2.2.2: the response is signed by the CA that issued the certificate, or by a
// responder the CA authorised: a certificate the CA issued (name and signature, both checked
// here) carrying id-kp-OCSPSigning. OpenSSL's own issuer check runs only inside its chain
// verification, which we turn off because the issuer is given, not found through a store.
Status check_responder(X509* signer, X509* issuer, Timestamp now, std::chrono::seconds skew) {
    if (X509_cmp(signer, issuer) == 0) return {};
    const std::string who = name_text(X509_get_subject_name(signer));
    if (X509_check_issued(issuer, signer) != X509_V_OK ||
        X509_verify(signer, X509_get0_pubkey(issuer)) != 1) {
        ERR_clear_error();
        return fail(Errc::invalid_certificate,
                    "the responder " + who + " is neither the issuer nor certified by it");
    }
    // X509_get_extended_key_usage answers "everything" for a certificate without the
    // extension: the flag says whether there is one.
    if ((X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) == 0 ||
        (X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN) == 0) {
        return fail(Errc::invalid_certificate,
                    "the responder " + who + " lacks extendedKeyUsage id-kp-OCSPSigning");
    }
    if (!valid_at(signer, now, skew)) {
        return fail(Errc::invalid_certificate,
                    "the responder certificate " + who + " is not valid now");
    }
    SIGNET_CHECK(acceptable_certificate_signature(signer, X509_get0_pubkey(issuer)));
    return {};
}

}  // namespace

Result<OcspQuestion> make_ocsp_request(X509* cert, X509* issuer, bool nonce) {
    OcspQuestion question;
    question.request.reset(OCSP_REQUEST_new());
    if (!question.request)
        return openssl_failure(Errc::internal, "cannot allocate an OCSP request");
    OcspCertId id(OCSP_cert_to_id(EVP_sha1(), cert, issuer));
    if (!id) return openssl_failure(Errc::internal, "cannot make the OCSP CertID");
    // OCSP_request_add0_id takes the id on success only.
    if (OCSP_request_add0_id(question.request.get(), id.get()) == nullptr)
        return openssl_failure(Errc::internal, "cannot add the CertID to the OCSP request");
    id.release();
    if (nonce && OCSP_request_add1_nonce(question.request.get(), nullptr, -1) != 1)
        return openssl_failure(Errc::internal, "cannot add a nonce to the OCSP request");
    const int length = i2d_OCSP_REQUEST(question.request.get(), nullptr);
    if (length <= 0) return openssl_failure(Errc::internal, "cannot encode the OCSP request");
    question.der.resize(static_cast<std::size_t>(length));
    unsigned char* out = question.der.data();
    if (i2d_OCSP_REQUEST(question.request.get(), &out) != length)
        return openssl_failure(Errc::internal, "cannot encode the OCSP request");
    return question;
}

std::string ocsp_get_url(const std::string& url, std::span<const std::uint8_t> request_der) {
    std::string out = url;
    if (!out.ends_with('/')) out += '/';
    return out + url_encode(base64_encode(request_der));
}

Result<RevocationStatus> check_ocsp_response(std::span<const std::uint8_t> der, X509* cert,
                                             X509* issuer, const OCSP_REQUEST* request,
                                             Timestamp now, const OcspOptions& options) {
    if (der.empty() || der.size() > static_cast<std::size_t>(INT_MAX))
        return fail(Errc::invalid_certificate, "empty or oversized OCSP response");
    const unsigned char* cursor = der.data();
    OcspResponse response(d2i_OCSP_RESPONSE(nullptr, &cursor, static_cast<long>(der.size())));
    if (!response || cursor != der.data() + der.size())
        return openssl_failure(Errc::invalid_certificate, "not a DER OCSPResponse");
    const int response_status = OCSP_response_status(response.get());
    if (response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        return fail(Errc::invalid_certificate, std::string("the responder answered ") +
                                                   OCSP_response_status_str(response_status));
    }
    OcspBasicResp basic(OCSP_response_get1_basic(response.get()));
    if (!basic) return openssl_failure(Errc::invalid_certificate, "no basic OCSP response");

    // The signer named by responderID, among the response's certificates or the issuer.
    X509Stack extra(sk_X509_new_null());
    if (!extra || X509_up_ref(issuer) != 1) return fail(Errc::internal, "out of memory");
    if (sk_X509_push(extra.get(), issuer) <= 0) {
        X509_free(issuer);
        return fail(Errc::internal, "out of memory");
    }
    X509* signer = nullptr;
    if (OCSP_resp_get0_signer(basic.get(), &signer, extra.get()) != 1 || signer == nullptr)
        return openssl_failure(Errc::invalid_certificate, "the responder's certificate is missing");
    SIGNET_CHECK(check_responder(signer, issuer, now, options.skew));
    SIGNET_CHECK(
        acceptable_signature(OCSP_resp_get0_tbs_sigalg(basic.get()), X509_get0_pubkey(signer)));

    // The signature with the signer found above, and nothing else: NOINTERN so that OpenSSL
    // looks for the signer only in `signers`, NOVERIFY because check_responder did the chain.
    X509Stack signers(sk_X509_new_null());
    if (!signers || X509_up_ref(signer) != 1) return fail(Errc::internal, "out of memory");
    if (sk_X509_push(signers.get(), signer) <= 0) {
        X509_free(signer);
        return fail(Errc::internal, "out of memory");
    }
    X509Store store(X509_STORE_new());
    if (!store) return fail(Errc::internal, "out of memory");
    if (OCSP_basic_verify(basic.get(), signers.get(), store.get(), OCSP_NOINTERN | OCSP_NOVERIFY) !=
        1) {
        return openssl_failure(Errc::invalid_certificate,
                               "the OCSP response's signature does not verify");
    }

    if (request != nullptr) {
        // 1: echoed; 2: neither has one; -1: not echoed (RFC 8954 lets a responder ignore it,
        // e.g. one serving pre-produced answers); 3: only the response has one; 0: different.
        const int nonce = OCSP_check_nonce(const_cast<OCSP_REQUEST*>(request), basic.get());
        if (nonce == 0) return fail(Errc::invalid_certificate, "the OCSP nonce does not match");
    }

    OcspCertId id(OCSP_cert_to_id(EVP_sha1(), cert, issuer));
    if (!id) return openssl_failure(Errc::internal, "cannot make the OCSP CertID");
    int status = -1;
    int reason = -1;
    ASN1_GENERALIZEDTIME* revoked_at = nullptr;
    ASN1_GENERALIZEDTIME* this_update = nullptr;
    ASN1_GENERALIZEDTIME* next_update = nullptr;
    if (OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &revoked_at, &this_update,
                              &next_update) != 1) {
        BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
        char* hex = serial != nullptr ? BN_bn2hex(serial) : nullptr;
        std::string text = hex != nullptr ? hex : "?";
        OPENSSL_free(hex);
        BN_free(serial);
        return fail(Errc::invalid_certificate,
                    "the OCSP response has no status for serial " + text);
    }

    RevocationStatus result;
    SIGNET_TRY(result.this_update, to_timestamp(this_update));
    // OCSP_check_validity's rule, at signet's clock rather than the system's.
    if (result.this_update > now + options.skew) {
        return fail(Errc::invalid_certificate, "the OCSP response is not valid yet (thisUpdate " +
                                                   format_timestamp(result.this_update) + ")");
    }
    if (next_update != nullptr) {
        SIGNET_TRY(result.next_update, to_timestamp(next_update));
        if (result.next_update < result.this_update)
            return fail(Errc::invalid_certificate, "the OCSP response ends before it begins");
    } else {
        result.next_update = result.this_update + options.lifetime_without_next_update;
    }
    if (result.next_update + options.skew <= now) {
        return fail(
            Errc::invalid_certificate,
            std::string("the OCSP response is stale (") +
                (next_update != nullptr ? "nextUpdate " : "no nextUpdate, thisUpdate ") +
                format_timestamp(next_update != nullptr ? result.next_update : result.this_update) +
                ")");
    }

    switch (status) {
        case V_OCSP_CERTSTATUS_GOOD:
            result.status = CertStatus::good;
            break;
        case V_OCSP_CERTSTATUS_REVOKED: {
            result.status = CertStatus::revoked;
            Timestamp when;
            SIGNET_TRY(when, to_timestamp(revoked_at));
            result.revocation_time = when;
            result.reason = reason;
            break;
        }
        default:
            result.status = CertStatus::unknown;
            break;
    }
    result.source_kind = SourceKind::ocsp;
    result.evidence_der.assign(der.begin(), der.end());
    return result;
}

Result<RevocationStatus> query_ocsp(const std::string& url, X509* cert, X509* issuer, Timestamp now,
                                    const OcspOptions& options) {
    OcspQuestion question;
    SIGNET_TRY(question, make_ocsp_request(cert, issuer, options.nonce));
    http_client::HttpResponse response;
    if (options.use_get) {
        SIGNET_TRY(response, http_client::get(ocsp_get_url(url, question.der), options.http));
    } else {
        SIGNET_TRY(response,
                   http_client::post(url, "application/ocsp-request", question.der, options.http));
    }
    SIGNET_CHECK(http_client::expect_ok(response, "application/ocsp-response"));
    auto status =
        check_ocsp_response(response.body, cert, issuer, question.request.get(), now, options);
    if (!status) return status;
    status->source = http_client::redact_url(url);
    return status;
}

}  // namespace signet::revocation
