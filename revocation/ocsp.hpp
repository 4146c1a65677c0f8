#pragma once
// OCSP (RFC 6960) for one certificate and its issuer: the request, its GET form, the checks of
// the answer, and one query over HTTP through http_client.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "base/error.hpp"
#include "base/time.hpp"
#include "http_client/http_client.hpp"
#include "revocation/revocation_ptr.hpp"
#include "revocation/status.hpp"

namespace signet::revocation {

struct OcspOptions {
    bool nonce = true;     // RFC 8954 nonce extension; a responder that does not echo it is fine
    bool use_get = false;  // GET (RFC 6960 A.1) instead of POST: lets HTTP caches answer
    std::chrono::seconds skew{300};  // tolerated clock difference with the responder
    // RFC 6960 §4.2.2.1: a response without nextUpdate says newer information is always
    // available. It is accepted while thisUpdate is at most this old, and cached that long.
    std::chrono::seconds lifetime_without_next_update{3600};
    http_client::HttpOptions http;
};

struct OcspQuestion {
    OcspRequest request;
    std::vector<std::uint8_t> der;
};

// A request for `cert` issued by `issuer`: a CertID with SHA-1 (RFC 5019 §2.1.1: what
// responders index by) and, when asked, a nonce.
Result<OcspQuestion> make_ocsp_request(X509* cert, X509* issuer, bool nonce);

// `url` + "/" + url-encoded base64 of the request (RFC 6960 A.1.1).
std::string ocsp_get_url(const std::string& url, std::span<const std::uint8_t> request_der);

// Checks an OCSPResponse for `cert` (issuer `issuer`) at `now`: responseStatus successful; a
// basic response signed by the issuer itself, or by a responder certificate that the issuer
// signed and gave id-kp-OCSPSigning, valid at `now` (RFC 6960 §4.2.2.2); a signature algorithm
// algorithm_policy accepts; a SingleResponse for exactly this CertID; thisUpdate/nextUpdate
// around `now` (the rule of OCSP_check_validity, at signet's clock); the nonce, when `request`
// had one and the response echoes it. Status good/revoked/unknown with the response's DER, or
// invalid_certificate saying which check failed. source and source_kind are left to the caller.
Result<RevocationStatus> check_ocsp_response(std::span<const std::uint8_t> der, X509* cert,
                                             X509* issuer, const OCSP_REQUEST* request,
                                             Timestamp now, const OcspOptions& options);

// make_ocsp_request, the exchange with `url` (application/ocsp-request and -response, RFC 6960
// A.1) and check_ocsp_response. unavailable when the responder cannot be asked, the message
// saying what failed but not naming the URL (the caller does, redacted).
Result<RevocationStatus> query_ocsp(const std::string& url, X509* cert, X509* issuer, Timestamp now,
                                    const OcspOptions& options);

}  // namespace signet::revocation
