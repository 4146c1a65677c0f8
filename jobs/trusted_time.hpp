#pragma once
// Trusted time for the jobs (issue 17): tokens of signetd's own TSA, whose key is in the HSM
// and whose every token is a key use (intent committed, HSM signature, outcome), and the
// signature time-stamps of B-T signatures, from that TSA or from external ones.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "audit/entry.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "config/config.hpp"
#include "evidence/revocation_gate.hpp"
#include "hsm/token.hpp"
#include "jobs/audit_trail.hpp"
#include "keys/active_key.hpp"
#include "timestamp/request.hpp"
#include "timestamp/token_info.hpp"

namespace signet::daemon {

struct TrustedTime {
    const config::Timestamp* settings;  // null: no [timestamp] section, no trusted time
    const KeySlot& tsa_key;             // the active TSA key; empty until one is activated
    hsm::Token& token;
    AuditTrail& trail;
    const signet::Clock& clock;
    evidence::RevocationGate& revocation;  // the TSA certificate's status before each token
};

struct Stamp {
    std::vector<std::uint8_t> token;  // DER ContentInfo
    timestamp::TokenInfo info;
    std::string tsa;                  // "internal" or the external TSA's URL
};

// unavailable unless the configuration allows a token now: a [timestamp] section and, with
// require_synchronized_clock, a clock the kernel says is synchronised.
Status check_trusted_time(const TrustedTime& time);

// What commits with a token's outcome entry (`outcome_seq`): a keyed request's answer.
using AlsoCommitStamp = std::function<Status(const Stamp&, std::int64_t outcome_seq)>;

// The internal TSA's token for `request`. `entry` names the caller, tenant and action that the
// token is billed to ("timestamp" for POST /v1/timestamp, the job's action inside a seal or a
// signature). The intent entry is committed before the HSM signs and its sequence number is the
// token's serial: unique and never reused, across restarts and nodes, as the log is.
Result<Stamp> issue_internal(const TrustedTime& time, const timestamp::Request& request, audit::Entry entry,
                             const AlsoCommitStamp& also = {});

// Where a B-T job's signature time-stamps come from, fixed when the job starts: the TSA key
// then active (internal; an officer may activate its successor meanwhile) and what a PDF
// reserves for its token: computed from that key's certificates, or [timestamp]
// max_token_bytes for external TSAs.
struct TimestampSource {
    std::shared_ptr<const ActiveKey> tsa_key;  // null for external TSAs
    std::size_t token_bytes = 0;
};
Result<TimestampSource> timestamp_source(const TrustedTime& time);

// A token from `source` over the SHA-256 `digest`, its genTime inside the signer certificate's
// validity: a B-T signature's time-stamp (over its signature value) or a B-LTA document
// time-stamp (over the ByteRange). External tokens are checked before they are returned; an
// entry records which TSA gave it, or why none did, and `also` commits with that entry.
Result<Stamp> timestamp_digest(const TrustedTime& time, const TimestampSource& source,
                               std::span<const std::uint8_t> digest, const audit::Entry& entry,
                               const Validity& signer_validity, const AlsoCommitStamp& also = {});

// The same over SHA-256(`signature_value`).
Result<Stamp> signature_timestamp(const TrustedTime& time, const TimestampSource& source,
                                  std::span<const std::uint8_t> signature_value, const audit::Entry& entry,
                                  const Validity& signer_validity);

}  // namespace signet::daemon
