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

// One unique_ptr deleter per OpenSSL type (Tink's ssl_unique_ptr.h).
template <auto free_function>
struct SslDeleter {
    template <class T>
    void operator()(T* object) const {
        free_function(object);
    }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, SslDeleter<&EVP_PKEY_free>>;

// Lowercase hex SHA-256. A library that cannot hash is a broken installation, not an input
// error: it aborts rather than return a hash that would be written to the log.
std::string sha256_hex(std::string_view bytes);
std::string base64_encode(const std::vector<std::uint8_t>& bytes);
// Strict (RFC 4648 §4, §3.5): the standard alphabet, padded, no whitespace, and canonical (the
// unused bits of the last character are zero), so that one signature has one encoding.
Result<std::vector<std::uint8_t>> base64_decode(std::string_view text);
// The public keys of every certificate in `pem` (several after an audit key rotation: the old
// checkpoints verify with the old key); bad_request when there is none.
Result<std::vector<PkeyPtr>> certificate_public_keys(const std::string& pem);
// Whether `signature` is a SHA-256 signature (RSA PKCS#1 v1.5 or DER ECDSA) of `data` by one
// of `keys`.
bool verifies(const std::vector<PkeyPtr>& keys, std::string_view data, const std::vector<std::uint8_t>& signature);

}  // namespace signet::audit
