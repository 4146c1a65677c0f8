#pragma once
// A certificate's chain to the trust anchors, verified at the proven time rather than now
// (ETSI EN 319 102-1 §5.2.6: X.509 validation at a time in the past), the algorithm policy on
// each of its certificates, and the revocation status of each but the anchor judged against
// that time (RFC 5280 §6.3; EN 319 102-1 §5.6.2.1: revoked after the proven time is still
// valid). Refusals are Errc::invalid_certificate sentences; a missing status under `require`
// is the checker's Errc::unavailable, which fails the whole validation.

#include <span>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "base/error.hpp"
#include "base/ssl_ptr.hpp"
#include "base/time.hpp"
#include "revocation/revocation_ptr.hpp"
#include "revocation/status.hpp"
#include "validation/validation.hpp"

namespace signet::validation {

// The anchors as an X509_STORE that accepts any of them as the end of a chain, self-signed or
// not (X509_V_FLAG_PARTIAL_CHAIN: `[signature] trust` may name an intermediate CA).
Result<revocation::X509Store> anchor_store(std::span<X509* const> anchors);

// `leaf`'s chain, leaf first and its anchor last, built from `store` and the `untrusted`
// certificates the CMS carries, verified at `at`; every certificate's signature and key
// judged by the algorithm policy. `role` names the leaf in refusals ("the signer
// certificate").
Result<std::vector<X509Ptr>> verified_chain(X509_STORE* store, X509* leaf, STACK_OF(X509) * untrusted,
                                            Timestamp at, const std::string& role);

struct Revocations {
    std::vector<revocation::RevocationStatus> statuses;
    std::string note;  // what "prefer" mode let through, or a revocation after `proven`
};

// The status of every certificate of `chain` but its anchor, from `options.checker`; refused
// when one was revoked at or before `proven` (the second of a revocation and of a genTime
// cannot be ordered, so a tie counts against the signature). `timestamped`: `proven` is a
// genTime, and the checker asks again for an OCSP answer cached from before it, since the
// DSS wants evidence issued after the time it proves (NOTES-ltv.md).
Result<Revocations> check_revocation(const std::vector<X509Ptr>& chain, Timestamp proven, bool timestamped,
                                     const Options& options, const std::string& role);

}  // namespace signet::validation
