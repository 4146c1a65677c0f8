#pragma once
// Issuing X.509 certificates for development (`signetctl dev-init`) and for tests: software
// keys, a CA, TLS server and client certificates, signing (seal/audit) certificates over a
// public key that may live in an HSM. Production certificates come from a real CA.

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "base/error.hpp"
#include "base/ssl_ptr.hpp"
#include "base/x509_encoding.hpp"

namespace signet::devpki {

using Key = PkeyPtr;
using Cert = X509Ptr;

enum class Usage {
    ca,          // basicConstraints CA:TRUE, keyCertSign + cRLSign
    guest_ca,    // the same with pathlen:0: the guest CA certifies end entities only (issue 22)
    tls_server,  // digitalSignature, extendedKeyUsage serverAuth, SANs
    tls_client,  // digitalSignature, extendedKeyUsage clientAuth
    signing,     // nonRepudiation + digitalSignature (seal, personal and audit keys)
    time_stamping,  // digitalSignature, critical extendedKeyUsage timeStamping (RFC 3161 §2.3)
    // Refusal tests only: a TSA certificate whose extendedKeyUsage is not critical.
    time_stamping_noncritical,
};

struct CertificateSpec {
    std::string common_name;
    std::string organization = "signet development";
    Usage usage = Usage::tls_client;
    std::vector<std::string> dns_names;     // tls_server SANs
    std::vector<std::string> ip_addresses;  // tls_server SANs, dotted quads
    int valid_days = 365;
    // Where relying parties ask for its revocation status (RFC 5280 §4.2.2.1 and §4.2.1.13):
    // an authorityInfoAccess OCSP entry and a cRLDistributionPoints URI, when not empty.
    std::string ocsp_url;
    std::string crl_url;
};

// "rsa-2048", "rsa-3072", "ec-p256", "ec-p384".
Result<Key> generate_key(std::string_view algorithm);

// Issues a certificate for `subject_key` (only its public half is used). With no issuer the
// certificate is self-signed by `issuer_key`, which must then be the subject key.
Result<Cert> issue(const CertificateSpec& spec, EVP_PKEY* subject_key, X509* issuer,
                   EVP_PKEY* issuer_key);

// Writes the file with mode 0644 (certificates) or 0600 (private keys); refuses to overwrite.
Status write_certificate(const std::filesystem::path& path, X509* cert);
Status write_private_key(const std::filesystem::path& path, EVP_PKEY* key);
Result<Cert> read_certificate(const std::filesystem::path& path);
Result<Key> read_private_key(const std::filesystem::path& path);

// Lowercase hex SHA-256 of the DER certificate (what the configuration's `sha256` maps).
Result<std::string> sha256_fingerprint(X509* cert);

}  // namespace signet::devpki
