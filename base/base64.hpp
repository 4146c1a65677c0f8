#pragma once
// Base64 (RFC 4648 §4, with padding) through OpenSSL's encoder, hex and SHA-256 in hex, with the strict checks the API
// needs: bad characters, bad length or bad padding are errors, not silently skipped bytes.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace signet {

std::string base64_encode(std::span<const std::uint8_t> bytes);
// Appends the base64 of `bytes` to `out`, encoded in place (no intermediate string).
void base64_append(std::string& out, std::span<const std::uint8_t> bytes);
// `spare_capacity`: bytes the result can grow by without moving (a document the signed update
// is appended to).
Result<std::vector<std::uint8_t>> base64_decode(std::string_view text, std::size_t spare_capacity = 0);
// As base64_decode, and also canonical (RFC 4648 §3.5: the unused bits of the last character
// are zero) and not empty, so that one value has one encoding: for signatures in the audit log.
Result<std::vector<std::uint8_t>> base64_decode_canonical(std::string_view text);

std::string hex_encode(std::span<const std::uint8_t> bytes);
Result<std::vector<std::uint8_t>> hex_decode(std::string_view text);

// Lowercase hex SHA-256. A library that cannot hash is a broken installation, not an input
// error: it aborts rather than return a hash that would be written to the log or signed.
std::string sha256_hex(std::span<const std::uint8_t> bytes);
std::string sha256_hex(std::string_view bytes);

}  // namespace signet
