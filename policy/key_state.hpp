#pragma once
// The life of a key in the HSM (issue 5): pending (generated, no certificate) → ready
// (certificate imported) → active (the one new signatures use) → retired (kept, listed) →
// destroyed (objects deleted from the token). Which changes are allowed, and which need a
// second officer, is decided here; the daemon carries them out.

#include <optional>
#include <string_view>

#include "base/error.hpp"

namespace signet::policy {

enum class KeyState { pending, ready, active, retired, destroyed };
// tsa: signetd's own time-stamping authority (RFC 3161), with the seal key's life cycle.
// guest_ca ("guest-ca"): the CA that certifies guests' one-time keys (issue 22), the same.
enum class KeyPurpose { seal, audit, personal, tsa, guest_ca };
enum class KeyChange { import_certificate, activate, retire, destroy };

std::optional<KeyState> parse_key_state(std::string_view text);
std::string_view to_string(KeyState state);
std::optional<KeyPurpose> parse_key_purpose(std::string_view text);
std::string_view to_string(KeyPurpose purpose);
std::string_view to_string(KeyChange change);

// The state after `change`, or conflict (409) saying why it cannot happen now.
Result<KeyState> next_state(KeyState current, KeyChange change);

// Activating, retiring and destroying the seal, audit, TSA or guest CA key takes two different
// officers.
bool needs_second_officer(KeyPurpose purpose, KeyChange change);

// A key in this state may sign documents (or checkpoints) only when active; a pending key may
// sign its own certification request and nothing else.
bool may_sign_documents(KeyState state);

}  // namespace signet::policy
