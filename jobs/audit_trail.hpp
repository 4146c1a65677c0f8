#pragma once
// The daemon's side of the key-usage log: entries written under the database mutex (a failure
// is `unavailable`, and the caller uses no key), committed in groups (entries that arrive while
// a commit is under way share the next one, so concurrent jobs share an fsync; a group of
// outcomes only is not synced on its own but with the next intent), and checkpoints of the chain signed with the
// audit key, every N entries or T seconds, stored in the database and appended to the
// operator's checkpoint file. Signing a checkpoint is not itself an entry: it would leave a new
// unanchored entry after every checkpoint; the checkpoint is its own record.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "audit/entry.hpp"
#include "audit/log.hpp"
#include "config/config.hpp"
#include "keys/active_key.hpp"
#include "hsm/token.hpp"
#include "base/time.hpp"
#include "store/database.hpp"

namespace signet::daemon {

class AuditTrail {
public:
    AuditTrail(store::Database& db, store::DatabaseMutex& db_mutex, const signet::Clock& clock,
               hsm::Token& token, const KeySlot& audit_key, const config::Audit& settings)
        : db_(db),
          db_mutex_(db_mutex),
          clock_(clock),
          token_(token),
          key_(audit_key),
          settings_(settings),
          unanchored_(static_cast<std::int64_t>(settings.checkpoint_entries)) {}

    // What must commit with an entry, called inside its transaction with the entry as stored
    // (an idempotent request's answer with its outcome); its failure fails the transaction.
    using AlsoCommit = std::function<Status(const audit::Entry&)>;

    // Appends the entry and returns it as stored once it is committed. Entries recorded at the
    // same time may share a transaction; if it fails, each of them fails.
    Result<audit::Entry> record(audit::Entry entry, const AlsoCommit& also = {});
    // The entries in one transaction, in order; `also` commits with the last of them.
    Result<std::vector<audit::Entry>> record_all(std::vector<audit::Entry> entries, const AlsoCommit& also = {});

    // At start, before the start is recorded: an outcome "interrupted" for each key use of the
    // run before that has an intent and no outcome (signetd ended between the two: a crash, a
    // kill, a power loss before the outcome's deferred sync), so that every key use is
    // accounted for. Returns how many.
    Result<std::size_t> account_for_interrupted();

    // A checkpoint when `checkpoint_entries` entries wait for one.
    void checkpoint_if_due();
    // A checkpoint when any entry waits for one (the timer and the shutdown call this).
    Status checkpoint();

    struct State {
        std::int64_t entries = 0;
        std::int64_t anchored = 0;                        // covered by the newest checkpoint
        std::chrono::steady_clock::time_point last_checkpoint;  // or this trail's creation
    };
    // For /metrics.
    Result<State> state();
    // Whether the newest commit of entries failed (health then probes with a commit of its
    // own), and the probe's success.
    bool last_commit_failed() const { return last_commit_failed_.load(); }
    void writable_again() { last_commit_failed_.store(false); }

private:
    struct Pending {
        audit::Entry entry;
        const AlsoCommit* also = nullptr;  // not empty when something commits with the entry
        std::optional<Result<audit::Entry>> stored;  // set, under queue_mutex_, by whoever committed it
        // Woken once its entry is stored, or to commit the next group: one wake per waiter,
        // where a shared condition woke every waiter at every commit (33 futex calls a token).
        std::condition_variable woken;

        explicit Pending(audit::Entry e) : entry(std::move(e)) {}
    };
    // Appends `group` in one transaction and returns each one's result, in order.
    std::vector<Result<audit::Entry>> commit(const std::vector<Pending*>& group);
    Status checkpoint_when(std::int64_t waiting_at_least);
    // The log's head and the size its newest checkpoint covers; the caller holds db_mutex_.
    Result<std::pair<audit::Head, std::int64_t>> head_and_anchored();

    store::Database& db_;
    store::DatabaseMutex& db_mutex_;
    const signet::Clock& clock_;
    hsm::Token& token_;
    const KeySlot& key_;  // the active audit key, which an officer may rotate
    const config::Audit& settings_;
    std::mutex queue_mutex_;
    std::vector<Pending*> queue_;  // waiting for the next commit; guarded by queue_mutex_
    bool committing_ = false;      // a thread is committing a group; guarded by queue_mutex_
    std::mutex checkpoint_mutex_;  // one checkpoint at a time, so sizes only grow
    std::atomic<std::chrono::steady_clock::time_point> last_checkpoint_{std::chrono::steady_clock::now()};
    // Entries no checkpoint covers, as far as this trail knows: counted up by its commits, set
    // from the log whenever a checkpoint looks. Starts at the threshold so that the first call
    // reads the log (entries left by an earlier run).
    std::atomic<std::int64_t> unanchored_;
    std::atomic<bool> last_commit_failed_{false};
};

}  // namespace signet::daemon
