#include "hsm/session_pool.hpp"

#include <algorithm>
#include <utility>

#include "hsm/pkcs11_error.hpp"

namespace signet::hsm {

Result<Session> Session::open(CK_FUNCTION_LIST* functions, CK_SLOT_ID slot) {
    CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
    // §5.6 C_OpenSession: CKF_SERIAL_SESSION must always be set. R/W because key generation and
    // certificate storage create token objects (§5.7: read-only sessions cannot).
    const CK_RV rv = functions->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr,
                                              nullptr, &handle);
    if (rv != CKR_OK) return std::unexpected(ck_error("opening a PKCS#11 session", rv));
    return Session(functions, handle);
}

Session::Session(Session&& other) noexcept
    : functions_(other.functions_), handle_(std::exchange(other.handle_, CK_INVALID_HANDLE)) {}

Session& Session::operator=(Session&& other) noexcept {
    if (this != &other) {
        close();
        functions_ = other.functions_;
        handle_ = std::exchange(other.handle_, CK_INVALID_HANDLE);
    }
    return *this;
}

Session::~Session() { close(); }

void Session::close() noexcept {
    if (handle_ == CK_INVALID_HANDLE) return;
    // A failure (typically CKR_SESSION_HANDLE_INVALID for a session the token already dropped)
    // leaves nothing to clean up on our side.
    static_cast<void>(functions_->C_CloseSession(handle_));
    handle_ = CK_INVALID_HANDLE;
}

SessionPool::SessionPool(CK_FUNCTION_LIST* functions, CK_SLOT_ID slot, unsigned max_sessions,
                         Session first)
    : functions_(functions), slot_(slot), max_sessions_(max_sessions) {
    idle_.push_back(std::move(first));
    open_ = 1;
}

Result<SessionPool::Lease> SessionPool::acquire() {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [this] { return !idle_.empty() || open_ < max_sessions_; });
    if (!idle_.empty()) {
        Session session = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(session));
    }
    // Reserve the slot, then open outside the lock: C_OpenSession talks to the device and other
    // threads may meanwhile return or borrow sessions.
    ++open_;
    lock.unlock();
    auto session = Session::open(functions_, slot_);
    if (!session) {
        lock.lock();
        --open_;
        returned_.notify_one();
        return std::unexpected(session.error());
    }
    return Lease(this, std::move(*session));
}

unsigned SessionPool::open_sessions() const {
    std::lock_guard lock(mutex_);
    return open_;
}

unsigned SessionPool::prune() {
    std::lock_guard lock(mutex_);
    const auto gone = std::remove_if(idle_.begin(), idle_.end(), [](Session& session) {
        CK_SESSION_INFO info{};
        const CK_RV rv = session.functions()->C_GetSessionInfo(session.handle(), &info);
        if (rv != CKR_SESSION_HANDLE_INVALID && rv != CKR_SESSION_CLOSED) return false;
        session.abandon();
        return true;
    });
    const auto forgotten = static_cast<unsigned>(idle_.end() - gone);
    idle_.erase(gone, idle_.end());
    open_ -= forgotten;
    if (forgotten != 0) returned_.notify_all();
    return forgotten;
}

void SessionPool::abandon_idle() {
    std::lock_guard lock(mutex_);
    for (Session& session : idle_) session.abandon();
    open_ -= static_cast<unsigned>(idle_.size());
    idle_.clear();
    returned_.notify_all();
}

void SessionPool::give_back(Session session, bool lost) {
    if (lost) {
        // Closed here, outside the lock; its place in the pool is freed for a new session.
        { Session closing = std::move(session); }
        std::lock_guard lock(mutex_);
        --open_;
    } else {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(session));
    }
    returned_.notify_one();
}

SessionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      session_(std::move(other.session_)),
      lost_(other.lost_),
      fault_(other.fault_) {}

SessionPool::Lease::~Lease() {
    if (pool_ != nullptr) pool_->give_back(std::move(session_), lost_);
}

CK_RV SessionPool::Lease::check(CK_RV rv) {
    if (session_lost(rv)) discard();
    if (fault_ == CKR_OK && fault_of(rv) != Fault::none) fault_ = rv;
    return rv;
}

}  // namespace signet::hsm
