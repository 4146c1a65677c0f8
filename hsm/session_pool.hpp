#pragma once
// PKCS#11 sessions: one RAII Session per handle, and a bounded pool of them that opens sessions
// lazily and makes callers wait when all are borrowed. Private to hsm/.

#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

#include <p11-kit/pkcs11.h>

#include "base/error.hpp"

namespace signet::hsm {

// An open R/W session; C_CloseSession on destruction. PKCS#11 leaves it to the application not
// to run two calls on one session at once (a session holds at most one active operation of each
// kind, §5.6); the pool guarantees it by lending a session to one thread at a time.
class Session {
  public:
    static Result<Session> open(CK_FUNCTION_LIST* functions, CK_SLOT_ID slot);
    Session(Session&& other) noexcept;
    Session& operator=(Session&& other) noexcept;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session();

    CK_SESSION_HANDLE handle() const { return handle_; }
    CK_FUNCTION_LIST* functions() const { return functions_; }
    // Forgets the handle without C_CloseSession: after a re-initialisation (§5.4) the module may
    // have given its number to another session, which closing would end.
    void abandon() noexcept { handle_ = CK_INVALID_HANDLE; }

  private:
    Session(CK_FUNCTION_LIST* functions, CK_SESSION_HANDLE handle)
        : functions_(functions), handle_(handle) {}
    void close() noexcept;

    CK_FUNCTION_LIST* functions_ = nullptr;
    CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
};

// Sessions are closed only when the pool goes (the Token's destruction or recovery) or when a
// borrower discard()s a session that failed; an idle one is never closed to save resources:
// session objects (KeyLifetime::session) last exactly as long as the session that made them.
class SessionPool {
  public:
    // `first` is the session the user logged in on; it counts towards `max_sessions` (>= 1).
    SessionPool(CK_FUNCTION_LIST* functions, CK_SLOT_ID slot, unsigned max_sessions, Session first);
    // Closes the idle sessions. Every Lease must have been returned before.
    ~SessionPool() = default;
    SessionPool(const SessionPool&) = delete;
    SessionPool& operator=(const SessionPool&) = delete;

    // A borrowed session, given back to the pool on destruction, or closed and forgotten if
    // discard() was called because the session is no longer usable.
    class Lease {
      public:
        Lease(Lease&& other) noexcept;
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease();

        CK_SESSION_HANDLE handle() const { return session_.handle(); }
        CK_FUNCTION_LIST* functions() const { return session_.functions(); }
        void discard() { lost_ = true; }
        // discard() if `rv` says the session is gone (see session_lost), and remember the first
        // `rv` that says the session, the login or the token failed (fault_of); returns `rv`.
        CK_RV check(CK_RV rv);
        // That first failure, or CKR_OK: what the Token recovers from once the call has failed.
        CK_RV fault() const { return fault_; }

      private:
        friend class SessionPool;
        Lease(SessionPool* pool, Session session) : pool_(pool), session_(std::move(session)) {}

        SessionPool* pool_;
        Session session_;
        bool lost_ = false;
        CK_RV fault_ = CKR_OK;
    };

    // An idle session, a new one if fewer than max_sessions are open, or the next one returned.
    Result<Lease> acquire();

    // How many sessions are open (idle or borrowed); for tests and metrics.
    unsigned open_sessions() const;

    // After one session turned out to be gone: asks each idle session for its state (§5.6
    // C_GetSessionInfo) and forgets, without closing, those the token no longer knows, so that
    // the next borrower is not handed another dead session (C_CloseAllSessions and a token reset
    // end them all at once). Returns how many were forgotten.
    unsigned prune();

    // Forgets every idle session without closing it, for a pool whose module was re-initialised
    // under it (Session::abandon).
    void abandon_idle();

  private:
    void give_back(Session session, bool lost);

    CK_FUNCTION_LIST* const functions_;
    const CK_SLOT_ID slot_;
    const unsigned max_sessions_;
    mutable std::mutex mutex_;
    std::condition_variable returned_;
    std::vector<Session> idle_;  // guarded by mutex_
    unsigned open_ = 0;          // guarded by mutex_: idle and borrowed sessions, and openings
};

}  // namespace signet::hsm
