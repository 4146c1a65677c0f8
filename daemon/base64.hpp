#pragma once
// Base64 (RFC 4648 §4, with padding) through OpenSSL's encoder, with the strict checks the API
// needs: bad characters, bad length or bad padding are errors, not silently skipped bytes.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/error.hpp"

namespace signet {

std::string base64_encode(std::span<const std::uint8_t> bytes);
Result<std::vector<std::uint8_t>> base64_decode(std::string_view text);

std::string hex_encode(std::span<const std::uint8_t> bytes);
Result<std::vector<std::uint8_t>> hex_decode(std::string_view text);

std::string sha256_hex(std::span<const std::uint8_t> bytes);

}  // namespace signet
