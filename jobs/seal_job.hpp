#pragma once
// A seal job: the request and result of POST /v1/seal, run by run_key_job (key_job.hpp) with
// the seal key.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/time.hpp"
#include "config/client_identity.hpp"
#include "hsm/token.hpp"
#include "jobs/audit_trail.hpp"
#include "jobs/key_job.hpp"
#include "jobs/trusted_time.hpp"
#include "keys/active_key.hpp"
#include "pdf/prepare.hpp"
#include "pdf/worker/worker_pool.hpp"
#include "policy/matrix.hpp"
#include "store/database.hpp"

namespace signet::daemon {

struct SealRequest {
    std::string tenant;
    std::string actor;
    std::vector<std::uint8_t> document;
    std::optional<pdf::Appearance> appearance;  // page and rect; the text is the daemon's
    std::optional<std::string> approved_by;
    std::optional<config::SignatureLevel> level;  // [signature] level when absent
    KeepAnswer keep_answer;  // an idempotent request's (key_job.hpp)
};

struct SealResult {
    SignedDocument signed_document;  // the document, its ByteRange digest, audit entry, time-stamp
    std::string key_id;
    std::string certificate_sha256;
    config::SignatureLevel level = config::SignatureLevel::b_b;
};

// What a seal needs from the daemon. The database connection is shared: hold `db_mutex` while
// using it.
struct SealContext {
    hsm::Token& token;
    const ActiveKey& seal_key;
    AuditTrail& trail;
    store::Database& db;
    store::DatabaseMutex& db_mutex;
    const policy::Matrix& matrix;
    const signet::Clock& clock;
    std::chrono::seconds min_remaining_validity;  // of the seal certificate, checked before each seal
    pdf::WorkerPool& pdf_workers;
    const TrustedTime& time;
    evidence::RevocationGate& revocation;
};

// A key job's result as a seal's: its one document.
SealResult seal_result(JobResult done);

Result<SealResult> run_seal_job(const SealContext& context, const config::ClientIdentity& client,
                                SealRequest request);

}  // namespace signet::daemon
