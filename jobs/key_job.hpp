#pragma once
// The key-using job, one function for seals and personal signatures (DESIGN.md's fixed order):
// client role → (request parsed and bounded by api/) → policy decision → the signing key and
// its certificate → activation (personal keys) → every PDF prepared in a worker → for each
// document: audit intent committed → HSM signature → embed; then every document's audit
// outcome in one transaction (with an idempotent request's answer) → the result the API
// answers with. If the intent cannot be recorded, no key is used. A batch is all or nothing
// for the caller: one bad document refuses the batch before any key use, and one that fails
// after the first signature leaves every outcome "failed" (none was delivered). B-T adds the
// signature time-stamp between the signature and the embedding; B-LT the DSS update and B-LTA
// the document time-stamp after the embedding, before the outcome. A guest's co-signature
// (issue 22) is the same job: its policy step is the guest's invitation, its key the guest CA
// until the code is checked, then a one-time key made for it and destroyed after the last
// signature.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/time.hpp"
#include "config/client_identity.hpp"
#include "config/config.hpp"
#include "evidence/long_term.hpp"
#include "evidence/revocation_gate.hpp"
#include "guests/guest_register.hpp"
#include "hsm/token.hpp"
#include "jobs/audit_trail.hpp"
#include "jobs/personal_keys.hpp"
#include "jobs/trusted_time.hpp"
#include "keys/active_key.hpp"
#include "keys/key_register.hpp"
#include "pdf/prepare.hpp"
#include "pdf/worker/worker_pool.hpp"
#include "policy/matrix.hpp"
#include "store/database.hpp"

namespace signet::daemon {

enum class JobKind {
    seal,  // the tenant's seal, with the seal key
    sign,  // a person's own signature, with their personal key, after activation
    cosign,  // a guest's signature, with a one-time key, after the guest's code
};

struct JobResult;
// Called inside the transaction that records the job's last outcome, with the result complete
// (its last audit_seq set): an idempotent request's answer is kept there (api/), so that a crash
// leaves both or neither and a repeated request never signs again.
using KeepAnswer = std::function<Status(const JobResult&)>;

struct JobRequest {
    JobKind kind = JobKind::seal;
    std::string tenant;
    std::string actor;
    std::vector<std::vector<std::uint8_t>> documents;
    bool batch = false;                         // "documents" rather than "document"
    std::optional<pdf::Appearance> appearance;  // page and rect; the text is the job's
    std::optional<std::string> approved_by;     // a seal requested by a preparer
    std::string otp;                            // a signature's activation code, a guest's code
    config::SignatureLevel level = config::SignatureLevel::b_b;
    KeepAnswer keep_answer;  // empty without an Idempotency-Key
    std::string guest_id;    // a co-signature's guest
};

struct SignedDocument {
    std::vector<std::uint8_t> document;
    std::string digest_sha256;   // of the ByteRange, i.e. of the bytes signed
    std::int64_t audit_seq = 0;  // the entry recording the outcome
    std::optional<Stamp> timestamp;  // B-T: the signature time-stamp
    std::optional<evidence::Freshness> validation_data;  // B-LT: what the DSS's statuses prove
    std::optional<Stamp> document_timestamp;             // B-LTA
};

struct JobResult {
    std::string key_id;
    std::string certificate_sha256;
    std::int64_t activation_seq = 0;  // a signature's activation entry, or the guest's
    std::string certificate_serial;   // a co-signature's one-time certificate
    config::SignatureLevel level = config::SignatureLevel::b_b;
    std::vector<SignedDocument> documents;
};

// What a job needs from the daemon. The database connection is shared: hold `db_mutex` while
// using it.
struct JobContext {
    hsm::Token& token;
    AuditTrail& trail;
    store::Database& db;
    store::DatabaseMutex& db_mutex;
    const policy::Matrix& matrix;
    const signet::Clock& clock;
    pdf::WorkerPool& pdf_workers;
    // The signing certificate's revocation status before each key use, and B-LT's evidence.
    evidence::RevocationGate& revocation;
    // Seals: the seal key of this job from start to end, even if an officer activates its
    // successor meanwhile, and how long its certificate must still be valid.
    std::shared_ptr<const ActiveKey> seal_key;
    std::chrono::seconds min_remaining_validity{0};
    // Signatures: the key register (for the person's key and authenticator), the activation
    // settings and the cache of personal keys. Null for a seal.
    const OfficerContext* persons = nullptr;
    const config::Signing* signing = nullptr;
    PersonalKeys* personal_keys = nullptr;
    // B-T: where the signature time-stamps come from.
    const TrustedTime* time = nullptr;
    // Co-signatures: the guests and their codes, and the guest CA that certifies one-time keys.
    const GuestContext* guests = nullptr;
    const KeySlot* guest_ca = nullptr;
};

Result<JobResult> run_key_job(const JobContext& context, const config::ClientIdentity& client, JobRequest request);

}  // namespace signet::daemon
