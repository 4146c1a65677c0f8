#pragma once
// The answers kept per Idempotency-Key (DESIGN.md; issue 20): a request sent again with the same
// key and the same bytes gets the first answer back and runs nothing; with other bytes it is a
// conflict. Keys are scoped by client certificate and tenant, so that no caller reads another's
// answer. An answer is kept `[jobs] idempotency_ttl`, in the database; a body above the inline
// bound is a file named by its SHA-256 under `[jobs] answers_folder`, and those files together
// stay under `[jobs] answers_max_mib`. A key whose request is running, in this process or on
// another node of the store, refuses a second request with 409 until the first has answered.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/time.hpp"
#include "store/database.hpp"

namespace signet::idempotency {

struct Scope {
    std::string client;  // the client certificate's SHA-256
    std::string tenant;
    std::string key;     // the Idempotency-Key
};

// An answer as it was sent: its status, the header fields to send again (not Content-Length or
// Connection, which are the connection's) and its body.
struct Answer {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> fields;
    std::string body;
};

struct Settings {
    std::chrono::seconds ttl{24 * 3600};
    std::filesystem::path folder;
    std::uint64_t max_file_bytes = std::uint64_t{1} << 30;
    // Bodies up to this size are kept in the database row itself.
    std::size_t inline_bytes = 256 * 1024;
};

class AnswerStore;

// The mark of a request running under its key in this process, removed when it is destroyed
// (after its answer is kept, or when the request ends without one).
class Running {
public:
    Running(AnswerStore& store, std::string name) : store_(store), name_(std::move(name)) {}
    Running(const Running&) = delete;
    Running& operator=(const Running&) = delete;
    ~Running();

private:
    AnswerStore& store_;
    std::string name_;
};

struct Begun {
    std::optional<Answer> replay;      // set: send it again and run nothing
    std::unique_ptr<Running> running;  // set otherwise: run the request, then keep its answer
};

class AnswerStore {
public:
    AnswerStore(store::Database& db, store::DatabaseMutex& db_mutex, const signet::Clock& clock, Settings settings);

    // The folder made, expired answers and files no answer names removed (left by a crash
    // between a file's write and its row's commit). At start.
    Status open();

    // For a request with `scope`'s key whose bytes hash to `request_sha256`: the kept answer to
    // send again, or the mark that it runs now. 409 when the key is running, was used for other
    // bytes, or its answer was too large to keep; 503 when the database cannot be read.
    Result<Begun> begin(const Scope& scope, const std::string& request_sha256);

    // Keeps `answer`, reporting the audit entry `outcome_seq` (0: none). The caller holds the
    // database mutex and is inside a transaction: the one that records the job's outcome, so
    // that a crash leaves both or neither. A body that does not fit the space left is not kept
    // (its key then refuses a repeat with 409); only a database failure is an error.
    Status keep_locked(const Scope& scope, const std::string& request_sha256, const Answer& answer,
                       std::int64_t outcome_seq);
    // The same in a transaction of its own: for answers that record no key use (refusals) or
    // whose job records its outcome itself (extensions, time-stamps).
    Status keep(const Scope& scope, const std::string& request_sha256, const Answer& answer);

    // Removes the answers past their time and their files; returns how many.
    Result<std::size_t> expire();

private:
    friend class Running;
    static std::string name_of(const Scope& scope);
    void finished(const std::string& name);
    // A kept answer as its row says; its body is still in `file` when that is not empty.
    struct KeptRow {
        Answer answer;
        std::string file;
        std::int64_t bytes = 0;
    };
    // In the caller's write transaction, under the database mutex.
    Result<std::optional<KeptRow>> kept_row(const Scope& scope, const std::string& request_sha256);
    // The key marked running on this node in the store (idempotency_running): 409 when another
    // node's request holds it. In the caller's write transaction, under the database mutex.
    Status reserve(const Scope& scope);
    // The body's file written and synced, named by its SHA-256; false when it does not fit.
    Result<bool> write_file(const std::string& name, const std::string& body, std::uint64_t used);
    Result<std::string> read_file(const std::string& name, std::int64_t bytes);
    std::int64_t now_seconds() const;

    store::Database& db_;
    store::DatabaseMutex& db_mutex_;
    const signet::Clock& clock_;
    Settings settings_;
    std::mutex running_mutex_;            // before db_mutex_ when both are held
    std::set<std::string> running_;       // guarded by running_mutex_
    std::atomic<std::int64_t> next_expiry_{0};  // Unix seconds of the next expire() begin() runs
};

}  // namespace signet::idempotency
