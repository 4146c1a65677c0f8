#pragma once
// The record of every seal job, written around the key use in the fixed order of DESIGN.md:
// the intent is committed before the HSM is asked to sign (if it cannot be written, no key is
// used) and the outcome after. The hash-chained, checkpointed log of the audit issue grows out
// of this table; for now it is the plain row per job that the walking skeleton asks for.

#include <cstdint>
#include <string>

#include "policy/error.hpp"
#include "store/database.hpp"

namespace signet::audit {

struct SealIntent {
    std::string client_fingerprint;  // SHA-256 of the client certificate, hex
    std::string tenant;
    std::string actor;
    std::string approved_by;         // empty when no approval was needed
    std::string input_sha256;        // of the document as received, hex
    std::string key_id;              // hex CKA_ID of the seal key
};

enum class Outcome { sealed, failed, refused };

// Commits a row with outcome "intended" and returns its sequence number.
Result<std::int64_t> record_intent(store::Database& db, const SealIntent& intent);

// Completes the row `seq` with the outcome, the signed document's SHA-256 (when sealed) and
// the reason (when not).
Status record_outcome(store::Database& db, std::int64_t seq, Outcome outcome,
                      const std::string& output_sha256, const std::string& reason);

// Records a job refused before any key use (bad document, ...), with its reason.
Result<std::int64_t> record_refusal(store::Database& db, const SealIntent& intent,
                                    const std::string& reason);

}  // namespace signet::audit
