#pragma once
// POST /v1/timestamp: signetd as an RFC 3161 time-stamping authority for the platform. The
// order of a key-using job holds: client role → request parsed and bounded → the tenant billed
// exists → trusted time available → intent committed → HSM signature → outcome → answer.

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/error.hpp"
#include "config/client_identity.hpp"
#include "jobs/trusted_time.hpp"
#include "store/database.hpp"

namespace signet::daemon {

// The tenants the register was seen to hold. The API removes no tenant, so one found once is
// billed again without a database query (a time-stamp is cheap enough for that query to show).
class KnownTenants {
public:
    bool contains(const std::string& tenant) const {
        std::lock_guard lock(mutex_);
        return names_.contains(tenant);
    }
    void add(const std::string& tenant) {
        std::lock_guard lock(mutex_);
        names_.insert(tenant);
    }

private:
    mutable std::mutex mutex_;
    std::unordered_set<std::string> names_;
};

// not_found unless the register holds `tenant`: a job billed to nobody would vanish from usage.
Status check_known_tenant(store::Database& db, store::DatabaseMutex& db_mutex, KnownTenants& tenants, const std::string& tenant);

struct TimestampReply {
    std::vector<std::uint8_t> response;           // DER TimeStampResp, granted or rejection
    std::optional<timestamp::TokenInfo> granted;  // the token's fields when granted
};

// Keeps a granted reply inside the transaction of the token's outcome entry `outcome_seq`.
using KeepTimestampReply = std::function<Status(const TimestampReply&, std::int64_t outcome_seq)>;

// A TimeStampResp for the DER TimeStampReq `query`, billed to `tenant`. Errors are the HTTP
// answers: forbidden for another role, bad_request for a body that is no TimeStampReq,
// not_found for an unknown tenant, unavailable when the TSA cannot sign. A request signet does
// not serve (an unsupported hash, another policy, a clock not synchronised) is answered with a
// TimeStampResp whose status is rejection, and recorded as a refusal. `keep` (an
// Idempotency-Key's) commits a granted reply with its outcome, as a seal's answer is.
Result<TimestampReply> run_timestamp_job(const TrustedTime& time, store::Database& db, store::DatabaseMutex& db_mutex,
                                         KnownTenants& tenants, const config::ClientIdentity& client,
                                         const std::string& tenant, std::span<const std::uint8_t> query,
                                         const KeepTimestampReply& keep = {});

}  // namespace signet::daemon
