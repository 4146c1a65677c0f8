#pragma once
// The database behind the revocation checker's memory cache (DESIGN.md, "Revocation": cached
// until nextUpdate, in memory and in the database): a restart, or another node later, finds
// the OCSP responses and CRLs already fetched instead of asking every responder again. The
// checker verifies whatever comes back from here before it believes it.

#include <mutex>

#include "base/time.hpp"
#include "revocation/revocation_checker.hpp"
#include "store/database.hpp"

namespace signet::evidence {

// Loads and saves through `db` under `db_mutex`. A failure to save costs a fetch later and is
// not an error; saving drops the evidence whose nextUpdate has passed, which bounds the table
// by what is live.
revocation::Persistence database_persistence(store::Database& db, store::DatabaseMutex& db_mutex, const Clock& clock);

}  // namespace signet::evidence
