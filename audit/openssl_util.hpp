#pragma once
// OpenSSL pieces of audit/ (private): SHA-256, base64, the public key of a PEM certificate.
// Own helpers because audit/ may not include pdf/ or daemon/ (DESIGN.md's arrows).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>

#include "policy/error.hpp"

namespace signet::audit {

struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string sha256_hex(std::string_view bytes);
std::string base64_encode(const std::vector<std::uint8_t>& bytes);
// Strict: only the standard alphabet, padded, no whitespace.
Result<std::vector<std::uint8_t>> base64_decode(std::string_view text);
// The public key of the first certificate in `pem`.
Result<PkeyPtr> certificate_public_key(const std::string& pem);
// Whether `signature` is a SHA-256 signature (RSA PKCS#1 v1.5 or DER ECDSA) of `data` by `key`.
bool verifies(EVP_PKEY* key, std::string_view data, const std::vector<std::uint8_t>& signature);

}  // namespace signet::audit
