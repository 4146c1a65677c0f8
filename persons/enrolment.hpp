#pragma once
// Enrolment of the people who sign with their own key (issue 6, DESIGN.md's contract): a key
// pair made in the HSM with its request, the issued certificate (which makes the key the
// person's active one), and a TOTP authenticator whose seed is sealed by a key in the HSM and
// shown once. Officers see a person's state and reset an authenticator.

#include <string>
#include <string_view>

#include "config/config.hpp"
#include "keys/key_register.hpp"
#include "json/json_reply.hpp"

namespace signet::daemon {

// The CKA_ID of the token's AES key that seals TOTP seeds.
const hsm::KeyId& seed_key_id();

// "person:<id>": the associated data that binds a sealed seed to its owner.
std::string seed_context(const std::string& person);

// POST /v1/persons/{person}/key {"algorithm": "rsa-3072"|"ec-p256"} → 201 {"key_id", "csr"}.
// A key still waiting for its certificate is replaced (destroyed in the token).
Result<JsonReply> enrol_person_key(const OfficerContext& context, const std::string& person, std::string_view body);

// PUT /v1/persons/{person}/certificate {"certificate", "chain"?}: the officers' import checks,
// then the key becomes the person's active key (the previous one is retired).
Result<JsonReply> import_person_certificate(const OfficerContext& context, const std::string& person,
                                            std::string_view body);

// POST /v1/persons/{person}/otp {"otp"?} → 201 {"otpauth_uri"}, shown once. Replacing an
// authenticator needs a current code from it, or an officer's reset first.
Result<JsonReply> enrol_otp(const OfficerContext& context, const config::Signing& settings, const std::string& person,
                            std::string_view body);

// POST /v1/persons/{person}/otp/reset (officer): the authenticator and the lock are cleared.
Result<JsonReply> reset_otp(const OfficerContext& context, const std::string& person);

// GET /v1/persons/{person} (officer): key, certificate end, authenticator, failures, lock.
Result<JsonReply> person_status(const OfficerContext& context, const std::string& person);

}  // namespace signet::daemon
