#include "hsm/token/token_internal.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stop_token>
#include <string>

#include "hsm/pkcs11_error.hpp"
#include "hsm/session_pool.hpp"

namespace signet::hsm {

using namespace detail;  // the pieces token_internal.hpp shares between these files

// ---- health ------------------------------------------------------------------------------------

TokenState Token::Impl::health() const {
    std::lock_guard lock(state_mutex_);
    return state_;
}

Status Token::Impl::refuse_if_down(const std::string& context) const {
    std::lock_guard lock(state_mutex_);
    if (state_.health == TokenHealth::ok) return {};
    if (state_.health == TokenHealth::degraded) {
        return fail(Errc::unavailable, context + ": token '" + name_ + "' is degraded (" + state_.error +
                                           "); signet is re-initialising it");
    }
    return fail(Errc::unavailable, context + ": token '" + name_ + "' has a PIN problem (" + state_.error +
                                       "); the PIN is not retried automatically: correct it, then request a "
                                       "recovery");
}

void Token::Impl::set_down(const Failure& failure) {
    std::lock_guard lock(state_mutex_);
    if (state_.health == TokenHealth::ok) state_.since = std::chrono::system_clock::now();
    state_.health = failure.fault == Fault::pin ? TokenHealth::pin_problem : TokenHealth::degraded;
    state_.error = failure.error.message;
    // Only a lost session is repaired without re-initialising the module; a recovery that
    // failed for another reason than the PIN starts from C_Finalize next time.
    reinitialise_ = failure.fault != Fault::pin && failure.fault != Fault::session;
    state_changed_.notify_all();
}

// ---- repairs while running an operation --------------------------------------------------------

std::optional<Token::Impl::Failure> Token::Impl::probe_token(const std::string& context) const {
    CK_TOKEN_INFO info{};
    const CK_RV rv = module_->functions()->C_GetTokenInfo(slot_, &info);
    if (rv == CKR_OK) return std::nullopt;
    return Failure{Fault::token, Error{Errc::unavailable, context + ": the token does not answer: C_GetTokenInfo: " + ckr_name(rv)}};
}

std::optional<Token::Impl::Failure> Token::Impl::probe(Lease& lease,
                                                       const std::string& context) const {
    if (auto down = probe_token(context)) return down;
    CK_SESSION_INFO info{};
    const CK_RV rv = lease.check(lease.functions()->C_GetSessionInfo(lease.handle(), &info));
    if (rv != CKR_OK) {
        const Fault fault = fault_of(rv);
        return Failure{fault == Fault::none ? Fault::token : fault, ck_error(context + ": C_GetSessionInfo", rv)};
    }
    if (info.state == CKS_RW_USER_FUNCTIONS) return std::nullopt;
    return Failure{Fault::session, Error{Errc::unavailable, context + ": the token forgot the login"}};
}

Token::Impl::Attempt Token::Impl::log_in_again(const std::string& context) {
    // One PIN read and one C_Login for all the calls that failed together.
    std::lock_guard lock(login_mutex_);
    auto lease = pool_->acquire();
    if (!lease) {
        auto down = probe_token(context);
        return std::unexpected(down ? *down : Failure{Fault::token, lease.error().with_context(context)});
    }
    CK_SESSION_INFO info{};
    const CK_RV rv = lease->check(lease->functions()->C_GetSessionInfo(lease->handle(), &info));
    if (rv != CKR_OK) {
        return std::unexpected(Failure{fault_of(rv) == Fault::none ? Fault::token : fault_of(rv),
                                       ck_error(context + ": C_GetSessionInfo", rv)});
    }
    if (info.state == CKS_RW_USER_FUNCTIONS) return {};
    return log_in(lease->handle(), context + ": logging in again");
}

Token::Impl::Attempt Token::Impl::log_in(CK_SESSION_HANDLE session, const std::string& context) {
    CK_RV rv = CKR_OK;
    {
        auto pin = pin_source_();
        if (!pin) return std::unexpected(Failure{Fault::pin, pin.error().with_context(context + ": reading the PIN")});
        rv = module_->functions()->C_Login(session, CKU_USER, pin_bytes(*pin), pin->size());
    }
    if (rv == CKR_OK) logged_in_ = true;
    if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) return {};
    const Fault fault = fault_of(rv);
    return std::unexpected(Failure{fault == Fault::none ? Fault::token : fault, ck_error(context, rv)});
}

// ---- recovery -----------------------------------------------------------------------------------

Status Token::Impl::recover() {
    {
        auto shared = module_->share();
        if (health().health == TokenHealth::ok && module_->generation() == generation_) return {};
    }
    auto exclusive = module_->exclusive();
    bool reinitialise = false;
    {
        std::lock_guard lock(state_mutex_);
        // Another thread may have recovered while this one waited for the module.
        if (state_.health == TokenHealth::ok && module_->generation() == generation_) return {};
        reinitialise = reinitialise_;
    }
    auto rebuilt = rebuild(exclusive, reinitialise);
    if (!rebuilt) {
        set_down(rebuilt.error());
        return std::unexpected(rebuilt.error().error);
    }
    std::lock_guard lock(state_mutex_);
    state_ = TokenState{};
    reinitialise_ = false;
    state_changed_.notify_all();
    return {};
}

Token::Impl::Attempt Token::Impl::rebuild(const std::unique_lock<std::shared_mutex>& exclusive,
                                          bool reinitialise) {
    const std::string context = "recovering token '" + name_ + "'";
    CK_FUNCTION_LIST* functions = module_->functions();
    if (pool_) {
        // No Lease exists (they live under share()), so every session is idle: closed while
        // their generation lasts, forgotten after it. Closing them ends the login (§5.6).
        if (module_->generation() != generation_) pool_->abandon_idle();
        pool_.reset();
    }
    logged_in_ = false;
    // Object handles do not survive the sessions' end in SoftHSM, nor a re-initialisation
    // anywhere (§5.4): every cached one goes.
    {
        std::lock_guard lock(keys_mutex_);
        keys_.clear();
        objects_.clear();
    }
    if (reinitialise) {
        if (auto again = module_->reinitialise(exclusive); !again) {
            return std::unexpected(Failure{Fault::token, again.error().with_context(context)});
        }
    }
    // Slot ids may change across C_Initialize (§5.5 leaves their numbering to the module), so
    // the token is found again the way open() found it.
    auto chosen = find_token(functions, selector_, context);
    if (!chosen) return std::unexpected(Failure{Fault::token, chosen.error()});
    auto session = Session::open(functions, chosen->slot);
    if (!session) return std::unexpected(Failure{Fault::token, session.error().with_context(context)});
    if (auto in = log_in(session->handle(), context + ": logging in"); !in) return in;
    slot_ = chosen->slot;
    generation_ = module_->generation();
    pool_ = std::make_unique<SessionPool>(functions, slot_, max_sessions_, std::move(*session));
    auto lease = pool_->acquire();
    if (!lease) return std::unexpected(Failure{Fault::token, lease.error().with_context(context)});
    if (auto indexed = index(*lease, context); !indexed) {
        return std::unexpected(Failure{Fault::token, indexed.error()});
    }
    return {};
}

void Token::Impl::recover_with_backoff(std::stop_token stop) {
    using namespace std::chrono_literals;
    constexpr std::chrono::milliseconds first = 500ms;
    constexpr std::chrono::milliseconds longest = 30s;
    std::chrono::milliseconds delay = first;
    std::unique_lock lock(state_mutex_);
    for (;;) {
        const auto degraded = [this] { return state_.health == TokenHealth::degraded; };
        if (!state_changed_.wait(lock, stop, degraded)) return;  // stopped
        // An explicit recover() may end the wait early.
        if (state_changed_.wait_for(lock, stop, delay, [&] { return !degraded(); })) {
            delay = first;
            continue;
        }
        if (stop.stop_requested()) return;
        lock.unlock();
        const bool recovered = recover().has_value();
        lock.lock();
        delay = recovered ? first : std::min(delay * 2, longest);
    }
}

std::string_view to_string(TokenHealth health) {
    switch (health) {
        case TokenHealth::ok:
            return "ok";
        case TokenHealth::degraded:
            return "degraded";
        case TokenHealth::pin_problem:
            return "pin_problem";
    }
    return "degraded";
}

TokenState Token::health() const { return impl_->health(); }

Status Token::recover() { return impl_->recover(); }

}  // namespace signet::hsm
