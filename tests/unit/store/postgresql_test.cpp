// The PostgreSQL backend against a real PostgreSQL 15 (tests/support/store/postgres_cluster.hpp):
// the same statements as SQLite, migrations under the write lock, one writer at a time across
// connections (what several nodes are), the append-only audit tables and lost connections.
#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "store/database.hpp"
#include "store/postgresql_connection.hpp"
#include "store/schema.hpp"
#include "tests/support/need.hpp"
#include "tests/support/store/postgres_cluster.hpp"

namespace {

using signet::Errc;
using signet::store::Database;

// One cluster for the suite: starting one takes a second or two.
signet::test::PostgresCluster& cluster() {
    static signet::test::PostgresCluster instance;
    return instance;
}

std::string scalar_text(Database& db, std::string_view sql) {
    auto statement = db.prepare(sql);
    BOOST_REQUIRE_MESSAGE(statement, signet::test::error_of(statement));
    auto row = statement->step();
    BOOST_REQUIRE_MESSAGE(row && *row, std::string(sql));
    return statement->column_text(0);
}

Database fresh(std::string_view name) {
    auto db = Database::open(cluster().create_database(name));
    BOOST_REQUIRE_MESSAGE(db, signet::test::error_of(db));
    return std::move(*db);
}

int code(const signet::Error& error) { return static_cast<int>(error.code); }

}  // namespace

BOOST_AUTO_TEST_SUITE(postgresql)

BOOST_AUTO_TEST_CASE(both_backends_reach_the_same_version) {
    BOOST_TEST(signet::store::postgresql_baseline_version + signet::store::postgresql_migrations().size() ==
               signet::store::sqlite_migrations().size());
    auto db = fresh("baseline");
    BOOST_TEST(db.schema_version() == static_cast<int>(signet::store::sqlite_migrations().size()));
    // Every table of SQLite's schema is there.
    for (const char* table : {"keys", "tenants", "members", "delegations", "audit_log", "audit_checkpoints", "approvals",
                              "persons", "revocation_evidence", "idempotency", "write_probe", "tenant_logos", "guests",
                              "idempotency_running"}) {
        BOOST_TEST(scalar_text(db, "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '" +
                                       std::string(table) + "'") == "1",
                   table);
    }
}

BOOST_AUTO_TEST_CASE(nodes_starting_together_migrate_once) {
    const auto store = cluster().create_database("together");
    std::vector<std::thread> nodes;
    std::atomic<int> opened = 0;
    for (int i = 0; i < 4; ++i) {
        nodes.emplace_back([&] {
            if (Database::open(store)) ++opened;
        });
    }
    for (auto& node : nodes) node.join();
    BOOST_TEST(opened == 4);
    auto db = Database::open(store);
    BOOST_REQUIRE(db);
    // The baseline (version 10) and each later migration, once.
    BOOST_TEST(scalar_text(*db, "SELECT COUNT(*) FROM schema_migrations") ==
               std::to_string(1 + signet::store::postgresql_migrations().size()));
    BOOST_TEST(scalar_text(*db, "SELECT COUNT(*) FROM keys") == "0");
}

BOOST_AUTO_TEST_CASE(bind_step_and_read_back_every_type) {
    auto db = fresh("types");
    BOOST_REQUIRE(db.execute("CREATE TABLE t (i bigint, s text, b bytea, n text)"));
    auto insert = db.prepare("INSERT INTO t VALUES (?, ?, ?, ?)");
    BOOST_REQUIRE(insert);
    std::vector<signet::store::Value> values = {std::int64_t{-4200000000000}, std::string("é ? 'x'"),
                                                signet::store::Blob{0, 1, 92, 255}, nullptr};
    BOOST_REQUIRE_MESSAGE(insert->bind_all(values).run(), "insert");
    BOOST_TEST(db.changes() == 1);
    auto select = db.prepare("SELECT i, s, b, n, i < 0, COALESCE(n, ''), COALESCE(b, '') FROM t WHERE s = ?");
    BOOST_REQUIRE(select);
    select->bind(1, std::string("é ? 'x'"));
    auto row = select->step();
    BOOST_REQUIRE(row && *row);
    BOOST_TEST(select->column_int(0) == -4200000000000);
    BOOST_TEST(select->column_text(1) == "é ? 'x'");
    BOOST_TEST((select->column_blob(2) == signet::store::Blob{0, 1, 92, 255}));
    BOOST_TEST(select->column_is_null(3));
    BOOST_TEST(select->column_int(4) == 1);  // a boolean reads as 1 or 0, as in SQLite
    BOOST_TEST(select->column_text(5).empty());
    BOOST_TEST((select->column_blob(6) == signet::store::Blob{0, 1, 92, 255}));
    auto end = select->step();
    BOOST_REQUIRE(end);
    BOOST_TEST(!*end);
}

BOOST_AUTO_TEST_CASE(placeholders_are_numbered_outside_quotes) {
    auto [text, count] = signet::store::numbered_placeholders("SELECT '?', ? FROM \"a?\" WHERE x = ? AND y = 'it''s?'");
    BOOST_TEST(text == "SELECT '?', $1 FROM \"a?\" WHERE x = $2 AND y = 'it''s?'");
    BOOST_TEST(count == 2);
}

BOOST_AUTO_TEST_CASE(failed_transaction_rolls_back_and_conflicts_are_conflicts) {
    auto db = fresh("rollback");
    BOOST_REQUIRE(db.execute("CREATE TABLE t (i bigint PRIMARY KEY)"));
    auto result = db.transaction([&]() -> signet::Status {
        if (auto ok = db.execute("INSERT INTO t VALUES (1)"); !ok) return ok;
        return db.execute("INSERT INTO t VALUES (1)");
    });
    BOOST_REQUIRE(!result);
    BOOST_TEST(code(result.error()) == static_cast<int>(Errc::conflict));
    BOOST_TEST(scalar_text(db, "SELECT COUNT(*) FROM t") == "0");
    // The connection is usable again, inside a transaction and out.
    BOOST_REQUIRE(db.transaction([&] { return db.execute("INSERT INTO t VALUES (2)"); }, Database::Durability::deferred));
    BOOST_TEST(scalar_text(db, "SELECT COUNT(*) FROM t") == "1");
}

// A failed statement whose error the work ignored aborts the transaction: the commit must say
// so, not answer success for a transaction PostgreSQL rolled back.
BOOST_AUTO_TEST_CASE(a_commit_after_an_ignored_failure_fails) {
    auto db = fresh("aborted");
    BOOST_REQUIRE(db.execute("CREATE TABLE t (i bigint PRIMARY KEY)"));
    auto result = db.transaction([&]() -> signet::Status {
        (void)db.execute("INSERT INTO nowhere VALUES (1)");
        return {};
    });
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().message.find("rolled back") != std::string::npos);
}

// What several nodes need of the store: a read-then-write in a transaction is never interleaved
// with another connection's, so no update is lost.
BOOST_AUTO_TEST_CASE(writers_on_two_connections_run_one_at_a_time) {
    const auto store = cluster().create_database("writers");
    {
        auto db = Database::open(store);
        BOOST_REQUIRE(db);
        BOOST_REQUIRE(db->execute("CREATE TABLE counter (n bigint NOT NULL); INSERT INTO counter VALUES (0)"));
    }
    constexpr int rounds = 200;
    std::atomic<int> failures = 0;
    auto writer = [&] {
        auto db = Database::open(store);
        if (!db) {
            ++failures;
            return;
        }
        for (int i = 0; i < rounds; ++i) {
            auto done = db->transaction([&]() -> signet::Status {
                auto read = db->prepare("SELECT n FROM counter");
                if (!read) return std::unexpected(read.error());
                auto row = read->step();
                if (!row) return std::unexpected(row.error());
                const std::int64_t n = read->column_int(0);
                auto write = db->prepare("UPDATE counter SET n = ?");
                if (!write) return std::unexpected(write.error());
                return write->bind(1, n + 1).run();
            });
            if (!done) ++failures;
        }
    };
    std::thread a(writer), b(writer);
    a.join();
    b.join();
    BOOST_TEST(failures == 0);
    auto db = Database::open(store);
    BOOST_REQUIRE(db);
    BOOST_TEST(scalar_text(*db, "SELECT n FROM counter") == std::to_string(2 * rounds));
}

// The threads of one node share one Database: its mutex leases each holder a connection of the
// pool (never more than `connections` at once, so holders side by side), and the store's write
// lock still orders their writes.
BOOST_AUTO_TEST_CASE(the_mutex_leases_each_holder_a_connection_of_the_pool) {
    auto store = cluster().create_database("pool");
    store.connections = 2;
    auto db = Database::open(store);
    BOOST_REQUIRE(db);
    BOOST_REQUIRE(!db->shares_one_connection());
    BOOST_REQUIRE(db->execute("CREATE TABLE counter (n bigint NOT NULL); INSERT INTO counter VALUES (0)"));
    const std::string first = scalar_text(*db, "SELECT pg_backend_pid()");
    signet::store::DatabaseMutex mutex(*db);
    std::atomic<int> holders = 0, most = 0, failures = 0;
    std::mutex seen_mutex;
    std::set<std::string> seen;
    constexpr int rounds = 50;
    auto worker = [&] {
        for (int i = 0; i < rounds; ++i) {
            std::lock_guard lock(mutex);
            const int now = ++holders;
            for (int m = most; now > m && !most.compare_exchange_weak(m, now);) {
            }
            auto pid = db->prepare("SELECT pg_backend_pid()");
            if (!pid || !pid->step()) ++failures;
            if (pid) {
                std::lock_guard seen_lock(seen_mutex);
                seen.insert(pid->column_text(0));
            }
            auto done = db->transaction([&]() -> signet::Status {
                auto read = db->prepare("SELECT n FROM counter");
                if (!read) return std::unexpected(read.error());
                if (auto row = read->step(); !row) return std::unexpected(row.error());
                const std::int64_t n = read->column_int(0);
                std::this_thread::sleep_for(std::chrono::microseconds(200));
                auto write = db->prepare("UPDATE counter SET n = ?");
                if (!write) return std::unexpected(write.error());
                return write->bind(1, n + 1).run();
            });
            if (!done) ++failures;
            --holders;
        }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back(worker);
    for (auto& thread : threads) thread.join();
    BOOST_TEST(failures == 0);
    BOOST_TEST(most == 2);  // two holders side by side, never three
    BOOST_TEST(seen.size() == 2U);
    BOOST_TEST(!seen.contains(first));  // the first connection serves those who hold no lease
    BOOST_TEST(scalar_text(*db, "SELECT n FROM counter") == std::to_string(4 * rounds));
}

BOOST_AUTO_TEST_CASE(a_held_write_lock_fails_the_probe) {
    const auto store = cluster().create_database("probe");
    auto holder = Database::open(store);
    auto prober = Database::open(store);
    BOOST_REQUIRE(holder && prober);
    BOOST_REQUIRE(prober->probe_writable(std::chrono::milliseconds(200)));
    BOOST_REQUIRE(prober->probe_commit());
    auto held = holder->transaction([&]() -> signet::Status {
        auto probed = prober->probe_writable(std::chrono::milliseconds(200));
        BOOST_TEST(!probed.has_value());
        if (!probed) BOOST_TEST(code(probed.error()) == static_cast<int>(Errc::unavailable));
        return {};
    });
    BOOST_REQUIRE(held);
    BOOST_TEST(prober->probe_writable(std::chrono::milliseconds(200)).has_value());
}

BOOST_AUTO_TEST_CASE(the_audit_tables_are_append_only) {
    auto db = fresh("appendonly");
    BOOST_REQUIRE(db.execute(
        "INSERT INTO audit_log (seq, time, event, outcome, hash, entry) VALUES (1, 't', 'e', 'o', 'h', "
        "'{\"key_id\":\"ab\"}'); INSERT INTO audit_checkpoints VALUES (1, '{}')"));
    for (const char* change : {"UPDATE audit_log SET entry = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log",
                               "UPDATE audit_checkpoints SET checkpoint = ''", "DELETE FROM audit_checkpoints",
                               "TRUNCATE audit_checkpoints"}) {
        auto changed = db.execute(change);
        BOOST_TEST(!changed.has_value(), change);
        if (!changed) BOOST_TEST(changed.error().message.find("append-only") != std::string::npos);
    }
    BOOST_TEST(scalar_text(db, "SELECT COUNT(*) FROM audit_log WHERE json_extract(entry, '$.key_id') = 'ab'") == "1");
}

BOOST_AUTO_TEST_CASE(newer_schema_is_refused) {
    const auto store = cluster().create_database("newer");
    {
        auto db = Database::open(store);
        BOOST_REQUIRE(db);
        BOOST_REQUIRE(db->execute("INSERT INTO schema_migrations (version) VALUES (999)"));
    }
    auto db = Database::open(store);
    BOOST_REQUIRE(!db);
    BOOST_TEST(db.error().message.find("newer than this signet") != std::string::npos);
}

// A connection the server dropped fails the statement that finds it (unavailable: the request
// may be retried) and is made again for the next one, prepared statements included.
BOOST_AUTO_TEST_CASE(a_lost_connection_is_unavailable_then_made_again) {
    const auto store = cluster().create_database("lost");
    auto db = Database::open(store);
    BOOST_REQUIRE(db);
    BOOST_TEST(scalar_text(*db, "SELECT COUNT(*) FROM keys") == "0");
    auto killed = cluster().psql("lost", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                         "WHERE datname = 'lost' AND pid <> pg_backend_pid()");
    BOOST_REQUIRE_MESSAGE(killed.exit_code == 0, killed.output);
    auto statement = db->prepare("SELECT COUNT(*) FROM keys");
    auto row = statement ? statement->step() : signet::Result<bool>(std::unexpected(statement.error()));
    BOOST_REQUIRE(!row);
    BOOST_TEST(code(row.error()) == static_cast<int>(Errc::unavailable));
    BOOST_TEST(scalar_text(*db, "SELECT COUNT(*) FROM keys") == "0");
}

BOOST_AUTO_TEST_CASE(a_wrong_password_is_refused_without_showing_it) {
    signet::test::TempDir dir;
    signet::test::write_file(dir / "wrong", "not-the-password\n");
    std::filesystem::permissions(dir / "wrong", std::filesystem::perms::owner_read);
    auto store = cluster().create_database("password2");
    store.password_file = dir / "wrong";
    auto db = Database::open(store);
    BOOST_REQUIRE(!db);
    BOOST_TEST(code(db.error()) == static_cast<int>(Errc::unavailable));
    BOOST_TEST(db.error().message.find("password authentication failed") != std::string::npos);
    BOOST_TEST(db.error().message.find("not-the-password") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
