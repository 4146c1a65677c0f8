#include "store/schema.hpp"

#include <array>

namespace signet::store {
namespace {

constexpr std::array<std::string_view, 1> all_migrations = {
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
};

}  // namespace

std::span<const std::string_view> migrations() { return all_migrations; }

}  // namespace signet::store
