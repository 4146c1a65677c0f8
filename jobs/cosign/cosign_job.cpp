#include "jobs/cosign/cosign_job.hpp"

namespace signet::daemon {

using nlohmann::json;

Result<JobResult> run_cosign_job(const CosignContext& context, CosignRequest request) {
    const SignContext& signing = context.signing;
    JobContext job{signing.keys.token, signing.trail,      signing.keys.db,     signing.keys.db_mutex,
                   signing.matrix,     signing.keys.clock, signing.pdf_workers, signing.revocation,
                   nullptr,            std::chrono::seconds(0), &signing.keys, &signing.settings,
                   nullptr,            &signing.time};
    job.guests = &context.guests;
    job.guest_ca = &context.guest_ca;
    JobRequest job_request;
    job_request.kind = JobKind::cosign;
    job_request.tenant = std::move(request.tenant);
    job_request.actor = request.guest_id;  // the audit entries' actor: the guest
    job_request.guest_id = std::move(request.guest_id);
    job_request.documents = std::move(request.documents);
    job_request.batch = request.batch;
    job_request.appearance = std::move(request.appearance);
    job_request.otp = std::move(request.code);
    job_request.level = request.level.value_or(config::SignatureLevel::b_b);
    job_request.keep_answer = std::move(request.keep_answer);
    return run_key_job(job, signing.keys.officer, std::move(job_request));
}

std::string cosign_response_body(bool batch, const std::string& guest_id, const JobResult& result) {
    return sign_response_body(batch, result, json{{"guest_id", guest_id}, {"certificate_serial", result.certificate_serial}});
}

}  // namespace signet::daemon
