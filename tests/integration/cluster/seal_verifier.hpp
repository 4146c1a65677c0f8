#pragma once
// The cryptographic part of what pdfsig checks in a sealed PDF, in-process with OpenSSL, for
// tests that seal thousands of documents: a process per document costs more than the seal.

#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/x509_vfy.h>

#include "base/ssl_ptr.hpp"

namespace signet::test {

class SealVerifier {
public:
    // Trusts the certificates of the PEM file `ca` (the installation's pki/signing-ca.pem).
    static std::expected<SealVerifier, std::string> create(const std::filesystem::path& ca);

    // Whether `pdf` carries exactly one signature whose ByteRange covers the whole file but its
    // /Contents, and whose CMS (ETSI.CAdES.detached) verifies over those bytes with a chain to the
    // CA: CMS_verify checks the message digest, the signature over the signed attributes and the
    // signer's chain (RFC 5652 §5.4, §5.6). Otherwise why not. Safe to call from several threads.
    std::expected<void, std::string> check(std::string_view pdf) const;

private:
    using X509Store = std::unique_ptr<X509_STORE, SslDeleter<&X509_STORE_free>>;
    explicit SealVerifier(X509Store store) : store_(std::move(store)) {}

    X509Store store_;
};

}  // namespace signet::test
