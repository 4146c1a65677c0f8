#include "hsm/session_pool.hpp"

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/unit/hsm/softhsm.hpp"

namespace signet::hsm {
namespace {

struct PoolFixture : test::SoftHsm {
    CK_SLOT_ID slot;
    PoolFixture() {
        add_token(test::token_label);
        slot = test::slot_labelled(functions(), test::token_label);
    }
};

BOOST_FIXTURE_TEST_SUITE(session_pool, PoolFixture)

BOOST_AUTO_TEST_CASE(session_is_closed_on_destruction) {
    CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
    {
        auto session = Session::open(functions(), slot);
        BOOST_REQUIRE(session);
        handle = session->handle();
        CK_SESSION_INFO info{};
        BOOST_TEST(functions()->C_GetSessionInfo(handle, &info) == CKR_OK);
        BOOST_TEST((info.flags & CKF_RW_SESSION) != 0U);
    }
    CK_SESSION_INFO info{};
    BOOST_TEST(functions()->C_GetSessionInfo(handle, &info) == CKR_SESSION_HANDLE_INVALID);
}

BOOST_AUTO_TEST_CASE(opening_on_a_bad_slot_names_the_error) {
    const auto session = Session::open(functions(), 0xDEADBEEF);
    BOOST_REQUIRE(!session);
    BOOST_TEST(session.error().message.find("CKR_SLOT_ID_INVALID") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reuses_idle_sessions_before_opening_new_ones) {
    SessionPool pool(functions(), slot, 3, *Session::open(functions(), slot));
    BOOST_TEST(pool.open_sessions() == 1U);
    CK_SESSION_HANDLE first = CK_INVALID_HANDLE;
    {
        auto lease = pool.acquire();
        BOOST_REQUIRE(lease);
        first = lease->handle();
    }
    auto again = pool.acquire();
    BOOST_REQUIRE(again);
    BOOST_TEST(again->handle() == first);
    BOOST_TEST(pool.open_sessions() == 1U);
    auto second = pool.acquire();
    BOOST_REQUIRE(second);
    BOOST_TEST(second->handle() != first);
    BOOST_TEST(pool.open_sessions() == 2U);
}

BOOST_AUTO_TEST_CASE(waits_when_every_session_is_borrowed) {
    SessionPool pool(functions(), slot, 2, *Session::open(functions(), slot));
    std::optional<SessionPool::Lease> a(*pool.acquire());
    auto b = pool.acquire();
    BOOST_REQUIRE(b);
    BOOST_TEST(pool.open_sessions() == 2U);

    std::atomic<bool> got{false};
    CK_SESSION_HANDLE handed = CK_INVALID_HANDLE;
    const CK_SESSION_HANDLE released = a->handle();
    std::thread waiter([&] {
        auto c = pool.acquire();
        if (c) handed = c->handle();
        got = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    BOOST_TEST(!got.load());
    a.reset();
    waiter.join();
    BOOST_TEST(got.load());
    BOOST_TEST(handed == released);
    BOOST_TEST(pool.open_sessions() == 2U);
}

BOOST_AUTO_TEST_CASE(discarded_sessions_are_closed_and_replaced) {
    SessionPool pool(functions(), slot, 1, *Session::open(functions(), slot));
    CK_SESSION_HANDLE lost = CK_INVALID_HANDLE;
    {
        auto lease = pool.acquire();
        BOOST_REQUIRE(lease);
        lost = lease->handle();
        BOOST_TEST(lease->check(CKR_PIN_INCORRECT) == CKR_PIN_INCORRECT);  // not a lost session
        BOOST_TEST(lease->check(CKR_DEVICE_ERROR) == CKR_DEVICE_ERROR);    // a lost one
    }
    BOOST_TEST(pool.open_sessions() == 0U);
    CK_SESSION_INFO info{};
    BOOST_TEST(functions()->C_GetSessionInfo(lost, &info) == CKR_SESSION_HANDLE_INVALID);
    auto fresh = pool.acquire();
    BOOST_REQUIRE(fresh);
    BOOST_TEST(pool.open_sessions() == 1U);
    BOOST_TEST(functions()->C_GetSessionInfo(fresh->handle(), &info) == CKR_OK);
}

BOOST_AUTO_TEST_CASE(a_session_the_token_dropped_is_replaced) {
    SessionPool pool(functions(), slot, 1, *Session::open(functions(), slot));
    {
        auto lease = pool.acquire();
        BOOST_REQUIRE(lease);
        // What a device reset does to a session: it disappears under us.
        BOOST_REQUIRE(functions()->C_CloseSession(lease->handle()) == CKR_OK);
        CK_SESSION_INFO info{};
        lease->check(functions()->C_GetSessionInfo(lease->handle(), &info));
    }
    auto fresh = pool.acquire();
    BOOST_REQUIRE(fresh);
    CK_SESSION_INFO info{};
    BOOST_TEST(functions()->C_GetSessionInfo(fresh->handle(), &info) == CKR_OK);
}

BOOST_AUTO_TEST_CASE(prune_forgets_the_idle_sessions_the_token_dropped) {
    SessionPool pool(functions(), slot, 3, *Session::open(functions(), slot));
    {
        auto a = pool.acquire();
        auto b = pool.acquire();
        BOOST_REQUIRE(a && b);
        // What C_CloseAllSessions does to a lent session: the lease finds out by itself.
        BOOST_REQUIRE_EQUAL(functions()->C_CloseSession(b->handle()), CKR_OK);
        CK_SESSION_INFO info{};
        BOOST_TEST(b->check(functions()->C_GetSessionInfo(b->handle(), &info)) == CKR_SESSION_HANDLE_INVALID);
        BOOST_TEST(b->fault() == CKR_SESSION_HANDLE_INVALID);
        BOOST_TEST(a->fault() == CKR_OK);
        BOOST_REQUIRE_EQUAL(functions()->C_CloseSession(a->handle()), CKR_OK);
    }
    BOOST_TEST(pool.open_sessions() == 1U);  // b was discarded, a went back idle
    BOOST_TEST(pool.prune() == 1U);          // a is dead too
    BOOST_TEST(pool.open_sessions() == 0U);
    BOOST_TEST(pool.prune() == 0U);
    auto fresh = pool.acquire();
    BOOST_REQUIRE(fresh);
    CK_SESSION_INFO info{};
    BOOST_TEST(functions()->C_GetSessionInfo(fresh->handle(), &info) == CKR_OK);
}

BOOST_AUTO_TEST_CASE(abandoned_sessions_are_not_closed) {
    // After a re-initialisation a stale handle may name someone else's session: forgetting it
    // must leave that session alone.
    CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
    {
        SessionPool pool(functions(), slot, 2, *Session::open(functions(), slot));
        { handle = pool.acquire()->handle(); }
        pool.abandon_idle();
        BOOST_TEST(pool.open_sessions() == 0U);
    }
    CK_SESSION_INFO info{};
    BOOST_TEST(functions()->C_GetSessionInfo(handle, &info) == CKR_OK);
    BOOST_TEST(functions()->C_CloseSession(handle) == CKR_OK);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::hsm
