#pragma once
// Where a certificate's revocation status can be asked: the OCSP responders of its Authority
// Information Access extension (RFC 5280 §4.2.2.1) and the http CRL distribution points of its
// cRLDistributionPoints extension (RFC 5280 §4.2.1.13).

#include <string>
#include <vector>

#include <openssl/x509.h>

namespace signet::revocation {

// The id-ad-ocsp URIs, in the certificate's order; only http:// and https:// ones.
std::vector<std::string> ocsp_urls(X509* cert);

// The fullName URIs of the distribution points that cover every reason (no `reasons` field) and
// have no cRLIssuer (an indirect CRL is signed by someone else), in order; only http(s) ones:
// ldap:// and the like are not fetched.
std::vector<std::string> crl_urls(X509* cert);

}  // namespace signet::revocation
