#pragma once
// The development signing CA's certificate revocation list: `signetctl dev-init` writes an
// empty one (DIR/pki/signing-ca.crl, valid 30 days) and `signetctl dev-crl` issues the next,
// revoking certificates by file, for demonstrations and the revocation tests. The CRL itself
// is the state: the next one keeps every entry of the previous one and counts its cRLNumber up.
// A production CA publishes its own.

#include <chrono>
#include <filesystem>
#include <memory>
#include <span>

#include <openssl/x509.h>

#include "base/error.hpp"
#include "base/ssl_ptr.hpp"

namespace signet::devpki {


// A CRL (v2) of `ca`, signed by `ca_key` with SHA-256, valid from now for `validity`, holding
// the entries of `previous` (when given, which must be the same CA's) and one for each
// certificate of `revoke` not already listed (revoked now, reason unspecified). Refuses a
// certificate that `ca` did not issue.
Result<X509Crl> next_crl(X509* ca, EVP_PKEY* ca_key, const X509_CRL* previous, std::span<X509* const> revoke,
                     std::chrono::seconds validity);

// PEM, replacing the file in one rename, so that a reader sees the old CRL or the new one.
Status write_crl(const std::filesystem::path& path, X509_CRL* crl);
Result<X509Crl> read_crl(const std::filesystem::path& path);

}  // namespace signet::devpki
