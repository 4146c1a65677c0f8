#pragma once
// Short-lived end-entity certificates (RFC 5280) issued by a CA whose private key is in the
// token: a guest's one-time key is certified for the minutes of one co-signature. The
// certificate is built with OpenSSL and its TBSCertificate signed inside the token
// (Token::sign), like hsm/csr.cpp's requests; the result is verified with the CA certificate's
// public key before it is returned.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "base/error.hpp"
#include "hsm/token.hpp"

namespace signet::hsm {

struct LeafCertificateSpec {
    // UTF-8, 1 to 128 characters (code points), no control character; the subject's only
    // attribute. 128 is twice RFC 5280's ub-common-name: guests' full names can be longer than
    // 64, and relying parties read the UTF8String whatever its length.
    std::string common_name;
    // An ASCII addr-spec (local-part@domain, printable, at most 254 characters), put in
    // subjectAltName as an rfc822Name (RFC 5280 §4.2.1.6).
    std::string email;
    // Whole seconds: X.509 times have no fractions, so both are truncated to the second.
    std::chrono::system_clock::time_point not_before;
    std::chrono::system_clock::time_point not_after;
};

struct IssuedCertificate {
    std::vector<std::uint8_t> der;
    std::string serial_hex;  // lowercase hex of the serial INTEGER's content bytes (32 digits)
};

// A certificate for `subject_key` issued by the CA whose private key is `ca_key` in `token` and
// whose certificate is `ca_certificate`: version 3; a random positive 16-byte serial; issuer
// the CA's subject; subject CN only; basicConstraints CA:FALSE and keyUsage digitalSignature +
// nonRepudiation, both critical; subjectAltName rfc822Name; subjectKeyIdentifier;
// authorityKeyIdentifier from the CA's subjectKeyIdentifier; RFC 9608 noRevAvail, since
// nothing will ever say it is revoked. Signed sha256WithRSAEncryption or ecdsa-with-SHA256 by
// the CA key's type.
//
// bad_request for a spec outside the limits above, not_after <= not_before, no subject key, or
// a CA certificate that cannot issue (no basicConstraints CA:TRUE, a keyUsage without
// keyCertSign, no subjectKeyIdentifier); invalid_certificate when the signature made with
// `ca_key` does not verify with `ca_certificate`'s key (they are not one pair); Token::sign's
// errors (not_found, unavailable) as they are.
Result<IssuedCertificate> issue_leaf_certificate(Token& token, const KeyId& ca_key,
                                                 X509* ca_certificate, EVP_PKEY* subject_key,
                                                 const LeafCertificateSpec& spec);

}  // namespace signet::hsm
