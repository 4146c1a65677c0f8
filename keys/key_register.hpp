#pragma once
// The officers' side of the key register (issue 5): who is acting, the key they act on, and
// the audit entries of each step, committed in the same transaction as the change (no change
// without its entry, as for the delegation register).

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "audit/entry.hpp"
#include "config/config.hpp"
#include "keys/active_key.hpp"
#include "config/client_identity.hpp"
#include "hsm/token.hpp"
#include "policy/key_state.hpp"
#include "base/time.hpp"
#include "store/database.hpp"

namespace signet::daemon {

struct OfficerContext {
    store::Database& db;
    store::DatabaseMutex& db_mutex;
    hsm::Token& token;
    const signet::Clock& clock;
    const config::Keys& settings;
    KeySlot& seal_key;
    KeySlot& audit_key;
    KeySlot& tsa_key;       // empty until a TSA key is activated
    KeySlot& guest_ca_key;  // empty while no guest CA is active
    config::ClientIdentity officer;
};

struct KeyRecord {
    std::string id_hex;
    hsm::KeyId id;
    policy::KeyPurpose purpose = policy::KeyPurpose::seal;
    std::string label;
    std::string algorithm;
    policy::KeyState state = policy::KeyState::pending;
    std::string person;  // the owner of a personal key; empty for the seal and audit keys
};

// The key `id_hex` (not_found when the register has none). Call with db_mutex held.
Result<KeyRecord> load_key_record(store::Database& db, const std::string& id_hex);

// An entry for `event` on `key` made by the caller (an officer, or the platform for a person's key).
audit::Entry officer_entry(const OfficerContext& context, const std::string& event, const KeyRecord& key);

// Runs `work` (which changes the register and returns the entries saying what it did) and
// appends those entries, in one transaction. `work`'s own error comes back as it is; an entry
// that cannot be written undoes everything (unavailable). Call with db_mutex held.
Status commit_with_entries(const OfficerContext& context,
                           const std::function<Result<std::vector<audit::Entry>>()>& work);

}  // namespace signet::daemon
