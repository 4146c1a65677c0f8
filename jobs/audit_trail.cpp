#include "jobs/audit_trail.hpp"

#include <algorithm>
#include <deque>

#include <fcntl.h>
#include <unistd.h>

#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"

namespace signet::daemon {
namespace {

// Appends one line to the operator's checkpoint file and syncs it: the file is what survives
// when the database does not.
Status append_line(const std::filesystem::path& file, const std::string& line) {
    int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return fail(Errc::unavailable, "cannot open the checkpoint file " + file.string());
    std::string text = line + "\n";
    ssize_t written = ::write(fd, text.data(), text.size());
    bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (written != static_cast<ssize_t>(text.size()) || !synced) {
        return fail(Errc::unavailable, "cannot append to the checkpoint file " + file.string());
    }
    return {};
}

}  // namespace

Result<audit::Entry> AuditTrail::record(audit::Entry entry, const AlsoCommit& also) {
    std::vector<audit::Entry> one;
    one.push_back(std::move(entry));
    auto stored = record_all(std::move(one), also);
    if (!stored) return std::unexpected(stored.error());
    return std::move(stored->front());
}

Result<std::vector<audit::Entry>> AuditTrail::record_all(std::vector<audit::Entry> entries, const AlsoCommit& also) {
    if (entries.empty()) return std::vector<audit::Entry>{};
    StageTimer timed(Stage::audit);  // the wait for the database counts: the job waits too
    std::deque<Pending> mine;
    for (audit::Entry& entry : entries) mine.emplace_back(std::move(entry));
    if (also) mine.back().also = &also;
    std::unique_lock lock(queue_mutex_);
    // Queued together, so that one group, and one transaction, holds them all.
    for (Pending& pending : mine) queue_.push_back(&pending);
    // Group commit: the first thread to find no commit under way commits everything queued,
    // its own entries among them; the others wait for it. Then it wakes each of them, and the
    // first of those queued meanwhile, which commits the next group. A thread waits on its
    // first entry's condition: that is the one a committer wakes when they lead the queue.
    Pending& waiter = mine.front();
    while (!mine.back().stored) {
        if (committing_) {
            waiter.woken.wait(lock);
            continue;
        }
        committing_ = true;
        std::vector<Pending*> group = std::exchange(queue_, {});
        lock.unlock();
        std::vector<Result<audit::Entry>> results = commit(group);
        lock.lock();
        committing_ = false;
        for (std::size_t i = 0; i < group.size(); ++i) {
            group[i]->stored = std::move(results[i]);
            group[i]->woken.notify_one();
        }
        if (!queue_.empty()) queue_.front()->woken.notify_one();
    }
    std::vector<audit::Entry> stored;
    for (Pending& pending : mine) {
        if (!*pending.stored) return std::unexpected(pending.stored->error());
        stored.push_back(std::move(**pending.stored));
    }
    return stored;
}

std::vector<Result<audit::Entry>> AuditTrail::commit(const std::vector<Pending*>& group) {
    // An intent must be on disk before its key is used. An outcome of a key use whose intent is
    // (intent_seq) may reach the disk with the next synced commit, the next intent's or the
    // checkpoint's, at most [audit] checkpoint_seconds later: a power loss in between leaves an
    // intended key use without its outcome, which the log's readers already treat as "used,
    // outcome unknown". That halves the syncs per key use (docs/decisions.md, "An outcome reaches
    // the disk with the next sync").
    // A kept answer is synced at once: a power loss must not take back an answer a client may
    // already hold, and leave its key free to sign again.
    const bool outcomes_only = std::ranges::all_of(
        group, [](const Pending* p) { return p->entry.intent_seq.has_value() && p->also == nullptr; });
    const auto durability = outcomes_only ? store::Database::Durability::deferred : store::Database::Durability::synced;
    std::lock_guard lock(db_mutex_);
    audit::Log log(db_, clock_);
    std::vector<Result<audit::Entry>> stored;
    Status done = db_.transaction([&]() -> Status {
        stored.clear();
        auto head = log.head();
        if (!head) return std::unexpected(head.error().with_context("reading the audit log's head"));
        for (Pending* pending : group) {
            auto appended = log.append(pending->entry, *head);
            if (!appended) return std::unexpected(appended.error());
            if (pending->also != nullptr) SIGNET_CHECK((*pending->also)(*appended));
            *head = audit::Head{appended->seq, appended->hash};
            stored.push_back(std::move(*appended));
        }
        return {};
    }, durability);
    last_commit_failed_.store(!done);
    if (done) {
        unanchored_ += static_cast<std::int64_t>(group.size());
        return stored;
    }
    const Error refused{Errc::unavailable, "the audit log cannot be written (" + done.error().message + ")"};
    return std::vector<Result<audit::Entry>>(group.size(), std::unexpected(refused));
}

Result<std::size_t> AuditTrail::account_for_interrupted() {
    std::vector<audit::Entry> open;
    {
        std::lock_guard lock(db_mutex_);
        SIGNET_TRY(open, audit::Log(db_, clock_).open_intents());
    }
    for (const audit::Entry& intent : open) {
        audit::Entry outcome = intent;
        outcome.outcome = "interrupted";
        outcome.intent_seq = intent.seq;
        outcome.reason = "signetd stopped before this key use's outcome was on disk: a crash before its answer "
                         "(no signature delivered), or a power loss or file-system failure within a sync of it";
        outcome.detail = nullptr;
        if (auto recorded = record(std::move(outcome)); !recorded) return std::unexpected(recorded.error());
    }
    return open.size();
}

void AuditTrail::checkpoint_if_due() {
    // Read from the log only when enough entries may be waiting: every key use calls this, and
    // two queries under the database mutex per call were a tenth of a time-stamp's cost.
    if (unanchored_.load() < static_cast<std::int64_t>(settings_.checkpoint_entries)) return;
    if (auto made = checkpoint_when(settings_.checkpoint_entries); !made) {
        log_error("audit checkpoint: " + made.error().message);
    }
}

Status AuditTrail::checkpoint() { return checkpoint_when(1); }

// In one transaction, under the store's write lock: on a store several nodes share, one node
// at a time reads the head and checkpoints it, so two nodes never sign the same size. The
// signature (one per checkpoint_entries entries) is made holding the lock.
Status AuditTrail::checkpoint_when(std::int64_t waiting_at_least) {
    std::lock_guard one_at_a_time(checkpoint_mutex_);
    audit::Checkpoint checkpoint;
    bool made = false;
    {
        std::lock_guard lock(db_mutex_);
        Status done = db_.transaction([&]() -> Status {
            made = false;
            auto log = head_and_anchored();
            if (!log) return std::unexpected(log.error());
            unanchored_.store(log->first.size - log->second);
            if (log->first.size - log->second < waiting_at_least) return {};
            checkpoint.size = log->first.size;
            checkpoint.head = log->first.hash;
            checkpoint.origin = settings_.origin;
            checkpoint.time = signet::format_timestamp(clock_.now());
            const auto key = key_.get();
            checkpoint.key_id = key->id_hex;
            std::string text = audit::signed_text(checkpoint);
            auto signature =
                token_.sign(key->id, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
            if (!signature) return std::unexpected(signature.error().with_context("signing a checkpoint"));
            checkpoint.signature = std::move(*signature);
            SIGNET_CHECK(audit::Log(db_, clock_).add_checkpoint(checkpoint));
            made = true;
            return {};
        });
        if (!done) return done;
        if (made) unanchored_.store(0);
    }
    if (!made) return {};
    last_checkpoint_.store(std::chrono::steady_clock::now());
    return append_line(settings_.checkpoint_file, audit::to_json(checkpoint).dump());
}

Result<std::pair<audit::Head, std::int64_t>> AuditTrail::head_and_anchored() {
    audit::Log log(db_, clock_);
    auto head = log.head();
    if (!head) return std::unexpected(head.error());
    auto anchored = log.anchored_size();
    if (!anchored) return std::unexpected(anchored.error());
    return std::pair{std::move(*head), *anchored};
}

Result<AuditTrail::State> AuditTrail::state() {
    std::lock_guard lock(db_mutex_);
    auto log = head_and_anchored();
    if (!log) return std::unexpected(log.error());
    return State{log->first.size, log->second, last_checkpoint_.load()};
}

}  // namespace signet::daemon
