#pragma once
// What the hsm/token*.cpp files share: the PKCS#11 helpers that more than one of them calls, and
// Token::Impl, whose members live in the file of their concern. Private to hsm/token*.cpp.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "hsm/pkcs11_error.hpp"
#include "hsm/session_pool.hpp"
#include "hsm/token.hpp"
#include "hsm/uri.hpp"

// Section numbers are those of the PKCS#11 v2.40 base specification unless "Current Mechanisms"
// (PKCS#11 v2.40 Current Mechanisms) is named.

namespace signet::hsm {

namespace detail {

using Lease = SessionPool::Lease;

std::string hex(std::span<const std::uint8_t> bytes);

// C_Login, C_InitToken and C_InitPIN take a non-const CK_UTF8CHAR_PTR but only read it. Passing
// the Secret's own bytes avoids another copy of the PIN that would need wiping.
CK_UTF8CHAR* pin_bytes(const Secret& pin);

// Template entries. CK_ATTRIBUTE.pValue is non-const even in input templates (§3.4); modules
// only read input templates, so pointing it at const data is safe.
template <class T>
CK_ATTRIBUTE attribute(CK_ATTRIBUTE_TYPE type, T& value) {
    return CK_ATTRIBUTE{type, &value, sizeof value};
}
inline CK_ATTRIBUTE bytes_attribute(CK_ATTRIBUTE_TYPE type, std::span<const std::uint8_t> bytes) {
    return CK_ATTRIBUTE{type, const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
}
inline CK_ATTRIBUTE text_attribute(CK_ATTRIBUTE_TYPE type, std::string_view text) {
    return CK_ATTRIBUTE{type, const_cast<char*>(text.data()), text.size()};
}

struct TokenDescription {
    CK_SLOT_ID slot;
    bool initialised;
    std::string label;
    std::string manufacturer;
    std::string serial;
    std::string model;
};

// The one initialised token that `selector` names, among those the module offers now.
Result<TokenDescription> find_token(CK_FUNCTION_LIST* functions, const TokenUri& selector,
                                    const std::string& context);

// §5.7 C_FindObjectsInit/C_FindObjects/C_FindObjectsFinal over {CKA_CLASS, CKA_ID}: the token
// does the matching, we never enumerate keys. At most two handles are asked for, enough to tell
// "one" from "ambiguous".
Result<std::vector<CK_OBJECT_HANDLE>> find_objects(Lease& lease, CK_OBJECT_CLASS object_class,
                                                   const KeyId& id);

// §5.11 C_SignInit + C_Sign with the §5.2 length query. Any failure ends the operation
// (§5.11), so the session is reusable afterwards. The caller passes the CK_RV to lease.check.
CK_RV sign_once(Lease& lease, CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE type,
                std::span<const std::uint8_t> input, std::vector<std::uint8_t>& signature);

// The public key object's key as an OpenSSL public key (§4.8; Current Mechanisms §2.1.2 RSA,
// §2.3.3 EC).
Result<PublicKey> read_public_key(Lease& lease, CK_OBJECT_HANDLE object);

}  // namespace detail

// Members are defined in token.cpp (opening), token_recovery.cpp (health, running an operation's
// repairs, recovery), token_secrets.cpp (secret keys) and token_keys.cpp (the key index); run()
// is a template, so it is here.
struct Token::Impl {
    using Lease = detail::Lease;

    struct CachedKey {
        CK_OBJECT_HANDLE handle;
        CK_KEY_TYPE type;
    };

    // A failure and what it says about the token (fault_of).
    struct Failure {
        Fault fault;
        Error error;
    };
    using Attempt = std::expected<void, Failure>;

    Impl(std::shared_ptr<Module> module, std::string name, TokenUri selector, PinSource pin_source,
         unsigned max_sessions, CK_SLOT_ID slot, Session first, bool logged_in);

    std::string key_name(const KeyId& id) const;

    // ---- health --------------------------------------------------------------------------------

    TokenState health() const;

    // While the token is down, calls fail here without reaching the module: a dead device can
    // take seconds per call, and the job is better off with a 503 now.
    Status refuse_if_down(const std::string& context) const;

    void set_down(const Failure& failure);

    // ---- running an operation ------------------------------------------------------------------

    // Runs `body` on a borrowed session with the module shared (Module::share), so that no
    // re-initialisation can void the session under it; a Lease never outlives that lock. A failure
    // that means the session or the login was lost is repaired (a fresh session, a new C_Login)
    // and `body` runs once more: every operation of Token may run twice (a signature is made
    // again, a search repeated). A token failure marks the token degraded and is returned.
    template <class Body>
    std::invoke_result_t<Body&, Lease&> run(const std::string& context, Body&& body) {
        for (int attempt = 1;; ++attempt) {
            SIGNET_CHECK(refuse_if_down(context));
            auto shared = module_->share();
            SIGNET_CHECK(refuse_if_down(context));  // a recovery may have failed meanwhile
            if (module_->generation() != generation_) {
                // Another Token of this module re-initialised it: our handles are void (§5.4).
                shared.unlock();
                if (attempt == 2) return fail(Errc::unavailable, context + ": the PKCS#11 module keeps being re-initialised");
                if (auto reopened = recover(); !reopened) return std::unexpected(reopened.error().with_context(context));
                continue;
            }
            std::optional<Failure> failure;
            {
                auto lease = pool_->acquire();
                if (!lease) {
                    // C_OpenSession failed: the token decides whether that is more than a full table.
                    failure = probe_token(context);
                    if (!failure) return std::unexpected(lease.error().with_context(context));
                } else {
                    auto result = body(*lease);
                    if (result) return result;
                    const Fault fault = fault_of(lease->fault());
                    if (fault != Fault::none) {
                        failure = Failure{fault, Error{Errc::unavailable, result.error().message}};
                    } else if (result.error().code == Errc::not_found) {
                        failure = probe(*lease, context);
                    }
                    if (!failure) return result;
                }
            }
            if (failure->fault != Fault::session || attempt == 2) {
                set_down(*failure);
                return std::unexpected(failure->error);
            }
            // The session is gone, and perhaps the login with it (§5.6: it ends with the
            // application's last session): drop the other dead sessions, log in again, retry once.
            pool_->prune();
            if (auto again = log_in_again(context); !again) {
                set_down(again.error());
                return std::unexpected(again.error().error);
            }
        }
    }

    // Whether the token still answers (§5.5 C_GetTokenInfo). Any failure counts, so that
    // CKR_FUNCTION_FAILED here means the device: SoftHSM whose token folder went away answers
    // searches with no objects and C_GetTokenInfo with CKR_GENERAL_ERROR.
    std::optional<Failure> probe_token(const std::string& context) const;

    // A search that found nothing proves that the object is absent only if the token still
    // answers and the session is still logged in: private objects are invisible to a public
    // session (§4.4), so a logout behind our back looks like "no such key".
    std::optional<Failure> probe(Lease& lease, const std::string& context) const;

    // With share() held: logs the user in again unless another thread already did.
    Attempt log_in_again(const std::string& context);

    // §5.6 C_Login with a PIN read from the source for this call and wiped right after it. The
    // login holds for every session of the application with the token. CKR_USER_ALREADY_LOGGED_IN
    // means another Token of this process logged in; that Token then owns the logout.
    Attempt log_in(CK_SESSION_HANDLE session, const std::string& context);

    // ---- recovery ------------------------------------------------------------------------------

    Status recover();

    // With the module held exclusively: new sessions, a new login and new handles, after a
    // C_Finalize + C_Initialize when `reinitialise`.
    Attempt rebuild(const std::unique_lock<std::shared_mutex>& exclusive, bool reinitialise);

    // The thread behind TokenHealth::degraded: sleeps while the token is ok (or waits for a PIN),
    // then calls recover() 0.5 s after a failure, and again at doubling intervals up to 30 s. It
    // runs on a thread of its own rather than on the daemon's pools: a recovery blocks for as
    // long as C_Initialize takes on a failing device, and must not wait for a job's slot.
    void recover_with_backoff(std::stop_token stop);

    // ---- secret keys ---------------------------------------------------------------------------

    // What a secret key made by ensure_secret_key is for.
    enum class SecretUse {
        seal,  // AES-256 (CKM_AES_KEY_GEN): encrypt and decrypt
        mac,   // a 32-byte CKK_GENERIC_SECRET (CKM_GENERIC_SECRET_KEY_GEN): sign and verify
    };

    // Makes a sensitive, non-extractable 32-byte secret key for `use` with every other use set
    // false, unless a secret key with this CKA_ID exists: then false, or conflict if that key is
    // of another type (it could not serve `use`).
    Result<bool> ensure_secret_key(const KeyId& id, std::string_view label, SecretUse use,
                                   const std::string& context);

    // ---- the key index -------------------------------------------------------------------------

    void forget(const KeyId& id);

    void remember(const KeyId& id, CachedKey key);

    // Whether the cached handle still names a private key with this CKA_ID. Handles are only
    // valid while the object exists, and a module may give a destroyed object's handle to a new
    // one (a key destroyed by another process sharing the token): signing with whatever now
    // holds the handle would use another person's key, so one attribute read per signature
    // buys the certainty. CKR_OBJECT_HANDLE_INVALID is "no", not an error.
    Result<bool> still_holds(Lease& lease, CK_OBJECT_HANDLE handle, const KeyId& id,
                             CK_OBJECT_CLASS expected = CKO_PRIVATE_KEY);

    // The private key with this CKA_ID: the cached handle if it is still that key, else a search.
    Result<CachedKey> private_key(Lease& lease, const KeyId& id);

    // The one object of `object_class` with this CKA_ID (a public key, the TOTP seeds' secret
    // key), cached like private keys: a search costs as much as the token has objects (SoftHSM
    // looks at each), an attribute read does not.
    Result<CK_OBJECT_HANDLE> object(Lease& lease, CK_OBJECT_CLASS object_class, const KeyId& id,
                                    const std::string& context);

    // index_keys() on this lease: one search per class, then one CKA_ID read per key.
    Result<std::size_t> index(Lease& lease, const std::string& context);

    // Destruction order matters: the recovery thread stops first (declared last), the pool
    // (sessions) goes before the module (C_Finalize).
    std::shared_ptr<Module> module_;
    const std::string name_;  // the token's label, for messages
    const TokenUri selector_;
    const PinSource pin_source_;
    const unsigned max_sessions_;
    // Replaced only with module_->exclusive() held, used with module_->share() held. pool_ is
    // null after a failed recovery, and then the state is not ok.
    CK_SLOT_ID slot_;
    std::unique_ptr<SessionPool> pool_;
    std::uint64_t generation_;  // the module's generation the sessions belong to
    std::atomic<bool> logged_in_;  // false when another Token had already logged this token in
    std::mutex login_mutex_;
    mutable std::mutex state_mutex_;
    TokenState state_;           // guarded by state_mutex_
    bool reinitialise_ = false;  // guarded by state_mutex_: the next recovery starts at C_Finalize
    std::condition_variable_any state_changed_;
    std::mutex keys_mutex_;
    std::map<KeyId, CachedKey> keys_;  // guarded by keys_mutex_
    std::map<std::pair<CK_OBJECT_CLASS, KeyId>, CK_OBJECT_HANDLE> objects_;  // guarded by keys_mutex_
    // Serialises generate_key_pair of token keys, so that two requests for one CKA_ID cannot both
    // pass the "no such key yet" check.
    std::mutex generate_mutex_;
    std::jthread recovery_;
};

}  // namespace signet::hsm
