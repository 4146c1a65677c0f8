#include "store/database.hpp"

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

}  // namespace

struct CachedStatement {
    sqlite3_stmt* statement = nullptr;
    bool in_use = false;
};

struct StatementCache {
    static constexpr std::size_t capacity = 256;
    // std::map: its nodes stay where they are, so Statements may point at them.
    std::map<std::string, CachedStatement, std::less<>> statements;
    ~StatementCache() {
        for (auto& [sql, cached] : statements) sqlite3_finalize(cached.statement);
    }
};

void Database::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

void Statement::Finalizer::operator()(sqlite3_stmt* statement) const {
    if (cached == nullptr) {
        sqlite3_finalize(statement);
        return;
    }
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    cached->in_use = false;
}

Database::Database(sqlite3* db) : db_(db), statements_(std::make_unique<StatementCache>()) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

Result<Database> Database::open(const std::filesystem::path& path) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    Database database(raw);  // owns the handle even when opening failed
    if (rc != SQLITE_OK) {
        return sqlite_failure(raw, "opening the database " + path.string());
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, static_cast<int>(busy_wait.count()));
    for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON",
                               "PRAGMA synchronous = FULL"}) {
        // journal_mode returns a row; step it through a statement.
        auto statement = database.prepare(pragma);
        if (!statement) return std::unexpected(statement.error().with_context(path.string()));
        if (auto row = statement->step(); !row) {
            return std::unexpected(row.error().with_context(path.string()));
        }
    }
    if (auto migrated = database.migrate(); !migrated) {
        return std::unexpected(migrated.error().with_context(path.string()));
    }
    return database;
}

Status Database::probe_writable(std::chrono::milliseconds wait) {
    sqlite3_busy_timeout(db_.get(), static_cast<int>(wait.count()));
    // BEGIN IMMEDIATE takes the write lock, as the first write of a transaction would.
    Status probed = execute("BEGIN IMMEDIATE");
    if (probed) (void)execute("ROLLBACK");
    sqlite3_busy_timeout(db_.get(), static_cast<int>(busy_wait.count()));
    return probed;
}

Status Database::probe_commit() {
    return transaction([this]() -> Status {
        return execute("INSERT OR REPLACE INTO write_probe (id, at) VALUES (1, strftime('%s', 'now'))");
    });
}

Status Database::migrate() {
    if (auto made = execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT "
            "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))");
        !made) {
        return made;
    }
    {
        // Finalised before the migrations run: an open statement makes DROP TABLE fail.
        auto current = prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        if (!current) return std::unexpected(current.error());
        if (auto row = current->step(); !row) return std::unexpected(row.error());
        schema_version_ = static_cast<int>(current->column_int(0));
    }

    auto all = migrations();
    if (schema_version_ > static_cast<int>(all.size())) {
        return fail(Errc::unavailable, "the database has schema version " +
                                           std::to_string(schema_version_) +
                                           ", newer than this signet (" +
                                           std::to_string(all.size()) + ")");
    }
    for (auto version = static_cast<std::size_t>(schema_version_); version < all.size(); ++version) {
        // A migration that rebuilds a table drops it, which foreign keys referring to it forbid;
        // SQLite's procedure: foreign keys off outside the transaction, checked before commit.
        const bool rebuilds = all[version].starts_with("-- rebuilds tables");
        if (rebuilds) SIGNET_CHECK(execute("PRAGMA foreign_keys = OFF"));
        auto applied = transaction([&]() -> Status {
            if (auto done = execute(all[version]); !done) return done;
            if (rebuilds) {
                auto check = prepare("PRAGMA foreign_key_check");
                if (!check) return std::unexpected(check.error());
                auto row = check->step();
                if (!row) return std::unexpected(row.error());
                if (*row) return fail(Errc::internal, "the rebuilt tables break a foreign key");
            }
            auto record = prepare("INSERT INTO schema_migrations (version) VALUES (?)");
            if (!record) return std::unexpected(record.error());
            return record->bind(1, static_cast<std::int64_t>(version + 1)).run();
        });
        if (rebuilds) SIGNET_CHECK(execute("PRAGMA foreign_keys = ON"));
        if (!applied) {
            return std::unexpected(
                applied.error().with_context("migration " + std::to_string(version + 1)));
        }
        schema_version_ = static_cast<int>(version + 1);
    }
    return {};
}

std::int64_t Database::changes() const { return sqlite3_changes64(db_.get()); }

Status Database::execute(std::string_view sql) {
    std::string text(sql);
    char* message = nullptr;
    int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message);
    sqlite3_free(message);  // the same text is available from sqlite3_errmsg
    if (rc != SQLITE_OK) return sqlite_failure(db_.get(), "running SQL");
    return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
    auto found = statements_->statements.find(sql);
    if (found != statements_->statements.end() && !found->second.in_use) {
        found->second.in_use = true;
        return Statement(db_.get(), found->second.statement, &found->second);
    }
    const bool keep = found == statements_->statements.end() && statements_->statements.size() < StatementCache::capacity;
    sqlite3_stmt* statement = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                keep ? SQLITE_PREPARE_PERSISTENT : 0, &statement, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(statement);
        return sqlite_failure(db_.get(), "preparing SQL");
    }
    if (!keep) return Statement(db_.get(), statement);
    auto slot = statements_->statements.emplace(std::string(sql), CachedStatement{statement, true}).first;
    return Statement(db_.get(), statement, &slot->second);
}

Statement& Statement::bind(int index, const Value& value) {
    if (!bind_status_) return *this;
    sqlite3_stmt* s = statement_.get();
    int rc = std::visit(
        [s, index](const auto& v) -> int {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) {
                return sqlite3_bind_null(s, index);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                return sqlite3_bind_int64(s, index, v);
            } else if constexpr (std::is_same_v<T, std::string>) {
                return sqlite3_bind_text64(s, index, v.data(), v.size(), SQLITE_TRANSIENT,
                                           SQLITE_UTF8);
            } else {
                return sqlite3_bind_blob64(s, index, v.data(), v.size(), SQLITE_TRANSIENT);
            }
        },
        value);
    if (rc != SQLITE_OK) bind_status_ = sqlite_failure(db_, "binding parameter " + std::to_string(index));
    return *this;
}

Statement& Statement::bind_all(std::span<const Value> values) {
    int index = 1;
    for (const auto& value : values) bind(index++, value);
    return *this;
}

Result<bool> Statement::step() {
    if (!bind_status_) return std::unexpected(bind_status_.error());
    int rc = sqlite3_step(statement_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_failure(db_, "running a statement");
}

Status Statement::run() {
    auto row = step();
    if (!row) return std::unexpected(row.error());
    return {};
}

std::int64_t Statement::column_int(int index) const {
    return sqlite3_column_int64(statement_.get(), index);
}

std::string Statement::column_text(int index) const {
    const unsigned char* text = sqlite3_column_text(statement_.get(), index);
    int size = sqlite3_column_bytes(statement_.get(), index);
    return text != nullptr ? std::string(reinterpret_cast<const char*>(text),
                                         static_cast<std::size_t>(size))
                           : std::string();
}

Blob Statement::column_blob(int index) const {
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement_.get(), index));
    int size = sqlite3_column_bytes(statement_.get(), index);
    return data != nullptr ? Blob(data, data + size) : Blob();
}

bool Statement::column_is_null(int index) const {
    return sqlite3_column_type(statement_.get(), index) == SQLITE_NULL;
}

}  // namespace signet::store
