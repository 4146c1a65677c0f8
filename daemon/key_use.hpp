#pragma once
// What seal and sign jobs share (DESIGN.md's fixed order, from the PDF on): spooling and
// preparing a document, then one key use — the intended use committed to the log with the
// digest it will sign, the HSM signature, the embedding, and the outcome on record.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "audit/entry.hpp"
#include "daemon/active_key.hpp"
#include "daemon/audit_trail.hpp"
#include "hsm/token.hpp"
#include "pdf/prepare.hpp"
#include "pdf/worker_pool.hpp"
#include "base/error.hpp"

namespace signet::daemon {

// Records a job refused before any key use and returns the refusal (or 503 when even the
// refusal cannot be recorded). `entry` says who asked for what.
std::unexpected<Error> record_refusal(AuditTrail& trail, audit::Entry entry, const Error& refusal);

// "Le 30/11/2026 à 19:40 UTC", for visible appearances.
std::string appearance_date(std::chrono::system_clock::time_point when);

// Prepares `document` for a signature of `key` (placeholder sized for it) in a PDF worker
// process: this process never parses a PDF. invalid_document when it is not a PDF signet can
// sign, or when its worker crashed, hung or hit a limit on it.
Result<pdf::PreparedDocument> prepare_document(pdf::WorkerPool& workers, std::span<const std::uint8_t> document,
                                               const ActiveKey& key, pdf::PrepareRequest request);

struct KeyUse {
    std::vector<std::uint8_t> document;  // the signed PDF
    std::string digest_sha256;           // of the ByteRange, i.e. of the bytes signed
    std::int64_t audit_seq = 0;          // the entry recording the outcome
};

// Signs `prepared`, the update to `original`, with `key`, and returns original + update.
// `entry` carries the job's fields (event, action, tenant, actor, key, document); it is
// recorded as "intended" before the HSM is asked and as `done_outcome` ("sealed", "signed") or
// "failed" after. If the intent cannot be recorded, no key is used.
Result<KeyUse> use_key(hsm::Token& token, AuditTrail& trail, const ActiveKey& key,
                       std::span<const std::uint8_t> original, pdf::PreparedDocument prepared,
                       audit::Entry entry, const std::string& done_outcome);

}  // namespace signet::daemon
