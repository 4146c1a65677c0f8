#pragma once
// POST /v1/extend (DESIGN.md, "Archive renewal"; issue 18 item 4): a signed PDF, ours or another
// producer's, validated signature by signature and time-stamp by time-stamp; if all are valid,
// the validation data still missing goes into a new DSS revision and a document time-stamp
// over the whole file follows. Year after year this renews the archive's proof before the last
// time-stamp's key ages. The order of a key-using job holds: client role → request bounded by
// api/ → the tenant billed exists → trusted time available → validation (no key use for a
// document that is refused, and the refusal on record) → DSS → the time-stamp, an audited key
// use with action "extend" (that is what GET /v1/audit/usage counts as an extension).

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/ssl_ptr.hpp"
#include "config/client_identity.hpp"
#include "evidence/revocation_gate.hpp"
#include "jobs/timestamp_job.hpp"
#include "jobs/trusted_time.hpp"
#include "keys/active_key.hpp"
#include "pdf/worker/worker_pool.hpp"
#include "store/database.hpp"

namespace signet::daemon {

struct SignatureVerdict {
    std::string field;
    std::string level;  // as found in the document sent: "B-B" … "B-LTA"
    bool valid = false;
};

struct ExtendResult {
    std::vector<std::uint8_t> document;
    std::vector<SignatureVerdict> signatures;  // signatures only; document time-stamps are counted
    int timestamps = 0;                        // document time-stamps in the answer's document
    Stamp document_timestamp;                  // the one this extension added
};

// Commits an idempotent request's answer inside the transaction of the document time-stamp's
// outcome entry `outcome_seq`, the extension's last (as a seal's answer is, key_job.hpp).
using KeepExtendAnswer = std::function<Status(const ExtendResult&, std::int64_t outcome_seq)>;

struct ExtendRequest {
    std::string tenant;
    std::vector<std::uint8_t> document;
    KeepExtendAnswer keep_answer;  // empty without an Idempotency-Key
};

struct ExtendContext {
    const TrustedTime& time;
    evidence::RevocationGate& revocation;
    pdf::WorkerPool& pdf_workers;
    store::Database& db;
    store::DatabaseMutex& db_mutex;
    KnownTenants& tenants;
    // [signature] trust; empty: the CA that issued the active seal certificate.
    const std::vector<X509Ptr>& trust;
    const KeySlot& seal_key;
    const Clock& clock;
};

// Errors are the HTTP answers: forbidden for another role, not_found for an unknown tenant,
// invalid_document (422) with the reason of each signature that is not valid (or for a file
// without signatures), unavailable when a revocation status or the TSA cannot be had.
Result<ExtendResult> run_extend_job(const ExtendContext& context, const config::ClientIdentity& client,
                                    ExtendRequest request);

// [{"field", "level", "valid"}]: the JSON answer's "signatures", the raw one's Signet-Signatures.
nlohmann::json signatures_json(const ExtendResult& result);

// {"document": b64, "signatures": [...], "timestamps": N, "timestamp": {"gen_time", "serial", "tsa"}}
std::string extend_response_body(const ExtendResult& result);

}  // namespace signet::daemon
