#pragma once
// The steps of one key use, each a call in run_key_job (key_job.cpp) so that the order reads
// there: the intended use committed to the log with the digest it will sign, the HSM signature
// and the outcome on record. Also the PDF preparation and the refusal entry
// the job records before any key use.

#include <chrono>
#include <cstdint>
#include <future>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "audit/entry.hpp"
#include "base/error.hpp"
#include "hsm/token.hpp"
#include "jobs/audit_trail.hpp"
#include "keys/active_key.hpp"
#include "pdf/cades.hpp"
#include "pdf/prepare.hpp"
#include "pdf/worker/worker_pool.hpp"

namespace signet::daemon {

// Records a job refused before any key use and returns the refusal (or 503 when even the
// refusal cannot be recorded). `entry` says who asked for what.
std::unexpected<Error> record_refusal(AuditTrail& trail, audit::Entry entry, const Error& refusal);

// "Le 30/11/2026 à 19:40 UTC", for visible appearances.
std::string appearance_date(std::chrono::system_clock::time_point when);

// The SHA-256 states of a job's documents (pdf::PrefixDigest), one pass over each. Documents
// of 1 MiB or more are hashed on a thread of the job's own, begun with the job, so that the
// hash overlaps the policy decision and the worker's parse: on one connection the other core is
// idle then (docs/performance.md, issue 19). Smaller ones are hashed when first asked for,
// where a thread would cost more than it saves. The documents must outlive this object,
// unchanged; its destructor waits for the thread.
class DocumentHashes {
public:
    explicit DocumentHashes(const std::vector<std::vector<std::uint8_t>>& documents);
    DocumentHashes(const DocumentHashes&) = delete;
    DocumentHashes& operator=(const DocumentHashes&) = delete;
    ~DocumentHashes();

    Result<const pdf::PrefixDigest*> get(std::size_t index);
    // The documents' digests in hex, in order.
    Result<std::vector<std::string>> hex();

private:
    const std::vector<std::vector<std::uint8_t>>& documents_;
    std::vector<std::future<Result<pdf::PrefixDigest>>> pending_;  // valid for those the thread hashes
    std::vector<std::optional<Result<pdf::PrefixDigest>>> done_;
    std::thread hasher_;
};

// Prepares `document` for a signature of `key` (placeholder sized for it and for a signature
// time-stamp token of up to `timestamp_bytes`, 0 for none) in a PDF worker process: this
// process never parses a PDF. invalid_document when it is not a PDF signet can
// sign, or when its worker crashed, hung or hit a limit on it. The digest to sign comes from
// `hashes`, document `index`, once the worker has answered.
Result<pdf::PreparedDocument> prepare_document(pdf::WorkerPool& workers, std::string_view tenant,
                                               std::span<const std::uint8_t> document, DocumentHashes& hashes,
                                               std::size_t index, const ActiveKey& key, std::size_t timestamp_bytes,
                                               pdf::PrepareRequest request);

// Commits `entry` (the job's fields: event, action, tenant, actor, document) as the "intended"
// use of `key` on the digest of `prepared`, and returns the entry its outcome will be: the
// key is not used unless this succeeds (fail closed; unavailable otherwise).
Result<audit::Entry> record_intent(AuditTrail& trail, const ActiveKey& key, const pdf::PreparedDocument& prepared,
                                   audit::Entry entry);

// The CMS signature (CAdES, RFC 5652) over the prepared digest, its signature value made by
// `key` in the token; for B-T, with the token `timestamp` returns over that value.
Result<std::vector<std::uint8_t>> hsm_signature(hsm::Token& token, const ActiveKey& key,
                                                const pdf::PreparedDocument& prepared,
                                                const pdf::TimestampCallback& timestamp);

// Records the outcomes of a job's documents, each with its output digest and outcome
// ("sealed", "signed") set, in one transaction (`also` commits with the last), and returns
// their sequence numbers. The keys were used: if this fails no document is returned, rather
// than one the log does not vouch for.
Result<std::vector<std::int64_t>> record_outcomes(AuditTrail& trail, std::vector<audit::Entry> outcomes,
                                                  const AuditTrail::AlsoCommit& also = {});

// A job that failed after key uses: `failing` (the document whose step failed, if any) and the
// documents signed before it (`undelivered`, a batch's) recorded "failed" with the reason, in one
// transaction, and `error` returned. Each intent keeps its key use on record even if this
// cannot be written.
std::unexpected<Error> record_job_failure(AuditTrail& trail, std::vector<audit::Entry> undelivered,
                                          std::optional<audit::Entry> failing, const Error& error);

}  // namespace signet::daemon
