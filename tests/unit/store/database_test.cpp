#include "store/database.hpp"

#include <sys/stat.h>

#include <memory>

#include <sqlite3.h>

#include <boost/test/unit_test.hpp>

#include "store/schema.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/need.hpp"

namespace {

using signet::Errc;
using signet::store::Database;
using signet::test::TempDir;

int code(const signet::Error& error) { return static_cast<int>(error.code); }

std::string scalar_text(Database& db, std::string_view sql) {
    auto statement = db.prepare(sql);
    BOOST_REQUIRE(statement);
    auto row = statement->step();
    BOOST_REQUIRE(row && *row);
    return statement->column_text(0);
}

}  // namespace

BOOST_AUTO_TEST_CASE(open_creates_schema_in_wal_mode) {
    TempDir dir;
    auto db = Database::open(dir / "signet.db");
    BOOST_REQUIRE_MESSAGE(db, signet::test::error_of(db));
    BOOST_TEST(db->schema_version() == static_cast<int>(signet::store::sqlite_migrations().size()));
    BOOST_TEST(scalar_text(*db, "PRAGMA journal_mode") == "wal");
    BOOST_TEST(scalar_text(*db, "SELECT COUNT(*) FROM schema_migrations") ==
               std::to_string(signet::store::sqlite_migrations().size()));
    BOOST_TEST(std::filesystem::exists(dir / "signet.db"));
}

BOOST_AUTO_TEST_CASE(reopening_applies_nothing_twice) {
    TempDir dir;
    { BOOST_REQUIRE(Database::open(dir / "signet.db")); }
    auto again = Database::open(dir / "signet.db");
    BOOST_REQUIRE_MESSAGE(again, signet::test::error_of(again));
    BOOST_TEST(scalar_text(*again, "SELECT COUNT(*) FROM schema_migrations") ==
               std::to_string(signet::store::sqlite_migrations().size()));
}

BOOST_AUTO_TEST_CASE(bind_step_and_read_back_every_type) {
    TempDir dir;
    auto db = Database::open(dir / "signet.db");
    BOOST_REQUIRE(db);
    BOOST_REQUIRE(db->execute("CREATE TABLE t (i INTEGER, s TEXT, b BLOB, n TEXT)"));
    auto insert = db->prepare("INSERT INTO t VALUES (?, ?, ?, ?)");
    BOOST_REQUIRE(insert);
    std::vector<signet::store::Value> values = {std::int64_t{42}, std::string("é\0x", 4),
                                                signet::store::Blob{0, 1, 255}, nullptr};
    BOOST_REQUIRE(insert->bind_all(values).run());
    auto select = db->prepare("SELECT i, s, b, n FROM t");
    BOOST_REQUIRE(select);
    auto row = select->step();
    BOOST_REQUIRE(row && *row);
    BOOST_TEST(select->column_int(0) == 42);
    BOOST_TEST(select->column_text(1) == std::string("é\0x", 4));
    BOOST_TEST((select->column_blob(2) == signet::store::Blob{0, 1, 255}));
    BOOST_TEST(select->column_is_null(3));
    auto end = select->step();
    BOOST_REQUIRE(end);
    BOOST_TEST(!*end);
}

BOOST_AUTO_TEST_CASE(failed_transaction_rolls_back) {
    TempDir dir;
    auto db = Database::open(dir / "signet.db");
    BOOST_REQUIRE(db);
    BOOST_REQUIRE(db->execute("CREATE TABLE t (i INTEGER PRIMARY KEY)"));
    auto result = db->transaction([&]() -> signet::Status {
        if (auto ok = db->execute("INSERT INTO t VALUES (1)"); !ok) return ok;
        return db->execute("INSERT INTO t VALUES (1)");  // duplicate key
    });
    BOOST_REQUIRE(!result);
    BOOST_TEST(code(result.error()) == static_cast<int>(Errc::conflict));
    BOOST_TEST(scalar_text(*db, "SELECT COUNT(*) FROM t") == "0");
}

// A deferred commit is in the log for every other connection when it returns, relaxes the sync
// for itself only (the connection is back to FULL, 2, for the next commit, which makes both
// durable), and a failed one still rolls back and restores FULL.
BOOST_AUTO_TEST_CASE(a_deferred_commit_is_visible_and_leaves_the_connection_synced) {
    TempDir dir;
    auto db = Database::open(dir / "signet.db");
    BOOST_REQUIRE(db);
    BOOST_TEST(scalar_text(*db, "PRAGMA synchronous") == "2");
    BOOST_REQUIRE(db->execute("CREATE TABLE t (i INTEGER PRIMARY KEY)"));
    auto deferred = db->transaction([&] { return db->execute("INSERT INTO t VALUES (1)"); },
                                    Database::Durability::deferred);
    BOOST_REQUIRE_MESSAGE(deferred, signet::test::error_of(deferred));
    BOOST_TEST(scalar_text(*db, "PRAGMA synchronous") == "2");
    auto other = Database::open(dir / "signet.db");
    BOOST_REQUIRE(other);
    BOOST_TEST(scalar_text(*other, "SELECT COUNT(*) FROM t") == "1");

    auto failed = db->transaction([&] { return db->execute("INSERT INTO t VALUES (1)"); },
                                  Database::Durability::deferred);
    BOOST_REQUIRE(!failed);
    BOOST_TEST(code(failed.error()) == static_cast<int>(Errc::conflict));
    BOOST_TEST(scalar_text(*db, "PRAGMA synchronous") == "2");
    BOOST_TEST(scalar_text(*other, "SELECT COUNT(*) FROM t") == "1");
}

BOOST_AUTO_TEST_CASE(bad_sql_is_an_error_not_a_crash) {
    TempDir dir;
    auto db = Database::open(dir / "signet.db");
    BOOST_REQUIRE(db);
    auto statement = db->prepare("SELEC nothing");
    BOOST_REQUIRE(!statement);
    BOOST_TEST(statement.error().message.find("syntax error") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(only_one_active_seal_key) {
    TempDir dir;
    auto db = Database::open(dir / "signet.db");
    BOOST_REQUIRE(db);
    const char* insert =
        "INSERT INTO keys (key_id, purpose, label, algorithm, state, created_at) "
        "VALUES (?, 'seal', 'seal', 'rsa-3072', 'active', '2026-01-01')";
    auto first = db->prepare(insert);
    BOOST_REQUIRE(first);
    BOOST_REQUIRE(first->bind(1, std::string("01")).run());
    auto second = db->prepare(insert);
    BOOST_REQUIRE(second);
    auto result = second->bind(1, std::string("02")).run();
    BOOST_REQUIRE(!result);
    BOOST_TEST(code(result.error()) == static_cast<int>(Errc::conflict));
}

BOOST_AUTO_TEST_CASE(unopenable_path_is_unavailable) {
    TempDir dir;
    auto db = Database::open(dir / "missing-folder" / "signet.db");
    BOOST_REQUIRE(!db);
    BOOST_TEST(code(db.error()) == static_cast<int>(Errc::unavailable));
    BOOST_TEST(db.error().message.find("missing-folder") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(newer_schema_is_refused) {
    TempDir dir;
    {
        auto db = Database::open(dir / "signet.db");
        BOOST_REQUIRE(db);
        BOOST_REQUIRE(db->execute("INSERT INTO schema_migrations (version) VALUES (999)"));
    }
    auto db = Database::open(dir / "signet.db");
    BOOST_REQUIRE(!db);
    BOOST_TEST(db.error().message.find("newer than this signet") != std::string::npos);
}
