#include "store/database.hpp"

#include "store/connection.hpp"
#include "store/postgresql_connection.hpp"
#include "store/sqlite_connection.hpp"

namespace signet::store {

Database::Database(std::unique_ptr<Connection> connection) : connection_(std::move(connection)) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

Result<Database> Database::open(const config::Store& store) {
    if (store.backend == config::Store::Backend::postgresql) {
        std::unique_ptr<Connection> connection;
        SIGNET_TRY(connection, open_postgresql(store.url, store.password_file));
        return Database(std::move(connection));
    }
    return open(store.path);
}

Result<Database> Database::open(const std::filesystem::path& path) {
    std::unique_ptr<Connection> connection;
    SIGNET_TRY(connection, open_sqlite(path));
    return Database(std::move(connection));
}

Status Database::execute(std::string_view sql) { return connection_->execute(sql); }

Result<Statement> Database::prepare(std::string_view sql) {
    std::unique_ptr<Cursor> cursor;
    SIGNET_TRY(cursor, connection_->prepare(sql));
    return Statement(std::move(cursor));
}

Status Database::begin(Durability durability) { return connection_->begin(durability); }
Status Database::commit() { return connection_->commit(); }
void Database::rollback() { connection_->rollback(); }

Status Database::probe_writable(std::chrono::milliseconds wait) { return connection_->probe_writable(wait); }
Status Database::probe_commit() { return connection_->probe_commit(); }
std::int64_t Database::changes() const { return connection_->changes(); }
int Database::schema_version() const { return connection_->schema_version(); }

Statement::Statement(std::unique_ptr<Cursor> cursor) : cursor_(std::move(cursor)) {}
Statement::Statement(Statement&&) noexcept = default;
Statement& Statement::operator=(Statement&&) noexcept = default;
Statement::~Statement() = default;

Statement& Statement::bind(int index, const Value& value) {
    cursor_->bind(index, value);
    return *this;
}

Statement& Statement::bind_all(std::span<const Value> values) {
    int index = 1;
    for (const auto& value : values) bind(index++, value);
    return *this;
}

Result<bool> Statement::step() { return cursor_->step(); }

Status Statement::run() {
    auto row = step();
    if (!row) return std::unexpected(row.error());
    return {};
}

std::int64_t Statement::column_int(int index) const { return cursor_->column_int(index); }
std::string Statement::column_text(int index) const { return cursor_->column_text(index); }
Blob Statement::column_blob(int index) const { return cursor_->column_blob(index); }
bool Statement::column_is_null(int index) const { return cursor_->column_is_null(index); }

}  // namespace signet::store
