#include "jobs/seal_job.hpp"

#include "jobs/key_job.hpp"

namespace signet::daemon {

Result<SealResult> run_seal_job(const SealContext& context, const config::ClientIdentity& client,
                                SealRequest request) {
    // The caller holds the seal key for the whole job; the job only borrows it.
    const JobContext job{context.token, context.trail, context.db, context.db_mutex, context.matrix, context.clock,
                         context.pdf_workers, context.revocation,
                         std::shared_ptr<const ActiveKey>(std::shared_ptr<const ActiveKey>(), &context.seal_key),
                         context.min_remaining_validity, nullptr, nullptr, nullptr, &context.time};
    JobRequest run{JobKind::seal, std::move(request.tenant), std::move(request.actor), {}, false,
                   std::move(request.appearance), std::move(request.approved_by), "", request.level.value_or(config::SignatureLevel::b_b),
                   std::move(request.keep_answer), ""};
    run.documents.push_back(std::move(request.document));
    auto done = run_key_job(job, client, std::move(run));
    if (!done) return std::unexpected(done.error());
    return seal_result(std::move(*done));
}

SealResult seal_result(JobResult done) {
    return SealResult{std::move(done.documents.front()), std::move(done.key_id), std::move(done.certificate_sha256),
                      done.level};
}

}  // namespace signet::daemon
