#pragma once
// POST /v1/prepare: empty signature fields placed in a document for signers to fill later
// (issue 21; the Préparer delegation's "place visible signatures"). No key is used: the job is
// client role → policy decision (signature.configure, which every delegation holds) → the fields
// added by a PDF worker as an incremental update (earlier signatures stay valid) → one audit
// entry (event "prepare", metered as such) → the document. A refusal is on record like a
// signing job's.

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/time.hpp"
#include "config/client_identity.hpp"
#include "jobs/audit_trail.hpp"
#include "pdf/prepare.hpp"
#include "pdf/worker/worker_pool.hpp"
#include "policy/matrix.hpp"
#include "store/database.hpp"

namespace signet::daemon {

// The matrix's action for placing visible signatures: "Paramétrer une collecte".
inline constexpr const char* prepare_action = "signature.configure";

struct PrepareDocumentRequest {
    std::string tenant;
    std::string actor;
    std::vector<std::uint8_t> document;
    std::vector<pdf::FieldRequest> fields;
};

struct PrepareDocumentResult {
    std::vector<std::uint8_t> document;  // the document followed by the update
    std::int64_t audit_seq = 0;
};

struct PrepareContext {
    AuditTrail& trail;
    store::Database& db;
    store::DatabaseMutex& db_mutex;
    const policy::Matrix& matrix;
    const signet::Clock& clock;
    pdf::WorkerPool& pdf_workers;
};

Result<PrepareDocumentResult> run_prepare_job(const PrepareContext& context, const config::ClientIdentity& client,
                                              PrepareDocumentRequest request);

}  // namespace signet::daemon
