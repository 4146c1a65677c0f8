#pragma once
// The SQLite database: one RAII connection, prepared statements, transactions and the schema
// migrations. A connection is used by one thread at a time; callers that share one serialise
// on it (the daemon's job pool does).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace signet::store {

using Blob = std::vector<std::uint8_t>;
using Value = std::variant<std::nullptr_t, std::int64_t, std::string, Blob>;

class Statement;
struct StatementCache;
struct CachedStatement;

class Database {
public:
    // Opens (creating if needed) the database file, turns on WAL and foreign keys and brings
    // the schema to the newest version.
    static Result<Database> open(const std::filesystem::path& path);

    Database(Database&&) noexcept;
    Database& operator=(Database&&) noexcept;
    ~Database();

    // Runs SQL with no parameters and no result rows (schema, pragmas).
    Status execute(std::string_view sql);
    // A statement for `sql`. The connection keeps the statements it prepared (up to 256 texts)
    // and hands one out again, reset, when no Statement holds it: the hot ones (the audit
    // log's) are compiled once rather than per use.
    Result<Statement> prepare(std::string_view sql);

    // What a COMMIT has made sure of when it returns.
    enum class Durability {
        synced,    // on disk
        // In the log and safe from a crash of this process, on disk with the next synced
        // commit of this connection (SQLite's synchronous = NORMAL in WAL mode; PostgreSQL
        // calls it synchronous_commit = off). A power loss may take it back.
        deferred,
    };

    // BEGIN IMMEDIATE ... COMMIT around `work`; ROLLBACK when it fails.
    template <class F>
    Status transaction(F&& work, Durability durability = Durability::synced) {
        if (durability == Durability::deferred) {
            if (auto relaxed = execute("PRAGMA synchronous = NORMAL"); !relaxed) return relaxed;
        }
        Status done = run_transaction(std::forward<F>(work));
        if (durability == Durability::deferred) {
            // The connection's default is back before anything else commits on it.
            if (auto restored = execute("PRAGMA synchronous = FULL"); !restored && done) return restored;
        }
        return done;
    }

    // Whether a write could start now: takes the write lock (waiting at most `wait`) and rolls
    // back. For health checks: a locked, read-only or full database fails it.
    Status probe_writable(std::chrono::milliseconds wait);
    // A write committed and synced (one row of its own): what a file system gone read-only
    // after an I/O error fails, where probe_writable passes (nothing reaches the disk before a
    // commit).
    Status probe_commit();

    // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    std::int64_t changes() const;
    int schema_version() const { return schema_version_; }
    sqlite3* handle() const { return db_.get(); }

private:
    struct Closer {
        void operator()(sqlite3* db) const;
    };
    explicit Database(sqlite3* db);
    Status migrate();
    template <class F>
    Status run_transaction(F&& work) {
        if (auto begun = execute("BEGIN IMMEDIATE"); !begun) return begun;
        Status result = work();
        if (!result) {
            (void)execute("ROLLBACK");
            return result;
        }
        return execute("COMMIT");
    }

    std::unique_ptr<sqlite3, Closer> db_;
    // After db_: destroyed first, so that its statements are finalised before the close.
    std::unique_ptr<StatementCache> statements_;
    int schema_version_ = 0;
};

// A prepared statement. bind() takes 1-based positions; step() returns true while a row is
// available.
class Statement {
public:
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;

    Statement& bind(int index, const Value& value);
    Statement& bind_all(std::span<const Value> values);
    Result<bool> step();
    // Runs a statement that returns no row (INSERT, UPDATE, DELETE).
    Status run();

    std::int64_t column_int(int index) const;
    std::string column_text(int index) const;
    Blob column_blob(int index) const;
    bool column_is_null(int index) const;

private:
    friend class Database;
    // Finalises a statement of its own; gives a cached one back to its cache, reset.
    struct Finalizer {
        CachedStatement* cached = nullptr;
        void operator()(sqlite3_stmt* statement) const;
    };
    Statement(sqlite3* db, sqlite3_stmt* statement, CachedStatement* cached = nullptr)
        : db_(db), statement_(statement, Finalizer{cached}) {}

    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, Finalizer> statement_;
    Status bind_status_;  // the first bind failure, reported by step()/run()
};

}  // namespace signet::store
