#pragma once
// The key-usage log in the store: entries appended after the head of a hash chain, checkpoints of
// that chain, and the reads auditors and billing need. The tables are append-only (triggers in
// the schema). Callers serialise on the database connection.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/checkpoint.hpp"
#include "audit/entry.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "store/database.hpp"

namespace signet::audit {

struct Head {
    std::int64_t size = 0;
    std::string hash = genesis_hash;
};

// Exact counts for one tenant over [from, to] (UTC days, both included), from the log.
struct Usage {
    std::int64_t seals = 0;       // seal entries whose outcome is sealed
    std::int64_t signatures = 0;  // sign entries whose outcome is signed
    std::int64_t timestamps = 0;  // tokens of POST /v1/timestamp (action timestamp, stamped)
    std::int64_t extensions = 0;  // POST /v1/extend: its document time-stamps (action extend)
    std::int64_t prepares = 0;    // POST /v1/prepare: documents given empty signature fields
    std::int64_t cosigns = 0;     // POST /v1/cosign: documents a guest signed
    std::int64_t refusals = 0;
    std::map<std::string, std::int64_t> refusals_by_action;
};

class Log {
public:
    Log(store::Database& db, const signet::Clock& clock) : db_(db), clock_(clock) {}

    // Appends `entry` after the head: sets its seq, time, prev_hash and hash, commits it (in
    // the caller's transaction when there is one) and returns it as stored.
    Result<Entry> append(Entry entry);
    // The same after `after`, the head the caller read in this transaction: a group of entries
    // reads the head once.
    Result<Entry> append(Entry entry, const Head& after);

    Result<Head> head();
    // Up to `limit` entries with seq > after, in order.
    Result<std::vector<Entry>> read(std::int64_t after, std::int64_t limit);

    // The intents of this node (the store's node()) since its newest daemon_start entry (all of
    // the log's when there is none) that no outcome names: key uses begun and never finished.
    // Each start accounts for those of the run before it, so the newest start bounds the read.
    Result<std::vector<Entry>> open_intents();

    Status add_checkpoint(const Checkpoint& checkpoint);
    Result<std::vector<Checkpoint>> checkpoints();
    // The size covered by the newest checkpoint (0 when there is none).
    Result<std::int64_t> anchored_size();

    // The export auditors verify offline: every entry, then every checkpoint, one JSON per line.
    Result<std::string> export_ndjson();

    Result<Usage> usage(const std::string& tenant, signet::Date from, signet::Date to);

private:
    store::Database& db_;
    const signet::Clock& clock_;
};

}  // namespace signet::audit
