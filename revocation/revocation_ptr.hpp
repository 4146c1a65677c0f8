#pragma once
// The OpenSSL objects of OCSP (RFC 6960) and CRLs (RFC 5280), each owned by the one deleter of
// base/ssl_ptr.hpp and named once for the module and its callers (the CRL itself, X509Crl, is
// in base/ssl_ptr.hpp: devpki issues what this module reads).

#include <memory>

#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/ssl_ptr.hpp"

namespace signet::revocation {

using OcspBasicResp = std::unique_ptr<OCSP_BASICRESP, SslDeleter<&OCSP_BASICRESP_free>>;
using OcspCertId = std::unique_ptr<OCSP_CERTID, SslDeleter<&OCSP_CERTID_free>>;
using OcspRequest = std::unique_ptr<OCSP_REQUEST, SslDeleter<&OCSP_REQUEST_free>>;
using OcspResponse = std::unique_ptr<OCSP_RESPONSE, SslDeleter<&OCSP_RESPONSE_free>>;
using X509Store = std::unique_ptr<X509_STORE, SslDeleter<&X509_STORE_free>>;
using DistPoints = std::unique_ptr<CRL_DIST_POINTS, SslDeleter<&CRL_DIST_POINTS_free>>;
using Asn1Enumerated = std::unique_ptr<ASN1_ENUMERATED, SslDeleter<&ASN1_ENUMERATED_free>>;

// A STACK_OF(X509) that owns its certificates (sk_X509_pop_free is a macro, hence the struct).
struct X509StackFree {
    void operator()(STACK_OF(X509) * stack) const { sk_X509_pop_free(stack, X509_free); }
};
using X509Stack = std::unique_ptr<STACK_OF(X509), X509StackFree>;

// A STACK_OF(OPENSSL_STRING) from X509_get1_ocsp.
struct EmailStackFree {
    void operator()(STACK_OF(OPENSSL_STRING) * stack) const { X509_email_free(stack); }
};
using StringStack = std::unique_ptr<STACK_OF(OPENSSL_STRING), EmailStackFree>;

}  // namespace signet::revocation
