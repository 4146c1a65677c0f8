#pragma once
// `signetctl dev-init DIR --port N`: a complete local installation for development, the quick
// start and the tests (DESIGN.md): TLS PKI, a development signing CA, a fresh SoftHSM token
// holding the seal, audit and time-stamping keys with their certificates, the database with
// the three keys active, the signing CA's CRL (empty) and DIR/signetd.toml. Refuses to touch
// a folder that already holds one.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "base/error.hpp"
#include "hsm/token.hpp"

namespace signet::daemon {

struct DevInitOptions {
    std::filesystem::path dir;
    std::uint16_t port = 8443;
    std::filesystem::path pkcs11_module = "/usr/lib/softhsm/libsofthsm2.so";
    std::filesystem::path rights_matrix;  // default: shipped_rights_matrix()
    hsm::KeyAlgorithm tsa_algorithm = hsm::KeyAlgorithm::rsa_3072;
    // Put into the seal, audit and TSA certificates (authorityInfoAccess OCSP, CRL
    // distribution point) when not empty. DIR/pki/signing-ca.crl is written either way.
    std::string ocsp_url;
    std::string crl_url;
    // The PostgreSQL store to use instead of DIR/signet.db (several nodes, the tests on
    // PostgreSQL): a postgresql:// URL without password, and the password's file.
    std::string store_url;
    std::filesystem::path store_password_file;
};

// The rights matrix shipped with signet: share/signet/rights-matrix.toml beside the folder of
// the running executable (bin/../share once installed, the build tree's share/ in development).
std::filesystem::path shipped_rights_matrix();

Status dev_init(const DevInitOptions& options);

// `signetctl dev-crl DIR [--revoke CERT.pem]... [--days N]`: the next CRL of DIR's development
// signing CA, written over DIR/pki/signing-ca.crl; returns how many certificates it lists.
struct DevCrlOptions {
    std::filesystem::path dir;
    std::vector<std::filesystem::path> revoke;
    std::chrono::seconds validity = std::chrono::days(30);
};
Result<std::size_t> dev_crl(const DevCrlOptions& options);

}  // namespace signet::daemon
