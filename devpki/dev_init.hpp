#pragma once
// `signetctl dev-init DIR --port N`: a complete local installation for development, the quick
// start and the tests (DESIGN.md): TLS PKI, a development signing CA, a fresh SoftHSM token
// holding the seal, audit and time-stamping keys with their certificates, the database with
// the three keys active, and DIR/signetd.toml. Refuses to touch a folder that already holds one.

#include <cstdint>
#include <filesystem>

#include "base/error.hpp"
#include "hsm/token.hpp"

namespace signet::daemon {

struct DevInitOptions {
    std::filesystem::path dir;
    std::uint16_t port = 8443;
    std::filesystem::path pkcs11_module = "/usr/lib/softhsm/libsofthsm2.so";
    std::filesystem::path rights_matrix;  // default: shipped_rights_matrix()
    hsm::KeyAlgorithm tsa_algorithm = hsm::KeyAlgorithm::rsa_3072;
};

// The rights matrix shipped with signet: share/signet/rights-matrix.toml beside the folder of
// the running executable (bin/../share once installed, the build tree's share/ in development).
std::filesystem::path shipped_rights_matrix();

Status dev_init(const DevInitOptions& options);

}  // namespace signet::daemon
