#pragma once
// A seal job in the fixed order of DESIGN.md, all in run_seal_job(): the caller has
// authenticated the client and parsed and bounded the request; then policy (document.seal for
// the tenant and actor, with the approver when the actor is a preparer) → the seal
// certificate's guard (valid now, far enough from its end) → prepare the PDF → audit record of the intended key use, committed → HSM signature
// → embed → audit record of the outcome → response. If the intent cannot be recorded, no key
// is used.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/audit_trail.hpp"
#include "daemon/client_identity.hpp"
#include "daemon/active_key.hpp"
#include "hsm/token.hpp"
#include "pdf/worker_pool.hpp"
#include "pdf/prepare.hpp"
#include "base/error.hpp"
#include "policy/matrix.hpp"
#include "base/time.hpp"
#include "store/database.hpp"

namespace signet::daemon {

struct SealRequest {
    std::string tenant;
    std::string actor;
    std::vector<std::uint8_t> document;
    std::optional<pdf::Appearance> appearance;  // page and rect; the text is the daemon's
    std::optional<std::string> approved_by;
};

struct SealResult {
    std::vector<std::uint8_t> document;
    std::string key_id;
    std::string certificate_sha256;
    std::string digest_sha256;  // of the ByteRange, i.e. of the bytes signed
    std::int64_t audit_seq = 0;  // the entry recording the outcome
};

// What a job needs from the daemon. The database connection is shared: hold `db_mutex` while
// using it.
struct SealContext {
    hsm::Token& token;
    const ActiveKey& seal_key;
    AuditTrail& trail;
    store::Database& db;
    std::mutex& db_mutex;
    const policy::Matrix& matrix;
    const signet::Clock& clock;
    std::chrono::seconds min_remaining_validity;  // of the seal certificate, checked before each seal
    pdf::WorkerPool& pdf_workers;
};

Result<SealResult> run_seal_job(const SealContext& context, const ClientIdentity& client,
                                SealRequest request);

}  // namespace signet::daemon
