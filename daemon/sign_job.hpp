#pragma once
// A personal signature (issue 6) in DESIGN.md's fixed order: policy (document.sign for the
// tenant and actor) → the actor's own key and certificate → activation (a TOTP code only the
// person's authenticator makes, good once, bound to these documents) → prepare every PDF →
// for each: the intended key use on record → HSM → embed → the outcome on record. A batch is
// all or nothing for the caller: one bad document refuses the batch before any key use.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "daemon/active_key.hpp"
#include "pdf/worker_pool.hpp"
#include "daemon/audit_trail.hpp"
#include "daemon/client_identity.hpp"
#include "daemon/key_register.hpp"
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
};

struct SignedDocument {
    std::vector<std::uint8_t> document;
    std::string digest_sha256;
    std::int64_t audit_seq = 0;
};

struct SignResult {
    std::string key_id;
    std::string certificate_sha256;
    std::int64_t activation_seq = 0;
    std::vector<SignedDocument> documents;
};

// Personal keys read from the register and the token once, then kept: the token holds one key
// per person, and a signature must not search it. Bounded; the least recently used goes.
class PersonalKeys {
public:
    explicit PersonalKeys(std::size_t capacity) : capacity_(capacity) {}
    // The key `key_id` (loaded on first use, with its certificate and chain).
    Result<std::shared_ptr<const ActiveKey>> get(store::Database& db, std::mutex& db_mutex, hsm::Token& token,
                                                 const std::string& key_id);

private:
    std::mutex mutex_;
    std::size_t capacity_;
    std::uint64_t clock_ = 0;
    std::map<std::string, std::pair<std::shared_ptr<const ActiveKey>, std::uint64_t>> keys_;
};

struct SignContext {
    OfficerContext keys;  // database, token, clock and the calling client
    AuditTrail& trail;
    const policy::Matrix& matrix;
    const config::Signing& settings;
    PersonalKeys& personal_keys;
    pdf::WorkerPool& pdf_workers;
};

Result<SignResult> run_sign_job(const SignContext& context, SignRequest request);

// {"document", "signature", "audit_seq"} for one document, {"documents": [...], ...} for a batch.
std::string sign_response_body(bool batch, const SignResult& result);

}  // namespace signet::daemon
