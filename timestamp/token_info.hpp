#pragma once
// What a time-stamp token says, read from its TSTInfo and SignerInfo (not verified: verify.hpp
// checks external tokens): for the answer's "timestamp" object and the audit entry.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include "base/error.hpp"

namespace signet::timestamp {

// What a token says (read, not verified: verify.hpp checks external ones).
struct TokenInfo {
    std::string serial_hex;  // lower-case, the INTEGER's magnitude, no leading zeros but one "0"
    std::chrono::system_clock::time_point gen_time;
    std::string gen_time_text;  // RFC 3339, "2026-12-05T18:00:00Z"
    std::string tsa;            // the signer certificate's subject (RFC 2253), "" when absent
    std::string policy_oid;
};
Result<TokenInfo> read_token(std::span<const std::uint8_t> token);

// TokenInfo's serial_hex of a serial whose magnitude is `bytes`, big-endian.
std::string serial_hex(std::span<const std::uint8_t> bytes);

}  // namespace signet::timestamp
