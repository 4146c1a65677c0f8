#pragma once
// How a failed PKCS#11 call becomes a signet::Error, and which failures cost us the session.
// Private to hsm/.

#include <string_view>

#include <p11-kit/pkcs11.h>

#include "base/error.hpp"

namespace signet::hsm {

// The Errc a failed call maps to: internal for return values that mean we called the module
// wrongly (a bug of ours or a malformed object), unavailable for everything the token or its
// operator controls (wrong or locked PIN, device errors, lost sessions, unsupported mechanism).
Errc errc_for(CK_RV rv);

// "<what>: CKR_NAME" with the code errc_for chooses.
Error ck_error(std::string_view what, CK_RV rv);

// What a failure says about the token, which decides how Token recovers (token.hpp, "Faults");
// PKCS#11 v2.40 §5.1.1 (common return values), §5.1.3 (sessions) and §5.1.7 (PINs).
enum class Fault {
    none,     // an ordinary failure of this call: the token is fine
    session,  // this session, or the login, is gone: open another session and log in again
    token,    // the token or the module failed: re-initialise the module and find the token again
    pin,      // the PIN was refused at a (re-)login: report it, never retry it automatically
};

Fault fault_of(CK_RV rv);

// True when the session that returned `rv` cannot be trusted any more and must be closed rather
// than reused: its handle is gone, the device failed, or it is stuck in an operation.
bool session_lost(CK_RV rv);

}  // namespace signet::hsm
