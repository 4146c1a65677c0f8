#include "idempotency/answer_store.hpp"

#include <filesystem>
#include <fstream>
#include <mutex>

#include <boost/test/unit_test.hpp>

#include "base/base64.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using signet::Errc;
using signet::idempotency::Answer;
using signet::idempotency::AnswerStore;
using signet::idempotency::Scope;
using signet::idempotency::Settings;

// A database, a clock and a store of answers in a fresh folder.
struct Store {
    signet::test::TempDir dir;
    signet::store::Database db = std::move(*signet::store::Database::open(dir / "signet.db"));
    signet::store::DatabaseMutex db_mutex;
    signet::ManualClock clock{std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
    AnswerStore answers;

    explicit Store(std::uint64_t max_file_bytes = 1 << 20)
        : answers(db, db_mutex, clock, Settings{std::chrono::hours(24), dir / "answers", max_file_bytes, 1024}) {
        BOOST_REQUIRE(answers.open());
    }

    std::size_t files() const {
        return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir / "answers"),
                                                      std::filesystem::directory_iterator()));
    }
};

Answer answer(std::string body) {
    return Answer{200, {{"Content-Type", "application/pdf"}, {"Signet-Audit-Seq", "7"}}, std::move(body)};
}

const Scope scope{"client-a", "cab", "key-1"};

}  // namespace

BOOST_AUTO_TEST_CASE(the_first_request_runs_and_a_repeat_gets_its_answer_byte_for_byte) {
    Store store;
    {
        auto begun = store.answers.begin(scope, "digest-1");
        BOOST_REQUIRE(begun);
        BOOST_TEST(!begun->replay);
        BOOST_TEST(begun->running != nullptr);
        BOOST_REQUIRE(store.answers.keep(scope, "digest-1", answer(std::string("%PDF\0small", 10))));
    }
    auto again = store.answers.begin(scope, "digest-1");
    BOOST_REQUIRE(again);
    BOOST_REQUIRE(again->replay);
    BOOST_TEST(again->running == nullptr);
    BOOST_TEST(again->replay->status == 200);
    BOOST_TEST(again->replay->body == std::string("%PDF\0small", 10));
    BOOST_REQUIRE(again->replay->fields.size() == 2U);
    BOOST_TEST(again->replay->fields[1].first == "Signet-Audit-Seq");
    BOOST_TEST(again->replay->fields[1].second == "7");
}

BOOST_AUTO_TEST_CASE(a_key_used_for_other_bytes_is_a_conflict) {
    Store store;
    {
        auto begun = store.answers.begin(scope, "digest-1");
        BOOST_REQUIRE(begun);
        BOOST_REQUIRE(store.answers.keep(scope, "digest-1", answer("first")));
    }
    auto other = store.answers.begin(scope, "digest-2");
    BOOST_REQUIRE(!other);
    BOOST_TEST(static_cast<int>(other.error().code) == static_cast<int>(Errc::conflict));
    BOOST_TEST(other.error().message.find("another request") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_key_still_running_refuses_a_second_request_until_the_first_ends) {
    Store store;
    auto first = store.answers.begin(scope, "digest-1");
    BOOST_REQUIRE(first);
    auto second = store.answers.begin(scope, "digest-1");
    BOOST_REQUIRE(!second);
    BOOST_TEST(static_cast<int>(second.error().code) == static_cast<int>(Errc::conflict));
    BOOST_TEST(second.error().message.find("still running") != std::string::npos);
    // A request that ended without an answer kept (a 503) leaves the key free to run again.
    first->running.reset();
    auto third = store.answers.begin(scope, "digest-1");
    BOOST_REQUIRE(third);
    BOOST_TEST(!third->replay);
}

BOOST_AUTO_TEST_CASE(keys_are_scoped_by_client_and_tenant) {
    Store store;
    {
        auto begun = store.answers.begin(scope, "digest-1");
        BOOST_REQUIRE(begun);
        BOOST_REQUIRE(store.answers.keep(scope, "digest-1", answer("cab's answer")));
    }
    for (const Scope& other : {Scope{"client-b", "cab", "key-1"}, Scope{"client-a", "cab2", "key-1"}}) {
        auto begun = store.answers.begin(other, "digest-1");
        BOOST_REQUIRE(begun);
        BOOST_TEST(!begun->replay);  // runs as a request of its own; reads nothing of cab's
    }
}

BOOST_AUTO_TEST_CASE(a_large_answer_is_kept_as_a_file_named_by_its_digest) {
    Store store;
    const std::string body(5000, 'x');
    {
        auto begun = store.answers.begin(scope, "digest-1");
        BOOST_REQUIRE(begun);
        BOOST_REQUIRE(store.answers.keep(scope, "digest-1", answer(body)));
    }
    BOOST_TEST(std::filesystem::exists(store.dir / "answers" / signet::sha256_hex(body)));
    auto again = store.answers.begin(scope, "digest-1");
    BOOST_REQUIRE(again && again->replay);
    BOOST_TEST(again->replay->body == body);
    // A file changed on disk is not sent as the first answer.
    std::ofstream(store.dir / "answers" / signet::sha256_hex(body)) << std::string(5000, 'y');
    auto changed = store.answers.begin(scope, "digest-1");
    BOOST_REQUIRE(!changed);
    BOOST_TEST(static_cast<int>(changed.error().code) == static_cast<int>(Errc::unavailable));
}

BOOST_AUTO_TEST_CASE(an_answer_over_the_space_left_is_not_kept_and_its_key_refuses_a_repeat) {
    Store store(6000);
    const Scope second{"client-a", "cab", "key-2"};
    {
        auto begun = store.answers.begin(scope, "digest-1");
        BOOST_REQUIRE(begun);
        BOOST_REQUIRE(store.answers.keep(scope, "digest-1", answer(std::string(5000, 'a'))));
        auto next = store.answers.begin(second, "digest-2");
        BOOST_REQUIRE(next);
        BOOST_REQUIRE(store.answers.keep(second, "digest-2", answer(std::string(5000, 'b'))));
    }
    BOOST_TEST(store.files() == 1U);
    auto repeat = store.answers.begin(second, "digest-2");
    BOOST_REQUIRE(!repeat);
    BOOST_TEST(static_cast<int>(repeat.error().code) == static_cast<int>(Errc::conflict));
    BOOST_TEST(repeat.error().message.find("answers_max_mib") != std::string::npos);
    BOOST_TEST(repeat.error().message.find("not run twice") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(answers_expire_after_the_ttl_with_their_files) {
    Store store;
    {
        auto begun = store.answers.begin(scope, "digest-1");
        BOOST_REQUIRE(begun);
        BOOST_REQUIRE(store.answers.keep(scope, "digest-1", answer(std::string(5000, 'z'))));
    }
    store.clock.advance(std::chrono::hours(24) - std::chrono::seconds(1));
    auto kept = store.answers.begin(scope, "digest-1");
    BOOST_REQUIRE(kept && kept->replay);
    store.clock.advance(std::chrono::seconds(1));
    auto expired = store.answers.expire();
    BOOST_REQUIRE(expired);
    BOOST_TEST(*expired == 1U);
    BOOST_TEST(store.files() == 0U);
    auto fresh = store.answers.begin(scope, "digest-2");
    BOOST_REQUIRE(fresh);
    BOOST_TEST(!fresh->replay);
}

BOOST_AUTO_TEST_CASE(answers_survive_a_reopen_and_files_no_answer_names_are_removed) {
    Store store;
    {
        auto begun = store.answers.begin(scope, "digest-1");
        BOOST_REQUIRE(begun);
        BOOST_REQUIRE(store.answers.keep(scope, "digest-1", answer(std::string(5000, 'k'))));
    }
    // A file written before a crash took its row's transaction with it.
    std::ofstream(store.dir / "answers" / std::string(64, 'a')) << "orphan";
    AnswerStore reopened(store.db, store.db_mutex, store.clock,
                         Settings{std::chrono::hours(24), store.dir / "answers", 1 << 20, 1024});
    BOOST_REQUIRE(reopened.open());
    BOOST_TEST(store.files() == 1U);
    auto again = reopened.begin(scope, "digest-1");
    BOOST_REQUIRE(again && again->replay);
    BOOST_TEST(again->replay->body == std::string(5000, 'k'));
}
