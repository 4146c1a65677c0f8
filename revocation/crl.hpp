#pragma once
// Certificate revocation lists (RFC 5280 §5): read from DER or PEM, verified against the issuer
// of the certificate in question, and the certificate's serial looked up.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include <openssl/x509.h>

#include "base/error.hpp"
#include "base/time.hpp"
#include "revocation/revocation_ptr.hpp"
#include "revocation/status.hpp"

namespace signet::revocation {

// A CRL from DER, or from PEM ("-----BEGIN X509 CRL-----"). invalid_certificate otherwise.
Result<X509Crl> parse_crl(std::span<const std::uint8_t> bytes);

// The checks that make `crl` evidence about certificates issued by `issuer` at `now`: a full
// CRL (no deltaCRLIndicator), issuer name = the issuer's subject, signature by the issuer's key
// with an algorithm algorithm_policy accepts, an issuer allowed to sign CRLs (keyUsage cRLSign
// when keyUsage is present), thisUpdate ≤ now + skew and now - skew < nextUpdate (RFC 5280
// §6.3.3 (a)); a CRL without nextUpdate is refused (RFC 5280 §5.1.2.5 makes it mandatory).
Status verify_crl(X509_CRL* crl, X509* issuer, Timestamp now, std::chrono::seconds skew);

// The status of `cert` in a CRL verify_crl accepted for its issuer: revoked with time and reason
// when its serial is listed (an entry with reason removeFromCRL counts as not listed), else good;
// this/nextUpdate and the CRL's DER filled in; source_kind and source left to the caller.
Result<RevocationStatus> status_in_crl(X509_CRL* crl, X509* cert);

// verify_crl, then status_in_crl, with `cert`'s issuer name checked against the CRL's issuer.
Result<RevocationStatus> check_crl(X509_CRL* crl, X509* cert, X509* issuer, Timestamp now,
                                   std::chrono::seconds skew);

}  // namespace signet::revocation
