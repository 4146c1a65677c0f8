#pragma once
// OpenSSL pieces of audit/ (private): the public keys of a PEM certificate and signature checks.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>

#include "base/error.hpp"
#include "base/ssl_ptr.hpp"

namespace signet::audit {

// The public keys of every certificate in `pem` (several after an audit key rotation: the old
// checkpoints verify with the old key); bad_request when there is none.
Result<std::vector<PkeyPtr>> certificate_public_keys(const std::string& pem);
// Whether `signature` is a SHA-256 signature (RSA PKCS#1 v1.5 or DER ECDSA) of `data` by one
// of `keys`.
bool verifies(const std::vector<PkeyPtr>& keys, std::string_view data, const std::vector<std::uint8_t>& signature);

}  // namespace signet::audit
