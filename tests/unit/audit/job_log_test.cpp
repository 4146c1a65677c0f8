#include "audit/job_log.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/support/temp_dir.hpp"

namespace {

using signet::audit::Outcome;
using signet::store::Database;

signet::audit::SealIntent intent() {
    return {"ab12", "cabinet-durand", "marie", "", std::string(64, 'e'), "5e"};
}

struct Row {
    std::string outcome, output, reason, tenant, actor, key;
};

Row read_row(Database& db, std::int64_t seq) {
    auto statement = db.prepare(
        "SELECT outcome, COALESCE(output_sha256, ''), COALESCE(reason, ''), tenant, actor, "
        "COALESCE(key_id, '') FROM seal_jobs WHERE id = ?");
    BOOST_REQUIRE(statement);
    statement->bind(1, seq);
    auto row = statement->step();
    BOOST_REQUIRE(row && *row);
    return {statement->column_text(0), statement->column_text(1), statement->column_text(2),
            statement->column_text(3), statement->column_text(4), statement->column_text(5)};
}

}  // namespace

BOOST_AUTO_TEST_CASE(intent_then_outcome) {
    signet::test::TempDir dir;
    auto db = Database::open(dir / "signet.db");
    BOOST_REQUIRE(db);
    auto seq = signet::audit::record_intent(*db, intent());
    BOOST_REQUIRE_MESSAGE(seq, seq.error().message);
    BOOST_TEST(read_row(*db, *seq).outcome == "intended");
    BOOST_REQUIRE(signet::audit::record_outcome(*db, *seq, Outcome::sealed, "ff", ""));
    Row row = read_row(*db, *seq);
    BOOST_TEST(row.outcome == "sealed");
    BOOST_TEST(row.output == "ff");
    BOOST_TEST(row.tenant == "cabinet-durand");
    BOOST_TEST(row.actor == "marie");
    BOOST_TEST(row.key == "5e");
}

BOOST_AUTO_TEST_CASE(outcome_is_written_once) {
    signet::test::TempDir dir;
    auto db = Database::open(dir / "signet.db");
    BOOST_REQUIRE(db);
    auto seq = signet::audit::record_intent(*db, intent());
    BOOST_REQUIRE(seq);
    BOOST_REQUIRE(signet::audit::record_outcome(*db, *seq, Outcome::failed, "", "HSM gone"));
    BOOST_TEST(read_row(*db, *seq).reason == "HSM gone");
    BOOST_TEST(!signet::audit::record_outcome(*db, *seq, Outcome::sealed, "ff", ""));
    BOOST_TEST(!signet::audit::record_outcome(*db, *seq + 100, Outcome::sealed, "ff", ""));
    BOOST_TEST(read_row(*db, *seq).outcome == "failed");
}

BOOST_AUTO_TEST_CASE(refusal_keeps_its_reason_and_sequence_grows) {
    signet::test::TempDir dir;
    auto db = Database::open(dir / "signet.db");
    BOOST_REQUIRE(db);
    auto first = signet::audit::record_refusal(*db, intent(), "the document is encrypted");
    auto second = signet::audit::record_intent(*db, intent());
    BOOST_REQUIRE(first && second);
    BOOST_TEST(*second == *first + 1);
    BOOST_TEST(read_row(*db, *first).outcome == "refused");
    BOOST_TEST(read_row(*db, *first).reason == "the document is encrypted");
}

BOOST_AUTO_TEST_CASE(read_only_database_fails_closed) {
    signet::test::TempDir dir;
    { BOOST_REQUIRE(Database::open(dir / "signet.db")); }
    auto db = Database::open(dir / "signet.db");
    BOOST_REQUIRE(db);
    BOOST_REQUIRE(db->execute("PRAGMA query_only = ON"));
    auto seq = signet::audit::record_intent(*db, intent());
    BOOST_REQUIRE(!seq);
    BOOST_TEST(seq.error().message.find("recording the seal job") != std::string::npos);
}
