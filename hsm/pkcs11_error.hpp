#pragma once
// How a failed PKCS#11 call becomes a signet::Error, and which failures cost us the session.
// Private to hsm/.

#include <string_view>

#include <p11-kit/pkcs11.h>

#include "policy/error.hpp"

namespace signet::hsm {

// The Errc a failed call maps to: internal for return values that mean we called the module
// wrongly (a bug of ours or a malformed object), unavailable for everything the token or its
// operator controls (wrong or locked PIN, device errors, lost sessions, unsupported mechanism).
Errc errc_for(CK_RV rv);

// "<what>: CKR_NAME" with the code errc_for chooses.
Error ck_error(std::string_view what, CK_RV rv);

// True when the session that returned `rv` cannot be trusted any more and must be closed rather
// than reused: its handle is gone, the device failed, or it is stuck in an operation.
bool session_lost(CK_RV rv);

}  // namespace signet::hsm
