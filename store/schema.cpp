#include "store/schema.hpp"

#include <array>
#include <string>

namespace signet::store {
namespace {

constexpr std::array<std::string_view, 11> all_migrations = {
    // 1: the key register (the seal key in use is the active key of purpose 'seal') and one
    // row per seal job, whatever its outcome.
    R"sql(
CREATE TABLE keys (
    key_id        TEXT PRIMARY KEY,           -- hex CKA_ID
    purpose       TEXT NOT NULL CHECK (purpose IN ('seal', 'audit', 'personal')),
    label         TEXT NOT NULL,
    algorithm     TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'ready', 'active', 'retired', 'destroyed')),
    certificate   BLOB,                       -- DER
    chain         BLOB,                       -- PEM, issuer first
    created_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX one_active_key_per_purpose ON keys (purpose)
    WHERE state = 'active' AND purpose IN ('seal', 'audit');

CREATE TABLE seal_jobs (
    id                  INTEGER PRIMARY KEY,
    at                  TEXT NOT NULL,
    client_fingerprint  TEXT NOT NULL,
    tenant              TEXT NOT NULL,
    actor               TEXT NOT NULL,
    input_sha256        TEXT,
    output_sha256       TEXT,
    key_id              TEXT,
    outcome             TEXT NOT NULL,
    reason              TEXT
);
)sql",
    // 2: the delegation register (tenants, their members, delegations and requests) and the
    // approver of a seal job.
    R"sql(
CREATE TABLE tenants (
    id    TEXT PRIMARY KEY,
    kind  TEXT NOT NULL CHECK (kind IN ('cabinet', 'croec')),
    name  TEXT NOT NULL
);

CREATE TABLE members (
    tenant  TEXT NOT NULL REFERENCES tenants (id),
    person  TEXT NOT NULL,
    role    TEXT NOT NULL,
    name    TEXT NOT NULL,
    PRIMARY KEY (tenant, person)
);

CREATE TABLE delegations (
    id          INTEGER PRIMARY KEY,
    tenant      TEXT NOT NULL REFERENCES tenants (id),
    grantee     TEXT NOT NULL,
    grantor     TEXT,                       -- NULL while a request is pending
    rights      TEXT NOT NULL,              -- delegation ids, space-separated
    expires     TEXT NOT NULL,              -- YYYY-MM-DD, the last day of validity (UTC)
    state       TEXT NOT NULL CHECK (state IN ('pending', 'active', 'deactivated', 'ended')),
    changed_by  TEXT NOT NULL,              -- who made the last change of state
    changed_at  INTEGER NOT NULL            -- Unix seconds
);
CREATE INDEX delegations_of_tenant ON delegations (tenant, grantee);

ALTER TABLE seal_jobs ADD COLUMN approved_by TEXT;
)sql",
    // 3: the hash-chained key-usage log replaces seal_jobs. An entry is stored as the exact
    // JSON that is hashed and exported; the other columns index it. Triggers make the table
    // append-only for every connection, signet's own included.
    R"sql(
DROP TABLE seal_jobs;

CREATE TABLE audit_log (
    seq      INTEGER PRIMARY KEY,
    time     TEXT NOT NULL,
    event    TEXT NOT NULL,
    outcome  TEXT NOT NULL,
    tenant   TEXT,
    action   TEXT,
    hash     TEXT NOT NULL,
    entry    TEXT NOT NULL
);
CREATE INDEX audit_log_usage ON audit_log (tenant, time);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE audit_checkpoints (
    size        INTEGER PRIMARY KEY,
    checkpoint  TEXT NOT NULL
);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
)sql",
    // 4: officers' requests for a change to a seal or audit key, waiting for a second officer
    // (issue 5). Times are Unix seconds; a request is 'pending' until approved, and expires.
    R"sql(
CREATE TABLE approvals (
    id                     INTEGER PRIMARY KEY,
    key_id                 TEXT NOT NULL REFERENCES keys (key_id),
    change                 TEXT NOT NULL CHECK (change IN ('activate', 'retire', 'destroy')),
    requested_by           TEXT NOT NULL,   -- the officer's certificate, SHA-256 hex
    requested_by_name      TEXT NOT NULL,   -- its subject CN
    requested_at           INTEGER NOT NULL,
    expires_at             INTEGER NOT NULL,
    state                  TEXT NOT NULL CHECK (state IN ('pending', 'approved')),
    approved_by            TEXT,
    approved_by_name       TEXT,
    approved_at            INTEGER
);
)sql",
    // 5: personal keys (issue 6): a key may belong to a person, who has at most one active key,
    // and a person's TOTP authenticator, its seed sealed by a key in the HSM.
    R"sql(
ALTER TABLE keys ADD COLUMN person TEXT;
CREATE UNIQUE INDEX one_active_key_per_person ON keys (person)
    WHERE state = 'active' AND purpose = 'personal';
CREATE INDEX keys_by_person ON keys (person) WHERE person IS NOT NULL;

CREATE TABLE persons (
    person            TEXT PRIMARY KEY,
    otp_seed          BLOB,      -- AES-256-GCM by the token's seed key, "person:<id>" authenticated
    otp_enrolled_at   TEXT,
    otp_last_step     INTEGER,   -- the newest TOTP step used: each code is good once
    failures          INTEGER NOT NULL DEFAULT 0,  -- wrong codes in a row
    locked_until      INTEGER    -- Unix seconds
);
)sql",
    // 6: the time-stamping authority's key (issue 17), purpose 'tsa', one active at a time like
    // the seal and audit keys. SQLite cannot change a CHECK in place: the table is rebuilt
    // (https://sqlite.org/lang_altertable.html, "other kinds of table schema changes").
    R"sql(-- rebuilds tables
CREATE TABLE keys_new (
    key_id        TEXT PRIMARY KEY,           -- hex CKA_ID
    purpose       TEXT NOT NULL CHECK (purpose IN ('seal', 'audit', 'personal', 'tsa')),
    label         TEXT NOT NULL,
    algorithm     TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'ready', 'active', 'retired', 'destroyed')),
    certificate   BLOB,                       -- DER
    chain         BLOB,                       -- PEM, issuer first
    created_at    TEXT NOT NULL,
    person        TEXT
);
INSERT INTO keys_new (key_id, purpose, label, algorithm, state, certificate, chain, created_at, person)
    SELECT key_id, purpose, label, algorithm, state, certificate, chain, created_at, person FROM keys;
DROP TABLE keys;
ALTER TABLE keys_new RENAME TO keys;
CREATE UNIQUE INDEX one_active_key_per_purpose ON keys (purpose)
    WHERE state = 'active' AND purpose IN ('seal', 'audit', 'tsa');
CREATE UNIQUE INDEX one_active_key_per_person ON keys (person)
    WHERE state = 'active' AND purpose = 'personal';
CREATE INDEX keys_by_person ON keys (person) WHERE person IS NOT NULL;
)sql",
    // 7: revocation (issue 18). A key whose certificate signetd found revoked keeps its state
    // and is shown 'revoked'; the OCSP responses and CRLs that answered are kept until their
    // nextUpdate (Unix seconds), so that a restart does not ask every responder again.
    R"sql(
ALTER TABLE keys ADD COLUMN revoked_at TEXT;
ALTER TABLE keys ADD COLUMN revocation_reason TEXT;
CREATE TABLE revocation_evidence (
    cache_key     TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('ocsp', 'crl_url', 'crl_file')),
    source        TEXT NOT NULL,
    next_update   INTEGER NOT NULL,
    der           BLOB NOT NULL
);
)sql",
    // 8: the answers kept per Idempotency-Key (issue 20), and the health check's write probe, per client certificate, tenant and key,
    // until expires_at (Unix seconds). A body larger than the inline bound is a file under
    // [jobs] answers_folder named by its SHA-256 (body_file); kept = 0 when it was too large for
    // the space left, so that a repeated request is refused rather than run again.
    R"sql(
CREATE TABLE idempotency (
    client          TEXT NOT NULL,     -- the client certificate, SHA-256 hex
    tenant          TEXT NOT NULL,
    key             TEXT NOT NULL,
    request_sha256  TEXT NOT NULL,     -- method, target, content type and body
    status          INTEGER NOT NULL,
    fields          TEXT NOT NULL,     -- JSON [[name, value], ...]: the header fields sent again
    body            BLOB,
    body_file       TEXT,
    body_bytes      INTEGER NOT NULL,
    kept            INTEGER NOT NULL,
    outcome_seq     INTEGER,           -- the audit outcome the answer reports, when there is one
    expires_at      INTEGER NOT NULL,
    PRIMARY KEY (client, tenant, key)
);
CREATE INDEX idempotency_expiry ON idempotency (expires_at);
CREATE INDEX idempotency_files ON idempotency (body_file) WHERE body_file IS NOT NULL;

-- One row a health check writes to learn whether the database can commit again.
CREATE TABLE write_probe (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    at  INTEGER NOT NULL
);
)sql",
    // 9: each tenant's logo for its visible boxes (issue 21), as the platform sent it, once a
    // PDF worker has decoded it.
    R"sql(
CREATE TABLE tenant_logos (
    tenant      TEXT PRIMARY KEY REFERENCES tenants (id),
    media_type  TEXT NOT NULL CHECK (media_type IN ('image/png', 'image/jpeg')),
    image       BLOB NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    changed_at  INTEGER NOT NULL       -- Unix seconds
);
)sql",
    // 10: guests (issue 22). The key purpose 'guest-ca', one active at most (the keys table is
    // rebuilt for its CHECK, as in 6), and the guests a firm invited to co-sign: their one-time
    // code only as a MAC made in the HSM, the documents they may sign, and the code's life.
    R"sql(-- rebuilds tables
CREATE TABLE keys_new (
    key_id        TEXT PRIMARY KEY,           -- hex CKA_ID
    purpose       TEXT NOT NULL CHECK (purpose IN ('seal', 'audit', 'personal', 'tsa', 'guest-ca')),
    label         TEXT NOT NULL,
    algorithm     TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'ready', 'active', 'retired', 'destroyed')),
    certificate   BLOB,                       -- DER
    chain         BLOB,                       -- PEM, issuer first
    created_at    TEXT NOT NULL,
    person        TEXT,
    revoked_at    TEXT,
    revocation_reason TEXT
);
INSERT INTO keys_new (key_id, purpose, label, algorithm, state, certificate, chain, created_at, person, revoked_at,
                      revocation_reason)
    SELECT key_id, purpose, label, algorithm, state, certificate, chain, created_at, person, revoked_at,
           revocation_reason FROM keys;
DROP TABLE keys;
ALTER TABLE keys_new RENAME TO keys;
CREATE UNIQUE INDEX one_active_key_per_purpose ON keys (purpose)
    WHERE state = 'active' AND purpose IN ('seal', 'audit', 'tsa', 'guest-ca');
CREATE UNIQUE INDEX one_active_key_per_person ON keys (person)
    WHERE state = 'active' AND purpose = 'personal';
CREATE INDEX keys_by_person ON keys (person) WHERE person IS NOT NULL;

CREATE TABLE guests (
    guest_id    TEXT PRIMARY KEY,
    tenant      TEXT NOT NULL REFERENCES tenants (id),
    email       TEXT NOT NULL,
    name        TEXT NOT NULL,
    documents   TEXT NOT NULL,         -- JSON array of SHA-256 hex digests
    code_mac    BLOB NOT NULL,         -- HMAC-SHA256 in the HSM over the guest id and the code
    created_at  INTEGER NOT NULL,      -- Unix seconds, as the three below
    expires_at  INTEGER NOT NULL,
    failures    INTEGER NOT NULL DEFAULT 0,
    locked_at   INTEGER,
    used_at     INTEGER
);
CREATE INDEX guests_expiry ON guests (expires_at);
)sql",
    // 11: several nodes (issue 23). The request running under an Idempotency-Key, and on which
    // node: made in the write transaction that finds no kept answer, so that two nodes never
    // run one key; removed when the request ends, by its node's next start, or taken over after
    // an hour (a node that never came back).
    R"sql(
CREATE TABLE idempotency_running (
    client      TEXT NOT NULL,
    tenant      TEXT NOT NULL,
    key         TEXT NOT NULL,
    node        TEXT NOT NULL,
    started_at  INTEGER NOT NULL,      -- Unix seconds
    PRIMARY KEY (client, tenant, key)
);
)sql",
};

}  // namespace

std::span<const std::string_view> sqlite_migrations() { return all_migrations; }

Status refuse_newer_schema(int found, std::size_t known) {
    if (found <= static_cast<int>(known)) return {};
    return fail(Errc::unavailable, "the database has schema version " + std::to_string(found) +
                                       ", newer than this signet (" + std::to_string(known) +
                                       "): upgrade signet before starting it on this database");
}

}  // namespace signet::store
