#include "store/postgresql_connection.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <map>
#include <optional>
#include <vector>

#include "base/secret.hpp"
#include "base/secret_file.hpp"
#include "store/schema.hpp"

namespace signet::store {
namespace {

// The store's write lock: pg_advisory_xact_lock's key, "signet" in ASCII.
constexpr std::string_view take_write_lock = "SELECT pg_advisory_xact_lock(126943972601204)";
// How long a transaction waits for the write lock before it fails as unavailable (SQLite's busy
// timeout is the same).
constexpr std::chrono::milliseconds lock_wait{5000};
constexpr Oid bool_type = 16;
constexpr Oid bytea_type = 17;
// Statements kept prepared per connection; any more are prepared for each use.
constexpr std::size_t statement_capacity = 256;

struct ResultClear {
    void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultClear>;

struct ConnectionClose {
    void operator()(PGconn* connection) const { PQfinish(connection); }
};

std::string trimmed(const char* text) {
    std::string out = text != nullptr ? text : "";
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

// Which failures are the database being unavailable (the request may be tried again) and which
// are a conflict with the data; SQLSTATEs from PostgreSQL's appendix A. A lost connection often
// has no SQLSTATE at all, so PQstatus decides first.
std::unexpected<Error> pg_failure(PGconn* connection, const PGresult* result, std::string_view what) {
    std::string message = trimmed(result != nullptr ? PQresultErrorMessage(result) : "");
    if (message.empty()) message = trimmed(PQerrorMessage(connection));
    message = std::string(what) + ": " + message;
    if (PQstatus(connection) == CONNECTION_BAD) return fail(Errc::unavailable, message);
    const char* field = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const std::string_view state = field != nullptr ? field : "";
    if (state.starts_with("23")) return fail(Errc::conflict, message);
    for (std::string_view unavailable : {"08", "53", "57", "40", "25006", "55P03", "26000", "58"}) {
        if (state.starts_with(unavailable)) return fail(Errc::unavailable, message);
    }
    return fail(Errc::internal, message);
}

class PostgresConnection;

class PostgresCursor final : public Cursor {
public:
    PostgresCursor(PostgresConnection& connection, std::string name, int parameters)
        : connection_(connection), name_(std::move(name)), values_(static_cast<std::size_t>(parameters)),
          formats_(values_.size(), 0) {}

    void bind(int index, const Value& value) override {
        if (!bind_status_) return;
        if (index < 1 || static_cast<std::size_t>(index) > values_.size()) {
            bind_status_ = fail(Errc::internal, "binding parameter " + std::to_string(index) + " of a statement with " +
                                                    std::to_string(values_.size()));
            return;
        }
        auto& slot = values_[static_cast<std::size_t>(index - 1)];
        auto& format = formats_[static_cast<std::size_t>(index - 1)];
        std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                format = 0;
                if constexpr (std::is_same_v<T, std::nullptr_t>) {
                    slot.reset();
                } else if constexpr (std::is_same_v<T, std::int64_t>) {
                    slot = std::to_string(v);
                } else if constexpr (std::is_same_v<T, std::string>) {
                    slot = v;
                } else {
                    slot = std::string(v.begin(), v.end());
                    format = 1;  // bytes as they are, no escaping
                }
            },
            value);
    }

    Result<bool> step() override;

    std::int64_t column_int(int index) const override {
        if (PQftype(result_.get(), index) == bool_type) return *value(index) == 't' ? 1 : 0;
        std::int64_t out = 0;
        const char* text = value(index);
        std::from_chars(text, text + length(index), out);
        return out;
    }

    std::string column_text(int index) const override {
        if (PQftype(result_.get(), index) == bytea_type) {
            Blob bytes = column_blob(index);
            return std::string(bytes.begin(), bytes.end());
        }
        return std::string(value(index), static_cast<std::size_t>(length(index)));
    }

    Blob column_blob(int index) const override {
        const auto* text = reinterpret_cast<const unsigned char*>(value(index));
        if (PQftype(result_.get(), index) != bytea_type) return Blob(text, text + length(index));
        std::size_t size = 0;
        unsigned char* bytes = PQunescapeBytea(text, &size);
        if (bytes == nullptr) return {};
        Blob out(bytes, bytes + size);
        PQfreemem(bytes);
        return out;
    }

    bool column_is_null(int index) const override { return PQgetisnull(result_.get(), row_, index) != 0; }

private:
    const char* value(int index) const { return PQgetvalue(result_.get(), row_, index); }
    int length(int index) const { return PQgetlength(result_.get(), row_, index); }

    PostgresConnection& connection_;
    std::string name_;
    std::vector<std::optional<std::string>> values_;
    std::vector<int> formats_;
    Status bind_status_;
    PgResult result_;
    int row_ = -1;
};

class PostgresConnection final : public Connection {
public:
    explicit PostgresConnection(PGconn* connection) : connection_(connection) {}

    PGconn* handle() const { return connection_.get(); }
    void count_changes(PGresult* result) {
        const char* tuples = PQcmdTuples(result);
        std::int64_t count = 0;
        std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), count);
        changes_ = count;
    }

    Status execute(std::string_view sql) override {
        SIGNET_CHECK(usable());
        const std::string text(sql);
        PgResult result(PQexec(connection_.get(), text.c_str()));
        return check(result.get(), "running SQL");
    }

    Result<std::unique_ptr<Cursor>> prepare(std::string_view sql) override {
        SIGNET_CHECK(usable());
        auto found = statements_.find(sql);
        if (found == statements_.end()) {
            auto [text, parameters] = numbered_placeholders(sql);
            const bool keep = statements_.size() < statement_capacity;
            std::string name = keep ? "s" + std::to_string(statements_.size() + 1) : std::string();
            PgResult prepared(PQprepare(connection_.get(), name.c_str(), text.c_str(), parameters, nullptr));
            SIGNET_CHECK(check(prepared.get(), "preparing SQL"));
            if (!keep) return std::make_unique<PostgresCursor>(*this, std::move(name), parameters);
            found = statements_.emplace(std::string(sql), Prepared{std::move(name), parameters}).first;
        }
        return std::make_unique<PostgresCursor>(*this, found->second.name, found->second.parameters);
    }

    // One round trip: BEGIN, the settings of this transaction and the write lock.
    Status begin(Durability durability) override {
        SIGNET_CHECK(usable());
        std::string sql = "BEGIN; SET LOCAL lock_timeout = " + std::to_string(lock_wait.count()) + "; ";
        if (durability == Durability::deferred) sql += "SET LOCAL synchronous_commit = off; ";
        in_transaction_ = true;
        Status begun = execute(sql + std::string(take_write_lock));
        if (!begun) rollback();
        return begun;
    }

    Status commit() override {
        PgResult result(PQexec(connection_.get(), "COMMIT"));
        in_transaction_ = false;
        SIGNET_CHECK(check(result.get(), "committing"));
        // COMMIT of a transaction a failed statement aborted answers ROLLBACK, not an error.
        if (std::string_view(PQcmdStatus(result.get())) != "COMMIT") {
            return fail(Errc::internal, "committing: the transaction had failed and was rolled back");
        }
        return {};
    }

    void rollback() override {
        PgResult result(PQexec(connection_.get(), "ROLLBACK"));
        in_transaction_ = false;
    }

    Status probe_writable(std::chrono::milliseconds wait) override {
        SIGNET_CHECK(usable());
        in_transaction_ = true;
        // A hot standby answers reads and refuses every write: transaction_read_only says so.
        const std::string sql = "BEGIN; SET LOCAL lock_timeout = " + std::to_string(wait.count()) + "; " +
                                std::string(take_write_lock) + "; SHOW transaction_read_only";
        PgResult result(PQexec(connection_.get(), sql.c_str()));
        Status probed = check(result.get(), "probing the write lock");
        if (probed && std::string_view(PQgetvalue(result.get(), 0, 0)) == "on") {
            probed = fail(Errc::unavailable, "the PostgreSQL server is read-only (a standby?)");
        }
        rollback();
        return probed;
    }

    Status probe_commit() override {
        SIGNET_CHECK(begin(Durability::synced));
        Status written = execute(
            "INSERT INTO write_probe (id, at) VALUES (1, extract(epoch FROM now())::bigint) "
            "ON CONFLICT (id) DO UPDATE SET at = excluded.at");
        if (!written) {
            rollback();
            return written;
        }
        return commit();
    }

    std::int64_t changes() const override { return changes_; }
    int schema_version() const override { return schema_version_; }

    Status migrate();

    Status check(const PGresult* result, std::string_view what) {
        const auto status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return {};
        return pg_failure(connection_.get(), result, what);
    }

private:
    struct Prepared {
        std::string name;
        int parameters;
    };

    // A lost connection is made again between transactions, never inside one: the statements
    // after it would run outside the transaction they belong to.
    Status usable() {
        if (PQstatus(connection_.get()) == CONNECTION_OK) return {};
        if (in_transaction_) return fail(Errc::unavailable, "the connection to PostgreSQL was lost in a transaction");
        PQreset(connection_.get());
        statements_.clear();  // a new session has none of them
        if (PQstatus(connection_.get()) != CONNECTION_OK) {
            return fail(Errc::unavailable, "reconnecting to PostgreSQL: " + trimmed(PQerrorMessage(connection_.get())));
        }
        return {};
    }

    Status apply_migrations();

    std::unique_ptr<PGconn, ConnectionClose> connection_;
    std::map<std::string, Prepared, std::less<>> statements_;
    std::int64_t changes_ = 0;
    int schema_version_ = 0;
    bool in_transaction_ = false;
};

Result<bool> PostgresCursor::step() {
    if (!bind_status_) return std::unexpected(bind_status_.error());
    if (row_ < 0 && result_ == nullptr) {
        std::vector<const char*> values;
        std::vector<int> lengths;
        for (const auto& value : values_) {
            values.push_back(value ? value->data() : nullptr);
            lengths.push_back(value ? static_cast<int>(value->size()) : 0);
        }
        PgResult result(PQexecPrepared(connection_.handle(), name_.c_str(), static_cast<int>(values.size()),
                                       values.data(), lengths.data(), formats_.data(), 0));
        SIGNET_CHECK(connection_.check(result.get(), "running a statement"));
        connection_.count_changes(result.get());
        result_ = std::move(result);
    }
    ++row_;
    return row_ < PQntuples(result_.get());
}

// Under the write lock, in one transaction (PostgreSQL's DDL is transactional): two nodes
// starting at once migrate once, and a failed migration leaves nothing behind.
Status PostgresConnection::migrate() {
    // Up to date, the usual case: no write lock, so that a connection opens while another
    // holds it.
    const int newest = postgresql_baseline_version + static_cast<int>(postgresql_migrations().size());
    PgResult current(PQexec(connection_.get(), "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    if (PQresultStatus(current.get()) == PGRES_TUPLES_OK && std::atoi(PQgetvalue(current.get(), 0, 0)) >= newest) {
        schema_version_ = std::atoi(PQgetvalue(current.get(), 0, 0));
        return refuse_newer_schema(schema_version_, static_cast<std::size_t>(newest));
    }
    SIGNET_CHECK(begin(Durability::synced));
    Status migrated = apply_migrations();
    if (!migrated) {
        rollback();
        return migrated;
    }
    return commit();
}

Status PostgresConnection::apply_migrations() {
    SIGNET_CHECK(execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, applied_at text NOT NULL "
        "DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"));
    PgResult current(PQexec(connection_.get(), "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    SIGNET_CHECK(check(current.get(), "reading the schema version"));
    schema_version_ = std::atoi(PQgetvalue(current.get(), 0, 0));
    const auto later = postgresql_migrations();
    SIGNET_CHECK(refuse_newer_schema(schema_version_, postgresql_baseline_version + later.size()));
    auto record = [this](int version) {
        return execute("INSERT INTO schema_migrations (version) VALUES (" + std::to_string(version) + ")");
    };
    if (schema_version_ == 0) {
        SIGNET_CHECK(execute(postgresql_baseline()));
        SIGNET_CHECK(record(postgresql_baseline_version));
        schema_version_ = postgresql_baseline_version;
    }
    if (schema_version_ < postgresql_baseline_version) {
        return fail(Errc::unavailable, "the database has schema version " + std::to_string(schema_version_) +
                                           ", which no signet on PostgreSQL made");
    }
    for (auto version = schema_version_ + 1; version <= postgresql_baseline_version + static_cast<int>(later.size());
         ++version) {
        const auto sql = later[static_cast<std::size_t>(version - postgresql_baseline_version - 1)];
        if (auto done = execute(sql); !done) {
            return std::unexpected(done.error().with_context("migration " + std::to_string(version)));
        }
        SIGNET_CHECK(record(version));
        schema_version_ = version;
    }
    return {};
}

}  // namespace

std::pair<std::string, int> numbered_placeholders(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 16);
    int count = 0;
    char quote = 0;  // inside '...' or "..." when set
    for (char c : sql) {
        if (quote != 0) {
            if (c == quote) quote = 0;
            out += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            out += c;
        } else if (c == '?') {
            out += '$' + std::to_string(++count);
        } else {
            out += c;
        }
    }
    return {out, count};
}

Result<std::unique_ptr<Connection>> open_postgresql(const std::string& url, const std::filesystem::path& password_file,
                                                    bool migrate) {
    Secret password;
    SIGNET_TRY(password, read_secret_file(password_file));
    // reveal() views the Secret's own std::string, so its data() ends with a NUL; the Secret
    // wipes it when it goes.
    // The server's notices ("relation already exists, skipping") are not for signetd's log.
    const char* keys[] = {"dbname", "password", "application_name", "connect_timeout", "client_encoding", "options",
                          nullptr};
    const char* values[] = {url.c_str(), password.reveal().data(), "signetd", "10", "UTF8",
                            "-c client_min_messages=warning", nullptr};
    std::unique_ptr<PGconn, ConnectionClose> raw(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
    if (raw == nullptr) return fail(Errc::unavailable, "connecting to PostgreSQL: out of memory");
    if (PQstatus(raw.get()) != CONNECTION_OK) {
        return fail(Errc::unavailable, "connecting to PostgreSQL at " + url + ": " + trimmed(PQerrorMessage(raw.get())));
    }
    auto connection = std::make_unique<PostgresConnection>(raw.release());
    if (!migrate) return connection;
    if (auto migrated = connection->migrate(); !migrated) {
        return std::unexpected(migrated.error().with_context("PostgreSQL at " + url));
    }
    return connection;
}

}  // namespace signet::store
