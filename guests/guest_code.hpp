#pragma once
// A guest's one-time code (issue 22): six digits from a CSPRNG, kept only as an HMAC-SHA256
// made by a secret key in the HSM (so that a copy of the database does not let anyone try the
// million codes offline), compared in constant time, good once, for `[guests] code_ttl`, and
// locked after three wrong tries.

#include <cstdint>
#include <string>
#include <vector>

#include "audit/entry.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "guests/guest_register.hpp"
#include "hsm/token.hpp"

namespace signet::daemon {

inline constexpr std::int64_t guest_lockout_failures = 3;

// Six decimal digits, each of the million codes equally likely.
Result<std::string> draw_guest_code();

// The token's secret key for the codes' MACs, made at start when missing (it is never exported).
const hsm::KeyId& guest_code_key_id();
Status ensure_guest_code_key(hsm::Token& token);

// HMAC-SHA256 in the token over the guest id and the code: a code is bound to its guest.
Result<std::vector<std::uint8_t>> guest_code_mac(hsm::Token& token, const std::string& guest_id,
                                                 const std::string& code);

struct GuestActivation {
    std::int64_t audit_seq = 0;      // the "guest_activation" entry
    signet::Timestamp checked_at{};  // when the code was found right
};

// Checks `code` for `guest_id` now: on success the code is used up and a "guest_activation"
// entry (based on `base`) records the e-mail and when it was checked; otherwise the refusal, the
// failure count and at the third wrong code a "guest_locked" entry are committed, and
// activation_failed (403) says why: locked, used, expired or wrong. The code never appears in a
// message or an entry.
Result<GuestActivation> check_guest_code(const GuestContext& context, const audit::Entry& base,
                                         const std::string& guest_id, const std::string& code);

}  // namespace signet::daemon
