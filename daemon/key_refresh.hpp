#pragma once
// The active keys read again from the store every [keys] refresh: on several nodes, an
// officer's activation, rotation or retirement through one node reaches the others' slots
// within that time. A node's own changes set its slots at once (key_changes.cpp).

#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "hsm/token.hpp"
#include "keys/active_key.hpp"
#include "store/database.hpp"

namespace signet::daemon {

struct RefreshedSlot {
    std::string purpose;  // seal, audit, tsa, guest-ca
    KeySlot& slot;
    // Whether no active key empties the slot (TSA, guest CA); the seal and audit keys always
    // have a successor, so a slot of theirs is never emptied.
    bool may_be_empty;
};

struct KeyRefresh {
    std::vector<std::string> changed;  // "seal key 0a1b…", "guest-ca key none"
    std::vector<Error> failures;       // a key that could not be loaded keeps its predecessor
};

KeyRefresh refresh_active_keys(store::Database& db, store::DatabaseMutex& db_mutex, hsm::Token& token,
                               std::span<const RefreshedSlot> slots);

}  // namespace signet::daemon
