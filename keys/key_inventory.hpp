#pragma once
// GET /v1/keys: the keys of the key register with what an officer or auditor needs to know of
// each (issue 5, item 1): state, certificate subject, issuer, serial and validity, the PKCS#11
// object, and how many signatures the log records for it.

#include <mutex>
#include <string>
#include <vector>

#include "json/json_reply.hpp"
#include "store/database.hpp"

namespace signet::daemon {

// `token` is the configured token (a label or a "pkcs11:" URI), used to name each key's object.
// A key whose certificate signetd found revoked (evidence/revocation_gate.hpp) is shown with
// state "revoked", its life-cycle state as "lifecycle_state", and when and why.
Result<JsonReply> list_keys(store::Database& db, store::DatabaseMutex& db_mutex, const std::string& token);

// The active keys whose certificate signetd found revoked: /v1/health is degraded while any is.
Result<std::vector<std::string>> revoked_active_keys(store::Database& db, store::DatabaseMutex& db_mutex);

}  // namespace signet::daemon
