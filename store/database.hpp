#pragma once
// The store: SQLite (the embedded default) or PostgreSQL (several nodes), prepared statements,
// write transactions and the schema migrations. Statements are written once for both: `?`
// placeholders and the SQL the two share (docs/scale-out.md).
//
// Threads that share a Database hold its DatabaseMutex around each use. On SQLite that is a
// mutex: the one connection serves one thread at a time. On PostgreSQL it leases the thread a
// connection of a bounded pool for as long as it holds it: threads read side by side, and
// writers meet at the server, at the store's write lock. A thread that uses a PostgreSQL
// Database without the mutex (a tool, a test) uses its first connection.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "config/config.hpp"
#include "store/value.hpp"

namespace signet::store {

class Connection;
class Cursor;
class Statement;
class DatabaseMutex;

class Database {
public:
    using Durability = store::Durability;

    // Connects to the configured store and brings its schema to the newest version, under a
    // lock that makes two nodes starting together migrate once. On PostgreSQL, up to
    // `store.connections` connections serve the threads that hold a DatabaseMutex.
    static Result<Database> open(const config::Store& store);
    // An SQLite file, created if needed (WAL, foreign keys on).
    static Result<Database> open(const std::filesystem::path& path);

    Database(Database&&) noexcept;
    Database& operator=(Database&&) noexcept;
    ~Database();

    // Runs SQL with no parameters and no result rows.
    Status execute(std::string_view sql);
    // A statement for `sql`. The connection keeps what it prepared and hands it out again:
    // the hot statements (the audit log's) are compiled once rather than per use.
    Result<Statement> prepare(std::string_view sql);

    // A write transaction around `work`, rolled back when it fails. No other writer, on this
    // node or another, runs between its first statement and its commit.
    template <class F>
    Status transaction(F&& work, Durability durability = Durability::synced) {
        if (auto begun = begin(durability); !begun) return begun;
        Status result = work();
        if (!result) {
            rollback();
            return result;
        }
        return commit();
    }

    // Whether a write could start now: takes the write lock (waiting at most `wait`) and rolls
    // back. For health checks: a locked, read-only or full database fails it.
    Status probe_writable(std::chrono::milliseconds wait);
    // A write committed and synced (one row of its own): what a file system gone read-only
    // after an I/O error fails, where probe_writable passes.
    Status probe_commit();

    // The node this connection writes for ([server] node), which the audit log records in each
    // entry; empty outside signetd.
    void set_node(std::string node) { node_ = std::move(node); }
    const std::string& node() const { return node_; }

    // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    std::int64_t changes() const;
    int schema_version() const;
    // Whether one connection serves every thread (SQLite), which its DatabaseMutex serialises.
    bool shares_one_connection() const { return pool_ == nullptr; }

private:
    friend class DatabaseMutex;
    struct Pool;
    Database(std::unique_ptr<Connection> connection, std::unique_ptr<Pool> pool);
    Status begin(Durability durability);
    Status commit();
    void rollback();
    // The calling thread's connection: its lease on PostgreSQL, else the first one.
    Result<Connection*> connection() const;
    void lease();
    void release();

    std::unique_ptr<Connection> connection_;  // SQLite's, or PostgreSQL's first
    std::unique_ptr<Pool> pool_;              // PostgreSQL's leases
    std::string node_;
};

// What threads sharing a Database hold around each use of it (std::lock_guard). Made without a
// Database, or for SQLite, it is a mutex; for PostgreSQL, it leases the holding thread one of
// the pool's connections and waits while all are leased.
class DatabaseMutex {
public:
    DatabaseMutex() = default;
    explicit DatabaseMutex(Database& db) : db_(db.shares_one_connection() ? nullptr : &db) {}
    DatabaseMutex(const DatabaseMutex&) = delete;
    DatabaseMutex& operator=(const DatabaseMutex&) = delete;

    void lock() {
        if (db_ != nullptr) return db_->lease();
        mutex_.lock();
    }
    void unlock() {
        if (db_ != nullptr) return db_->release();
        mutex_.unlock();
    }

private:
    Database* db_ = nullptr;
    std::mutex mutex_;
};

// A prepared statement. bind() takes 1-based positions; step() returns true while a row is
// available. Columns are 0-based.
class Statement {
public:
    Statement(Statement&&) noexcept;
    Statement& operator=(Statement&&) noexcept;
    ~Statement();

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
    explicit Statement(std::unique_ptr<Cursor> cursor);

    std::unique_ptr<Cursor> cursor_;
};

}  // namespace signet::store
