#pragma once
// The signer's sole control (issue 6, EN 419 241-1 SCAL2 style): a TOTP code that only the
// person's authenticator produces, checked by signetd itself, good once, and bound to the
// documents of the one request it came with. Wrong codes in a row lock the person's signing.

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "keys/key_register.hpp"

namespace signet::daemon {

struct Activation {
    std::int64_t step = 0;       // the TOTP time step the code was for
    std::int64_t audit_seq = 0;  // the "activation" entry naming the authorised documents
};

// Checks `code` for `person` now. On success the step is used up and an "activation" entry
// (based on `base`, listing `document_sha256s`) is committed; on failure the refusal and the
// failure count are committed and activation_failed (403) says why: no authenticator, locked
// until a time, a wrong code, or a code already used. Every outcome is on record.
Result<Activation> check_activation(const OfficerContext& context, const config::Signing& settings,
                                    const audit::Entry& base, const std::string& person, const std::string& code,
                                    const std::vector<std::string>& document_sha256s);

}  // namespace signet::daemon
