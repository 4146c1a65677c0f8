#pragma once
// A personal signature (issue 6): the request and result of POST /v1/sign, run by run_key_job
// (key_job.hpp) with the actor's own key after activation (a TOTP code only the person's
// authenticator makes, good once, bound to these documents).

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "keys/active_key.hpp"
#include "pdf/worker/worker_pool.hpp"
#include "jobs/audit_trail.hpp"
#include "jobs/key_job.hpp"
#include "jobs/personal_keys.hpp"
#include "config/client_identity.hpp"
#include "keys/key_register.hpp"
#include "pdf/prepare.hpp"
#include "policy/matrix.hpp"

namespace signet::daemon {

struct SignRequest {
    std::string tenant;
    std::string actor;
    std::vector<std::vector<std::uint8_t>> documents;
    bool batch = false;  // "documents" rather than "document": the answer is a list
    std::optional<pdf::Appearance> appearance;
    std::string otp;
    std::optional<config::SignatureLevel> level;  // [signature] level when absent
    KeepAnswer keep_answer;  // an idempotent request's (key_job.hpp)
};

using SignResult = JobResult;

struct SignContext {
    OfficerContext keys;  // database, token, clock and the calling client
    AuditTrail& trail;
    const policy::Matrix& matrix;
    const config::Signing& settings;
    PersonalKeys& personal_keys;
    pdf::WorkerPool& pdf_workers;
    const TrustedTime& time;
    evidence::RevocationGate& revocation;
};

Result<SignResult> run_sign_job(const SignContext& context, SignRequest request);

// The answer's "signature" object: key, certificate, digest, level and, from B-T on, the
// signature time-stamp's {"gen_time", "serial", "tsa"}.
nlohmann::json signature_json(const std::string& key_id, const std::string& certificate_sha256,
                              const SignedDocument& document, config::SignatureLevel level);

// {"document", "signature", "audit_seq", "activation_seq"} for one document,
// {"documents": [...], "activation_seq"} for a batch; `more` adds members beside activation_seq.
std::string sign_response_body(bool batch, const SignResult& result, const nlohmann::json& more = nlohmann::json::object());

}  // namespace signet::daemon
