#pragma once
// Revocation before every key use (DESIGN.md, "Revocation"; issue 18 item 1): the status of the
// signing certificate and of each issuer below the trust anchor, from the revocation checker
// (OCSP, CDP CRLs, [revocation] crl_files; cached in memory and in the database). A revoked
// certificate stops every use of its key, and the key register remembers it, so that GET
// /v1/keys shows the key 'revoked' and /v1/health is degraded until an officer acts. Without a
// status, [revocation] mode decides: "require" refuses the use, "prefer" lets it go on and the
// job's audit entry says the status was unknown.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/ssl_ptr.hpp"
#include "base/time.hpp"
#include "config/config.hpp"
#include "keys/active_key.hpp"
#include "revocation/revocation_checker.hpp"
#include "store/database.hpp"

namespace signet::evidence {

struct KeyStatus {
    // Empty when the status is known; otherwise why not, for the audit entry ("prefer" only).
    std::string unknown;
    // The certificate's first, then each issuer's below the anchor; from its issuer's when the
    // certificate says no revocation information exists (RFC 9608 noRevAvail, a guest's).
    std::vector<revocation::RevocationStatus> statuses;
    std::size_t first = 0;  // the chain position of statuses[0]
};

class RevocationGate {
public:
    // `anchors` ([keys] signing_trust_anchors) give the issuer of a certificate imported alone.
    RevocationGate(const config::Revocation& settings, std::vector<X509Ptr> anchors, const Clock& clock,
                   store::Database& db, store::DatabaseMutex& db_mutex);

    // Before a use of `key`, named in messages as `name` ("the seal key 01ab…"). Errc::certificate_revoked
    // when its certificate or an issuer below the anchor is revoked (the register marks the key
    // revoked); Errc::unavailable naming every source tried when no status is known and the
    // mode is "require".
    Result<KeyStatus> before_use(const daemon::ActiveKey& key, const std::string& name);

    // The statuses a B-LT DSS embeds for `key`: OCSP answers issued at or after `issued_after`
    // (the signature time-stamp's genTime) where the responder can give them; CRLs as they are.
    // The mode applies as in before_use.
    Result<KeyStatus> for_evidence(const daemon::ActiveKey& key, Timestamp issued_after);

    revocation::RevocationChecker& checker() { return *checker_; }
    const config::Revocation& settings() const { return settings_; }

    // The key's certificate and its issuers up to the anchor, the anchor found among the
    // signing trust anchors when the certificate was imported without it. The statuses are of
    // each certificate but the last.
    std::vector<X509*> chain_of(const daemon::ActiveKey& key) const;

private:
    Result<KeyStatus> statuses(const daemon::ActiveKey& key, const std::string& name,
                               std::optional<Timestamp> issued_after);
    void mark_revoked(const daemon::ActiveKey& key, const std::string& reason);

    const config::Revocation& settings_;
    std::vector<X509Ptr> anchors_;
    const Clock& clock_;
    store::Database& db_;
    store::DatabaseMutex& db_mutex_;
    std::unique_ptr<revocation::RevocationChecker> checker_;
};

}  // namespace signet::evidence
