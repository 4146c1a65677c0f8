#pragma once
// A guest's co-signature (issue 22): the request and result of POST /v1/cosign, run by
// run_key_job (key_job.hpp) as JobKind::cosign: the guest's invitation for these documents,
// the guest's code, a one-time key certified by the guest CA, the signature, the key destroyed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jobs/key_job.hpp"
#include "jobs/sign_job.hpp"

namespace signet::daemon {

struct CosignRequest {
    std::string tenant;
    std::string guest_id;
    std::string code;
    std::vector<std::vector<std::uint8_t>> documents;
    bool batch = false;  // "documents" rather than "document"
    std::optional<pdf::Appearance> appearance;
    std::optional<config::SignatureLevel> level;  // [signature] level when absent
    KeepAnswer keep_answer;                       // an idempotent request's (key_job.hpp)
};

struct CosignContext {
    SignContext signing;  // what a personal signature needs, the key register's context first
    const GuestContext& guests;
    const KeySlot& guest_ca;
};

Result<JobResult> run_cosign_job(const CosignContext& context, CosignRequest request);

// A signature's answer (sign_response_body) with the guest's "guest_id" and the one-time
// certificate's "certificate_serial" beside "activation_seq".
std::string cosign_response_body(bool batch, const std::string& guest_id, const JobResult& result);

}  // namespace signet::daemon
