#include "store/sqlite_connection.hpp"

#include <sqlite3.h>

#include <map>

#include "store/schema.hpp"

namespace signet::store {
namespace {

// How long a statement waits for another connection's write lock before failing.
constexpr std::chrono::milliseconds busy_wait{5000};

std::unexpected<Error> sqlite_failure(sqlite3* db, std::string_view what) {
    int code = db != nullptr ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
    std::string message = std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : "");
    // A database that is full, read-only, locked or gone is an unavailable service, not a bug.
    switch (code & 0xFF) {
        case SQLITE_FULL:
        case SQLITE_READONLY:
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
        case SQLITE_PERM:
            return fail(Errc::unavailable, message);
        case SQLITE_CONSTRAINT:
            return fail(Errc::conflict, message);
        default:
            return fail(Errc::internal, message);
    }
}

Status run(Cursor& cursor) {
    auto row = cursor.step();
    if (!row) return std::unexpected(row.error());
    return {};
}

struct CachedStatement {
    sqlite3_stmt* statement = nullptr;
    bool in_use = false;
};

struct StatementCache {
    static constexpr std::size_t capacity = 256;
    // std::map: its nodes stay where they are, so cursors may point at them.
    std::map<std::string, CachedStatement, std::less<>> statements;
    StatementCache() = default;
    StatementCache(const StatementCache&) = delete;
    StatementCache& operator=(const StatementCache&) = delete;
    ~StatementCache() {
        for (auto& [sql, cached] : statements) sqlite3_finalize(cached.statement);
    }
};

class SqliteCursor final : public Cursor {
public:
    SqliteCursor(sqlite3* db, sqlite3_stmt* statement, CachedStatement* cached)
        : db_(db), statement_(statement), cached_(cached) {}
    SqliteCursor(const SqliteCursor&) = delete;
    SqliteCursor& operator=(const SqliteCursor&) = delete;
    // Finalises a statement of its own; gives a cached one back to its cache, reset.
    ~SqliteCursor() override {
        if (cached_ == nullptr) {
            sqlite3_finalize(statement_);
            return;
        }
        sqlite3_reset(statement_);
        sqlite3_clear_bindings(statement_);
        cached_->in_use = false;
    }

    void bind(int index, const Value& value) override {
        if (!bind_status_) return;
        sqlite3_stmt* s = statement_;
        int rc = std::visit(
            [s, index](const auto& v) -> int {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::nullptr_t>) {
                    return sqlite3_bind_null(s, index);
                } else if constexpr (std::is_same_v<T, std::int64_t>) {
                    return sqlite3_bind_int64(s, index, v);
                } else if constexpr (std::is_same_v<T, std::string>) {
                    return sqlite3_bind_text64(s, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
                } else {
                    return sqlite3_bind_blob64(s, index, v.data(), v.size(), SQLITE_TRANSIENT);
                }
            },
            value);
        if (rc != SQLITE_OK) bind_status_ = sqlite_failure(db_, "binding parameter " + std::to_string(index));
    }

    Result<bool> step() override {
        if (!bind_status_) return std::unexpected(bind_status_.error());
        int rc = sqlite3_step(statement_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        return sqlite_failure(db_, "running a statement");
    }

    std::int64_t column_int(int index) const override { return sqlite3_column_int64(statement_, index); }

    std::string column_text(int index) const override {
        const unsigned char* text = sqlite3_column_text(statement_, index);
        int size = sqlite3_column_bytes(statement_, index);
        return text != nullptr
                   ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size))
                   : std::string();
    }

    Blob column_blob(int index) const override {
        const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement_, index));
        int size = sqlite3_column_bytes(statement_, index);
        return data != nullptr ? Blob(data, data + size) : Blob();
    }

    bool column_is_null(int index) const override { return sqlite3_column_type(statement_, index) == SQLITE_NULL; }

private:
    sqlite3* db_;
    sqlite3_stmt* statement_;
    CachedStatement* cached_;
    Status bind_status_;  // the first bind failure, reported by step()
};

class SqliteConnection final : public Connection {
public:
    explicit SqliteConnection(sqlite3* db) : db_(db) {}

    Status configure(const std::filesystem::path& path) {
        sqlite3_extended_result_codes(db_.get(), 1);
        sqlite3_busy_timeout(db_.get(), static_cast<int>(busy_wait.count()));
        for (const char* pragma :
             {"PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = FULL"}) {
            // journal_mode returns a row; step it through a statement.
            auto statement = prepare(pragma);
            if (!statement) return std::unexpected(statement.error().with_context(path.string()));
            if (auto row = (*statement)->step(); !row) return std::unexpected(row.error().with_context(path.string()));
        }
        if (auto migrated = migrate(); !migrated) return std::unexpected(migrated.error().with_context(path.string()));
        return {};
    }

    Status execute(std::string_view sql) override {
        std::string text(sql);
        char* message = nullptr;
        int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message);
        sqlite3_free(message);  // the same text is available from sqlite3_errmsg
        if (rc != SQLITE_OK) return sqlite_failure(db_.get(), "running SQL");
        return {};
    }

    Result<std::unique_ptr<Cursor>> prepare(std::string_view sql) override {
        auto found = statements_.statements.find(sql);
        if (found != statements_.statements.end() && !found->second.in_use) {
            found->second.in_use = true;
            return std::make_unique<SqliteCursor>(db_.get(), found->second.statement, &found->second);
        }
        const bool keep =
            found == statements_.statements.end() && statements_.statements.size() < StatementCache::capacity;
        sqlite3_stmt* statement = nullptr;
        int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                    keep ? SQLITE_PREPARE_PERSISTENT : 0, &statement, nullptr);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(statement);
            return sqlite_failure(db_.get(), "preparing SQL");
        }
        if (!keep) return std::make_unique<SqliteCursor>(db_.get(), statement, nullptr);
        auto slot = statements_.statements.emplace(std::string(sql), CachedStatement{statement, true}).first;
        return std::make_unique<SqliteCursor>(db_.get(), statement, &slot->second);
    }

    Status begin(Durability durability) override {
        relaxed_ = durability == Durability::deferred;
        if (relaxed_) {
            if (auto relaxed = execute("PRAGMA synchronous = NORMAL"); !relaxed) return relaxed;
        }
        Status begun = execute("BEGIN IMMEDIATE");
        if (!begun) restore_durability();
        return begun;
    }

    Status commit() override {
        Status committed = execute("COMMIT");
        if (!committed) (void)execute("ROLLBACK");
        // The connection's default is back before anything else commits on it.
        if (auto restored = restore_durability(); !restored && committed) return restored;
        return committed;
    }

    void rollback() override {
        (void)execute("ROLLBACK");
        (void)restore_durability();
    }

    Status probe_writable(std::chrono::milliseconds wait) override {
        sqlite3_busy_timeout(db_.get(), static_cast<int>(wait.count()));
        // BEGIN IMMEDIATE takes the write lock, as the first write of a transaction would.
        Status probed = execute("BEGIN IMMEDIATE");
        if (probed) (void)execute("ROLLBACK");
        sqlite3_busy_timeout(db_.get(), static_cast<int>(busy_wait.count()));
        return probed;
    }

    Status probe_commit() override {
        SIGNET_CHECK(begin(Durability::synced));
        Status written = write_probe();
        if (!written) {
            rollback();
            return written;
        }
        return commit();
    }

    std::int64_t changes() const override { return sqlite3_changes64(db_.get()); }
    int schema_version() const override { return schema_version_; }

private:
    struct Closer {
        void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
    };

    Status restore_durability() {
        if (!relaxed_) return {};
        relaxed_ = false;
        return execute("PRAGMA synchronous = FULL");
    }

    Status write_probe() {
        auto statement = prepare(
            "INSERT INTO write_probe (id, at) VALUES (1, strftime('%s', 'now')) "
            "ON CONFLICT (id) DO UPDATE SET at = excluded.at");
        if (!statement) return std::unexpected(statement.error());
        return run((**statement));
    }

    Result<int> read_version() {
        // Finalised before the migrations run: an open statement makes DROP TABLE fail.
        auto current = prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        if (!current) return std::unexpected(current.error());
        if (auto row = (*current)->step(); !row) return std::unexpected(row.error());
        return static_cast<int>((*current)->column_int(0));
    }

    Status migrate() {
        SIGNET_CHECK(execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT "
            "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"));
        SIGNET_TRY(schema_version_, read_version());
        auto all = sqlite_migrations();
        SIGNET_CHECK(refuse_newer_schema(schema_version_, all.size()));
        for (auto version = static_cast<std::size_t>(schema_version_); version < all.size(); ++version) {
            // A migration that rebuilds a table drops it, which foreign keys referring to it
            // forbid; SQLite's procedure: foreign keys off outside the transaction, checked
            // before commit.
            const bool rebuilds = all[version].starts_with("-- rebuilds tables");
            if (rebuilds) SIGNET_CHECK(execute("PRAGMA foreign_keys = OFF"));
            SIGNET_CHECK(begin(Durability::synced));
            Status applied = apply(all[version], version + 1, rebuilds);
            if (applied) {
                applied = commit();
            } else {
                rollback();
            }
            if (rebuilds) SIGNET_CHECK(execute("PRAGMA foreign_keys = ON"));
            if (!applied) return std::unexpected(applied.error().with_context("migration " + std::to_string(version + 1)));
            schema_version_ = static_cast<int>(version + 1);
        }
        return {};
    }

    Status apply(std::string_view sql, std::size_t version, bool rebuilds) {
        SIGNET_CHECK(execute(sql));
        if (rebuilds) {
            auto check = prepare("PRAGMA foreign_key_check");
            if (!check) return std::unexpected(check.error());
            auto row = (*check)->step();
            if (!row) return std::unexpected(row.error());
            if (*row) return fail(Errc::internal, "the rebuilt tables break a foreign key");
        }
        auto record = prepare("INSERT INTO schema_migrations (version) VALUES (?)");
        if (!record) return std::unexpected(record.error());
        (*record)->bind(1, static_cast<std::int64_t>(version));
        return run(**record);
    }

    std::unique_ptr<sqlite3, Closer> db_;
    // After db_: destroyed first, so that its statements are finalised before the close.
    StatementCache statements_;
    int schema_version_ = 0;
    bool relaxed_ = false;  // a deferred-durability transaction is open
};

}  // namespace

Result<std::unique_ptr<Connection>> open_sqlite(const std::filesystem::path& path) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    auto connection = std::make_unique<SqliteConnection>(raw);  // owns the handle even when opening failed
    if (rc != SQLITE_OK) return sqlite_failure(raw, "opening the database " + path.string());
    SIGNET_CHECK(connection->configure(path));
    return connection;
}

}  // namespace signet::store
