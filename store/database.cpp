#include "store/database.hpp"

#include <condition_variable>
#include <functional>
#include <map>
#include <thread>
#include <vector>

#include "store/connection.hpp"
#include "store/postgresql_connection.hpp"
#include "store/sqlite_connection.hpp"

namespace signet::store {

// PostgreSQL's connections for the threads that hold the DatabaseMutex: made when first needed,
// at most `capacity`, each leased to one thread at a time.
struct Database::Pool {
    struct Lease {
        Result<Connection*> connection;  // a connection that could not be made is leased as its error
        int depth = 1;
    };
    std::function<Result<std::unique_ptr<Connection>>()> connect;
    std::size_t capacity = 1;
    std::mutex mutex;
    std::condition_variable freed;
    std::size_t made = 0;  // connections made or being made
    std::vector<std::unique_ptr<Connection>> owned;
    std::vector<Connection*> idle;
    std::map<std::thread::id, Lease> leased;
};

Database::Database(std::unique_ptr<Connection> connection, std::unique_ptr<Pool> pool)
    : connection_(std::move(connection)), pool_(std::move(pool)) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

Result<Database> Database::open(const config::Store& store) {
    if (store.backend == config::Store::Backend::postgresql) {
        std::unique_ptr<Connection> connection;
        SIGNET_TRY(connection, open_postgresql(store.url, store.password_file));
        auto pool = std::make_unique<Pool>();
        pool->capacity = store.connections;
        pool->connect = [url = store.url, password_file = store.password_file] {
            return open_postgresql(url, password_file, /*migrate=*/false);
        };
        return Database(std::move(connection), std::move(pool));
    }
    return open(store.path);
}

Result<Database> Database::open(const std::filesystem::path& path) {
    std::unique_ptr<Connection> connection;
    SIGNET_TRY(connection, open_sqlite(path));
    return Database(std::move(connection), nullptr);
}

void Database::lease() {
    std::unique_lock lock(pool_->mutex);
    const auto me = std::this_thread::get_id();
    if (auto held = pool_->leased.find(me); held != pool_->leased.end()) {
        ++held->second.depth;
        return;
    }
    pool_->freed.wait(lock, [this] { return !pool_->idle.empty() || pool_->made < pool_->capacity; });
    if (!pool_->idle.empty()) {
        pool_->leased.emplace(me, Pool::Lease{pool_->idle.back()});
        pool_->idle.pop_back();
        return;
    }
    ++pool_->made;
    lock.unlock();  // connecting takes a few milliseconds; others may lease and release meanwhile
    auto made = pool_->connect();
    lock.lock();
    if (!made) {
        --pool_->made;
        pool_->leased.emplace(me, Pool::Lease{std::unexpected(made.error())});
        pool_->freed.notify_one();
        return;
    }
    Connection* connection = made->get();
    pool_->owned.push_back(std::move(*made));
    pool_->leased.emplace(me, Pool::Lease{connection});
}

void Database::release() {
    std::lock_guard lock(pool_->mutex);
    auto held = pool_->leased.find(std::this_thread::get_id());
    if (held == pool_->leased.end() || --held->second.depth > 0) return;
    if (held->second.connection) pool_->idle.push_back(*held->second.connection);
    pool_->leased.erase(held);
    pool_->freed.notify_one();
}

Result<Connection*> Database::connection() const {
    if (pool_ == nullptr) return connection_.get();
    std::lock_guard lock(pool_->mutex);
    auto held = pool_->leased.find(std::this_thread::get_id());
    if (held == pool_->leased.end()) return connection_.get();
    return held->second.connection;
}

Status Database::execute(std::string_view sql) {
    Connection* connection = nullptr;
    SIGNET_TRY(connection, this->connection());
    return connection->execute(sql);
}

Result<Statement> Database::prepare(std::string_view sql) {
    Connection* connection = nullptr;
    SIGNET_TRY(connection, this->connection());
    std::unique_ptr<Cursor> cursor;
    SIGNET_TRY(cursor, connection->prepare(sql));
    return Statement(std::move(cursor));
}

Status Database::begin(Durability durability) {
    Connection* connection = nullptr;
    SIGNET_TRY(connection, this->connection());
    return connection->begin(durability);
}

Status Database::commit() {
    Connection* connection = nullptr;
    SIGNET_TRY(connection, this->connection());
    return connection->commit();
}

void Database::rollback() {
    if (auto connection = this->connection()) (*connection)->rollback();
}

Status Database::probe_writable(std::chrono::milliseconds wait) {
    Connection* connection = nullptr;
    SIGNET_TRY(connection, this->connection());
    return connection->probe_writable(wait);
}

Status Database::probe_commit() {
    Connection* connection = nullptr;
    SIGNET_TRY(connection, this->connection());
    return connection->probe_commit();
}

std::int64_t Database::changes() const {
    auto connection = this->connection();
    return connection ? (*connection)->changes() : 0;
}

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
