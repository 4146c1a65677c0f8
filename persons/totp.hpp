#pragma once
// TOTP (RFC 6238) activation codes for personal signatures, through liboath: 20-byte seeds,
// HMAC-SHA-1, 6 digits, 30-second steps — what authenticator apps read from an otpauth URI.
// The seed is a Secret here and only here; it is stored sealed by a key in the HSM.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/secret.hpp"
#include "base/time.hpp"

namespace signet::daemon {

inline constexpr std::chrono::seconds totp_step_length{30};
inline constexpr unsigned totp_digits = 6;

// A new random seed.
Result<Secret> new_totp_seed();

// otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
// (the Key Uri Format authenticator apps read), label parts percent-encoded.
Result<std::string> otpauth_uri(const Secret& seed, std::string_view issuer, std::string_view account);

// The time step (T of RFC 6238, §4) for which `code` is the code, looked for at `now` and one
// step either side (clock drift); nullopt when it is none of them. A code that is not six
// digits is nullopt too.
Result<std::optional<std::int64_t>> totp_step_of(const Secret& seed, std::string_view code, signet::Timestamp now);

// The code of `step` (tests and the benchmark compute codes as an authenticator would).
Result<std::string> totp_code(const Secret& seed, std::int64_t step);

}  // namespace signet::daemon
