#include "hsm/token.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "hsm/openssl_util.hpp"
#include "hsm/pkcs11_error.hpp"
#include "hsm/session_pool.hpp"
#include "hsm/uri.hpp"

// Section numbers are those of the PKCS#11 v2.40 base specification unless "Current Mechanisms"
// (PKCS#11 v2.40 Current Mechanisms) is named.

namespace signet::hsm {

namespace {

using Lease = SessionPool::Lease;

constexpr std::size_t label_size = 32;  // CK_TOKEN_INFO.label (§3.2)

// DER of the namedCurve OIDs for CKA_EC_PARAMS (Current Mechanisms §2.3.3; RFC 5480 §2.1.1.1).
constexpr std::array<std::uint8_t, 10> prime256v1_oid{0x06, 0x08, 0x2A, 0x86, 0x48,
                                                      0xCE, 0x3D, 0x03, 0x01, 0x07};
constexpr std::array<std::uint8_t, 7> secp384r1_oid{0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22};

constexpr std::array all_algorithms{KeyAlgorithm::rsa_3072, KeyAlgorithm::rsa_4096,
                                    KeyAlgorithm::ec_p256, KeyAlgorithm::ec_p384};

std::string hex(std::span<const std::uint8_t> bytes) {
    constexpr char digits[] = "0123456789abcdef";
    std::string text;
    text.reserve(bytes.size() * 2);
    for (const std::uint8_t byte : bytes) {
        text.push_back(digits[byte >> 4U]);
        text.push_back(digits[byte & 0xFU]);
    }
    return text;
}

// CK_TOKEN_INFO's text fields are blank padded and not NUL terminated (§3.2); a few modules pad
// with NUL instead, so both are stripped.
template <std::size_t N>
std::string unpad(const unsigned char (&field)[N]) {
    std::string text(reinterpret_cast<const char*>(field), N);
    const std::size_t end = text.find_last_not_of(std::string_view(" \0", 2));
    text.erase(end == std::string::npos ? 0 : end + 1);
    return text;
}

// How a token argument appears in messages: a URI loses its query, which may carry a pin-value.
std::string shown(std::string_view token) {
    return std::string(is_pkcs11_uri(token) ? token.substr(0, token.find('?')) : token);
}

// C_Login, C_InitToken and C_InitPIN take a non-const CK_UTF8CHAR_PTR but only read it. Passing
// the Secret's own bytes avoids another copy of the PIN that would need wiping.
CK_UTF8CHAR* pin_bytes(const Secret& pin) {
    return reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(pin.reveal().data()));
}

// Template entries. CK_ATTRIBUTE.pValue is non-const even in input templates (§3.4); modules
// only read input templates, so pointing it at const data is safe.
template <class T>
CK_ATTRIBUTE attribute(CK_ATTRIBUTE_TYPE type, T& value) {
    return CK_ATTRIBUTE{type, &value, sizeof value};
}
CK_ATTRIBUTE bytes_attribute(CK_ATTRIBUTE_TYPE type, std::span<const std::uint8_t> bytes) {
    return CK_ATTRIBUTE{type, const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
}
CK_ATTRIBUTE text_attribute(CK_ATTRIBUTE_TYPE type, std::string_view text) {
    return CK_ATTRIBUTE{type, const_cast<char*>(text.data()), text.size()};
}

Result<std::vector<CK_SLOT_ID>> slot_list(CK_FUNCTION_LIST* functions, CK_BBOOL token_present) {
    // §5.5 C_GetSlotList with the §5.2 length query. The list may grow between the two calls (a
    // token inserted; SoftHSM adds a fresh slot after C_InitToken): CKR_BUFFER_TOO_SMALL, retry.
    for (int attempt = 0; attempt < 8; ++attempt) {
        CK_ULONG count = 0;
        CK_RV rv = functions->C_GetSlotList(token_present, nullptr, &count);
        if (rv != CKR_OK) return std::unexpected(ck_error("listing PKCS#11 slots", rv));
        std::vector<CK_SLOT_ID> slots(count);
        rv = functions->C_GetSlotList(token_present, slots.data(), &count);
        if (rv == CKR_BUFFER_TOO_SMALL) continue;
        if (rv != CKR_OK) return std::unexpected(ck_error("listing PKCS#11 slots", rv));
        slots.resize(count);
        return slots;
    }
    return fail(Errc::unavailable, "listing PKCS#11 slots: the slot list keeps changing");
}

struct TokenDescription {
    CK_SLOT_ID slot;
    bool initialised;
    std::string label;
    std::string manufacturer;
    std::string serial;
    std::string model;
};

// Every slot that holds a token, with the token's identification (§5.5 C_GetTokenInfo).
Result<std::vector<TokenDescription>> present_tokens(CK_FUNCTION_LIST* functions) {
    auto slots = slot_list(functions, CK_TRUE);
    if (!slots) return std::unexpected(slots.error());
    std::vector<TokenDescription> tokens;
    for (const CK_SLOT_ID slot : *slots) {
        CK_TOKEN_INFO info{};
        const CK_RV rv = functions->C_GetTokenInfo(slot, &info);
        // Removed since the slot list was read: not a token we can use, not an error.
        if (rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_SLOT_ID_INVALID) continue;
        if (rv != CKR_OK) {
            return std::unexpected(
                ck_error("reading the token of slot " + std::to_string(slot), rv));
        }
        tokens.push_back(TokenDescription{slot, (info.flags & CKF_TOKEN_INITIALIZED) != 0,
                                          unpad(info.label), unpad(info.manufacturerID),
                                          unpad(info.serialNumber), unpad(info.model)});
    }
    return tokens;
}

std::string describe(const std::vector<TokenDescription>& tokens) {
    std::string text;
    for (const auto& token : tokens) {
        if (!text.empty()) text += ", ";
        text += "'" + token.label + "' (serial " + token.serial + ")";
    }
    return text.empty() ? "none" : text;
}

// The one initialised token that `selector` names, among those the module offers now.
Result<TokenDescription> find_token(CK_FUNCTION_LIST* functions, const TokenUri& selector,
                                    const std::string& context) {
    auto tokens = present_tokens(functions);
    if (!tokens) return std::unexpected(tokens.error().with_context(context));
    std::vector<TokenDescription> matching;
    for (const auto& candidate : *tokens) {
        // An uninitialised token (SoftHSM always offers one) has no keys and cannot log in.
        if (candidate.initialised && selector.matches(candidate.label, candidate.manufacturer,
                                                      candidate.serial, candidate.model)) {
            matching.push_back(candidate);
        }
    }
    if (matching.empty()) {
        std::erase_if(*tokens, [](const auto& candidate) { return !candidate.initialised; });
        return fail(Errc::not_found, context + ": no such token in the PKCS#11 module (tokens: " +
                                         describe(*tokens) + ")");
    }
    if (matching.size() > 1) {
        return fail(Errc::conflict, context + ": " + std::to_string(matching.size()) +
                                        " tokens match (" + describe(matching) +
                                        "); name one with a pkcs11: URI with serial=");
    }
    return matching.front();
}

// §5.7 C_FindObjectsInit/C_FindObjects/C_FindObjectsFinal over {CKA_CLASS, CKA_ID}: the token
// does the matching, we never enumerate keys. At most two handles are asked for, enough to tell
// "one" from "ambiguous".
Result<std::vector<CK_OBJECT_HANDLE>> find_objects(Lease& lease, CK_OBJECT_CLASS object_class,
                                                   const KeyId& id) {
    CK_FUNCTION_LIST* functions = lease.functions();
    CK_ATTRIBUTE search[] = {attribute(CKA_CLASS, object_class), bytes_attribute(CKA_ID, id)};
    CK_RV rv = lease.check(functions->C_FindObjectsInit(lease.handle(), search, std::size(search)));
    if (rv != CKR_OK) return std::unexpected(ck_error("C_FindObjectsInit", rv));
    // A session has one search at a time; C_FindObjectsFinal ends it on every path, so the
    // session goes back to the pool ready for the next search.
    struct Finish {
        Lease& lease;
        ~Finish() { static_cast<void>(lease.functions()->C_FindObjectsFinal(lease.handle())); }
    } finish{lease};

    std::vector<CK_OBJECT_HANDLE> found(2);
    CK_ULONG count = 0;
    rv = lease.check(functions->C_FindObjects(lease.handle(), found.data(), found.size(), &count));
    if (rv != CKR_OK) return std::unexpected(ck_error("C_FindObjects", rv));
    found.resize(std::min<std::size_t>(count, found.size()));
    return found;
}

// One attribute's value with the §5.2 length query (§5.7 C_GetAttributeValue).
Result<std::vector<std::uint8_t>> attribute_bytes(Lease& lease, CK_OBJECT_HANDLE object,
                                                  CK_ATTRIBUTE_TYPE type, std::string_view name) {
    CK_FUNCTION_LIST* functions = lease.functions();
    CK_ATTRIBUTE query{type, nullptr, 0};
    CK_RV rv = lease.check(functions->C_GetAttributeValue(lease.handle(), object, &query, 1));
    if (rv != CKR_OK) return std::unexpected(ck_error("reading " + std::string(name), rv));
    if (query.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
        return fail(Errc::internal,
                    "reading " + std::string(name) + ": the token does not reveal it");
    }
    std::vector<std::uint8_t> value(query.ulValueLen);
    query.pValue = value.data();
    rv = lease.check(functions->C_GetAttributeValue(lease.handle(), object, &query, 1));
    if (rv != CKR_OK) return std::unexpected(ck_error("reading " + std::string(name), rv));
    value.resize(std::min<std::size_t>(query.ulValueLen, value.size()));
    return value;
}

Result<CK_ULONG> attribute_ulong(Lease& lease, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                                 std::string_view name) {
    CK_ULONG value = 0;
    CK_ATTRIBUTE query = attribute(type, value);
    const CK_RV rv =
        lease.check(lease.functions()->C_GetAttributeValue(lease.handle(), object, &query, 1));
    if (rv != CKR_OK) return std::unexpected(ck_error("reading " + std::string(name), rv));
    if (query.ulValueLen != sizeof value) {
        return fail(Errc::internal, "reading " + std::string(name) + ": unexpected length");
    }
    return value;
}

// The public key object's key as an OpenSSL public key (§4.8; Current Mechanisms §2.1.2 RSA,
// §2.3.3 EC).
Result<PublicKey> read_public_key(Lease& lease, CK_OBJECT_HANDLE object) {
    auto type = attribute_ulong(lease, object, CKA_KEY_TYPE, "CKA_KEY_TYPE");
    if (!type) return std::unexpected(type.error());
    if (*type == CKK_RSA) {
        auto modulus = attribute_bytes(lease, object, CKA_MODULUS, "CKA_MODULUS");
        if (!modulus) return std::unexpected(modulus.error());
        auto exponent = attribute_bytes(lease, object, CKA_PUBLIC_EXPONENT, "CKA_PUBLIC_EXPONENT");
        if (!exponent) return std::unexpected(exponent.error());
        return rsa_public_key(*modulus, *exponent);
    }
    if (*type == CKK_EC) {
        auto params = attribute_bytes(lease, object, CKA_EC_PARAMS, "CKA_EC_PARAMS");
        if (!params) return std::unexpected(params.error());
        auto point = attribute_bytes(lease, object, CKA_EC_POINT, "CKA_EC_POINT");
        if (!point) return std::unexpected(point.error());
        return ec_public_key(*params, *point);
    }
    return fail(Errc::internal, "the public key has key type " + std::to_string(*type) +
                                    "; signet uses RSA and EC keys only");
}

// §5.11 C_SignInit + C_Sign, with the §5.2 length query: a C_Sign with no buffer only reports
// the length and leaves the operation active for the second call. Any other failure ends the
// operation (§5.11), so the session is reusable afterwards.
CK_RV sign_once(Lease& lease, CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE type,
                std::span<const std::uint8_t> input, std::vector<std::uint8_t>& signature) {
    CK_FUNCTION_LIST* functions = lease.functions();
    CK_MECHANISM mechanism{type, nullptr, 0};
    CK_RV rv = functions->C_SignInit(lease.handle(), &mechanism, key);
    if (rv != CKR_OK) return rv;
    // C_Sign's input is non-const but only read; an empty input still needs a valid pointer.
    CK_BYTE none = 0;
    CK_BYTE* data = input.empty() ? &none : const_cast<CK_BYTE*>(input.data());
    CK_ULONG length = 0;
    rv = functions->C_Sign(lease.handle(), data, input.size(), nullptr, &length);
    if (rv != CKR_OK) return rv;
    signature.resize(length);
    rv = functions->C_Sign(lease.handle(), data, input.size(), signature.data(), &length);
    if (rv != CKR_OK) return rv;
    signature.resize(std::min<std::size_t>(length, signature.size()));
    return CKR_OK;
}

}  // namespace

Result<KeyAlgorithm> parse_key_algorithm(std::string_view name) {
    for (const KeyAlgorithm algorithm : all_algorithms) {
        if (to_string(algorithm) == name) return algorithm;
    }
    // The value is quoted for the caller's benefit, but bounded: it comes from a request.
    constexpr std::size_t quoted = 64;
    return fail(Errc::bad_request, "unknown key algorithm '" + std::string(name.substr(0, quoted)) +
                                       (name.size() > quoted ? "...'" : "'") +
                                       "; accepted: rsa-3072, rsa-4096, ec-p256, ec-p384");
}

std::string_view to_string(KeyAlgorithm algorithm) {
    switch (algorithm) {
        case KeyAlgorithm::rsa_3072:
            return "rsa-3072";
        case KeyAlgorithm::rsa_4096:
            return "rsa-4096";
        case KeyAlgorithm::ec_p256:
            return "ec-p256";
        case KeyAlgorithm::ec_p384:
            return "ec-p384";
    }
    return "unknown";
}

struct Token::Impl {
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
         unsigned max_sessions, CK_SLOT_ID slot, Session first, bool logged_in)
        : module_(std::move(module)),
          name_(std::move(name)),
          selector_(std::move(selector)),
          pin_source_(std::move(pin_source)),
          max_sessions_(max_sessions),
          slot_(slot),
          pool_(std::make_unique<SessionPool>(module_->functions(), slot, max_sessions, std::move(first))),
          generation_(module_->generation()),
          logged_in_(logged_in),
          recovery_([this](std::stop_token stop) { recover_with_backoff(stop); }) {}

    std::string key_name(const KeyId& id) const {
        return "key " + hex(id) + " in token '" + name_ + "'";
    }

    // ---- health --------------------------------------------------------------------------------

    TokenState health() const {
        std::lock_guard lock(state_mutex_);
        return state_;
    }

    // While the token is down, calls fail here without reaching the module: a dead device can
    // take seconds per call, and the job is better off with a 503 now.
    Status refuse_if_down(const std::string& context) const {
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

    void set_down(const Failure& failure) {
        std::lock_guard lock(state_mutex_);
        if (state_.health == TokenHealth::ok) state_.since = std::chrono::system_clock::now();
        state_.health = failure.fault == Fault::pin ? TokenHealth::pin_problem : TokenHealth::degraded;
        state_.error = failure.error.message;
        // Only a lost session is repaired without re-initialising the module; a recovery that
        // failed for another reason than the PIN starts from C_Finalize next time.
        reinitialise_ = failure.fault != Fault::pin && failure.fault != Fault::session;
        state_changed_.notify_all();
    }

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
    std::optional<Failure> probe_token(const std::string& context) const {
        CK_TOKEN_INFO info{};
        const CK_RV rv = module_->functions()->C_GetTokenInfo(slot_, &info);
        if (rv == CKR_OK) return std::nullopt;
        return Failure{Fault::token, Error{Errc::unavailable, context + ": the token does not answer: C_GetTokenInfo: " + ckr_name(rv)}};
    }

    // A search that found nothing proves that the object is absent only if the token still
    // answers and the session is still logged in: private objects are invisible to a public
    // session (§4.4), so a logout behind our back looks like "no such key".
    std::optional<Failure> probe(Lease& lease, const std::string& context) const {
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

    // With share() held: logs the user in again unless another thread already did.
    Attempt log_in_again(const std::string& context) {
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

    // §5.6 C_Login with a PIN read from the source for this call and wiped right after it. The
    // login holds for every session of the application with the token. CKR_USER_ALREADY_LOGGED_IN
    // means another Token of this process logged in; that Token then owns the logout.
    Attempt log_in(CK_SESSION_HANDLE session, const std::string& context) {
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

    // ---- recovery ------------------------------------------------------------------------------

    Status recover() {
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

    // With the module held exclusively: new sessions, a new login and new handles, after a
    // C_Finalize + C_Initialize when `reinitialise`.
    Attempt rebuild(const std::unique_lock<std::shared_mutex>& exclusive, bool reinitialise) {
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

    // The thread behind TokenHealth::degraded: sleeps while the token is ok (or waits for a PIN),
    // then calls recover() 0.5 s after a failure, and again at doubling intervals up to 30 s. It
    // runs on a thread of its own rather than on the daemon's pools: a recovery blocks for as
    // long as C_Initialize takes on a failing device, and must not wait for a job's slot.
    void recover_with_backoff(std::stop_token stop) {
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

    // ---- the key index -------------------------------------------------------------------------

    void forget(const KeyId& id) {
        std::lock_guard lock(keys_mutex_);
        keys_.erase(id);
        for (const CK_OBJECT_CLASS object_class : {CKO_PUBLIC_KEY, CKO_SECRET_KEY}) objects_.erase({object_class, id});
    }

    void remember(const KeyId& id, CachedKey key) {
        std::lock_guard lock(keys_mutex_);
        keys_.insert_or_assign(id, key);
    }

    // Whether the cached handle still names a private key with this CKA_ID. Handles are only
    // valid while the object exists, and a module may give a destroyed object's handle to a new
    // one (a key destroyed by another process sharing the token): signing with whatever now
    // holds the handle would use another person's key, so one attribute read per signature
    // buys the certainty. CKR_OBJECT_HANDLE_INVALID is "no", not an error.
    Result<bool> still_holds(Lease& lease, CK_OBJECT_HANDLE handle, const KeyId& id,
                             CK_OBJECT_CLASS expected = CKO_PRIVATE_KEY) {
        CK_OBJECT_CLASS object_class = 0;
        KeyId actual(id.size());
        CK_ATTRIBUTE query[] = {attribute(CKA_CLASS, object_class),
                                CK_ATTRIBUTE{CKA_ID, actual.data(), actual.size()}};
        const CK_RV rv = lease.check(lease.functions()->C_GetAttributeValue(
            lease.handle(), handle, query, std::size(query)));
        // CKR_BUFFER_TOO_SMALL: a longer CKA_ID than ours, so another object (§5.7).
        if (rv == CKR_OBJECT_HANDLE_INVALID || rv == CKR_BUFFER_TOO_SMALL) return false;
        if (rv != CKR_OK) return std::unexpected(ck_error("checking " + key_name(id), rv));
        return object_class == expected && query[1].ulValueLen == id.size() && actual == id;
    }

    // The private key with this CKA_ID: the cached handle if it is still that key, else a search.
    Result<CachedKey> private_key(Lease& lease, const KeyId& id) {
        std::optional<CachedKey> cached;
        {
            std::lock_guard lock(keys_mutex_);
            if (const auto found = keys_.find(id); found != keys_.end()) cached = found->second;
        }
        if (cached) {
            auto valid = still_holds(lease, cached->handle, id);
            if (!valid) return std::unexpected(valid.error());
            if (*valid) return *cached;
            forget(id);
        }

        auto found = find_objects(lease, CKO_PRIVATE_KEY, id);
        if (!found) {
            return std::unexpected(found.error().with_context("looking up " + key_name(id)));
        }
        if (found->empty()) {
            return fail(Errc::not_found,
                        "no private " + key_name(id) + " (no CKO_PRIVATE_KEY with that CKA_ID)");
        }
        if (found->size() > 1) {
            return fail(Errc::conflict, "several private keys have CKA_ID " + hex(id) +
                                            " in token '" + name_ + "'");
        }
        auto type = attribute_ulong(lease, found->front(), CKA_KEY_TYPE, "CKA_KEY_TYPE");
        if (!type) return std::unexpected(type.error().with_context("looking up " + key_name(id)));
        const CachedKey key{found->front(), *type};
        remember(id, key);
        return key;
    }

    // The one object of `object_class` with this CKA_ID (a public key, the TOTP seeds' secret
    // key), cached like private keys: a search costs as much as the token has objects (SoftHSM
    // looks at each), an attribute read does not.
    Result<CK_OBJECT_HANDLE> object(Lease& lease, CK_OBJECT_CLASS object_class, const KeyId& id,
                                    const std::string& context) {
        std::optional<CK_OBJECT_HANDLE> cached;
        {
            std::lock_guard lock(keys_mutex_);
            if (const auto found = objects_.find({object_class, id}); found != objects_.end()) cached = found->second;
        }
        if (cached) {
            auto valid = still_holds(lease, *cached, id, object_class);
            if (!valid) return std::unexpected(valid.error());
            if (*valid) return *cached;
        }
        auto found = find_objects(lease, object_class, id);
        if (!found) return std::unexpected(found.error().with_context(context));
        if (found->size() != 1) {
            return fail(found->empty() ? Errc::not_found : Errc::conflict,
                        context + ": the token holds " + std::to_string(found->size()) +
                            (object_class == CKO_PUBLIC_KEY ? " public" : " secret") + " keys with that CKA_ID");
        }
        std::lock_guard lock(keys_mutex_);
        objects_.insert_or_assign({object_class, id}, found->front());
        return found->front();
    }


    // index_keys() on this lease: one search per class, then one CKA_ID read per key.
    Result<std::size_t> index(Lease& lease, const std::string& context) {
        CK_FUNCTION_LIST* functions = lease.functions();
        std::size_t indexed = 0;
        for (const CK_OBJECT_CLASS wanted : {CK_OBJECT_CLASS{CKO_PRIVATE_KEY}, CK_OBJECT_CLASS{CKO_PUBLIC_KEY}}) {
            CK_OBJECT_CLASS object_class = wanted;
            CK_ATTRIBUTE search[] = {attribute(CKA_CLASS, object_class)};
            std::vector<CK_OBJECT_HANDLE> handles;
            {
                CK_RV rv = lease.check(functions->C_FindObjectsInit(lease.handle(), search, std::size(search)));
                if (rv != CKR_OK) return std::unexpected(ck_error(context + ": C_FindObjectsInit", rv));
                struct Finish {
                    Lease& lease;
                    ~Finish() { static_cast<void>(lease.functions()->C_FindObjectsFinal(lease.handle())); }
                } finish{lease};
                for (;;) {
                    std::vector<CK_OBJECT_HANDLE> batch(1024);
                    CK_ULONG count = 0;
                    rv = lease.check(functions->C_FindObjects(lease.handle(), batch.data(), batch.size(), &count));
                    if (rv != CKR_OK) return std::unexpected(ck_error(context + ": C_FindObjects", rv));
                    if (count == 0) break;
                    handles.insert(handles.end(), batch.begin(), batch.begin() + static_cast<long>(count));
                }
            }
            // An id held by two objects of a class stays out of the index: its lookups search, and
            // report the ambiguity.
            std::map<KeyId, std::optional<CachedKey>> found;
            for (const CK_OBJECT_HANDLE handle : handles) {
                auto id = attribute_bytes(lease, handle, CKA_ID, "CKA_ID");
                if (!id) return std::unexpected(id.error().with_context(context));
                CK_ULONG type = 0;
                if (wanted == CKO_PRIVATE_KEY) {
                    auto key_type = attribute_ulong(lease, handle, CKA_KEY_TYPE, "CKA_KEY_TYPE");
                    if (!key_type) return std::unexpected(key_type.error().with_context(context));
                    type = *key_type;
                }
                auto [at, inserted] = found.try_emplace(*id, CachedKey{handle, type});
                if (!inserted) at->second.reset();
            }
            for (const auto& [id, key] : found) {
                if (!key || id.empty()) continue;
                if (wanted == CKO_PRIVATE_KEY) {
                    remember(id, *key);
                } else {
                    std::lock_guard lock(keys_mutex_);
                    objects_.insert_or_assign({CKO_PUBLIC_KEY, id}, key->handle);
                }
                ++indexed;
            }
        }
        return indexed;
    }
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
    // Serialises generate_key_pair, so that two requests for one CKA_ID cannot both pass the
    // "no such key yet" check.
    std::mutex generate_mutex_;
    std::jthread recovery_;
};

Token::Token(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Token::~Token() {
    if (!impl_) return;
    // The thread may be in recover(); it finishes that first.
    impl_->recovery_.request_stop();
    impl_->recovery_.join();
    auto shared = impl_->module_->share();
    if (!impl_->pool_) return;
    if (impl_->module_->generation() != impl_->generation_) {
        impl_->pool_->abandon_idle();
    } else if (impl_->logged_in_) {
        // §5.6 C_Logout before the pool closes the sessions; the result cannot be acted on here.
        if (auto lease = impl_->pool_->acquire()) {
            static_cast<void>(lease->functions()->C_Logout(lease->handle()));
        }
    }
    impl_->pool_.reset();  // closes the sessions while the module is shared
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

Result<std::unique_ptr<Token>> Token::open(std::shared_ptr<Module> module, std::string_view token,
                                           const Secret& pin, unsigned max_sessions) {
    if (pin.empty()) return fail(Errc::bad_request, "opening token '" + shown(token) + "': the PIN is empty");
    // The PIN is read once, for this login, and not kept for another: the source hands its copy
    // over (a moved-from Secret is wiped) and has nothing left after that.
    auto once = std::make_shared<Secret>(std::string(pin.reveal()));
    return open(std::move(module), token,
                [once]() -> Result<Secret> {
                    if (once->empty()) {
                        return fail(Errc::unavailable,
                                    "this Token was opened with a PIN it did not keep; open it with a PinSource to "
                                    "let it log in again");
                    }
                    return std::move(*once);
                },
                max_sessions);
}

Result<std::unique_ptr<Token>> Token::open(std::shared_ptr<Module> module, std::string_view token,
                                           PinSource pin_source, unsigned max_sessions) {
    const std::string context = "opening token '" + shown(token) + "'";
    if (!module) return fail(Errc::internal, context + ": no PKCS#11 module");
    if (max_sessions == 0) {
        return fail(Errc::bad_request, context + ": max_sessions must be at least 1");
    }
    if (!pin_source) return fail(Errc::internal, context + ": no PIN source");

    TokenUri selector;
    if (is_pkcs11_uri(token)) {
        auto parsed = parse_token_uri(token);
        if (!parsed) return std::unexpected(parsed.error().with_context(context));
        selector = std::move(*parsed);
    } else {
        if (token.empty() || token.size() > label_size) {
            return fail(Errc::bad_request, context + ": a token label has 1 to 32 bytes (§3.2)");
        }
        selector.token = std::string(token);
    }

    CK_FUNCTION_LIST* functions = module->functions();
    auto shared = module->share();
    auto chosen = find_token(functions, selector, context);
    if (!chosen) return std::unexpected(chosen.error());

    auto session = Session::open(functions, chosen->slot);
    if (!session) return std::unexpected(session.error().with_context(context));
    CK_RV rv = CKR_OK;
    {
        auto pin = pin_source();
        if (!pin) return std::unexpected(pin.error().with_context(context + ": reading the PIN"));
        if (pin->empty()) return fail(Errc::bad_request, context + ": the PIN is empty");
        // §5.6 C_Login: the login holds for every session of this application with the token,
        // including those the pool opens later. CKR_USER_ALREADY_LOGGED_IN means another Token of
        // this process logged in already; that Token then owns the logout. The PIN is wiped at
        // the end of this block.
        rv = functions->C_Login(session->handle(), CKU_USER, pin_bytes(*pin), pin->size());
    }
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
        return std::unexpected(ck_error(context + ": logging in", rv));
    }
    auto impl = std::make_unique<Impl>(std::move(module), chosen->label, std::move(selector), std::move(pin_source),
                                       max_sessions, chosen->slot, std::move(*session), rv == CKR_OK);
    // The constructor is private so that every Token is open and logged in; the new'd object is
    // owned at once (Tink's WrapUnique idiom).
    return std::unique_ptr<Token>(new Token(std::move(impl)));
}


Status Token::initialise(Module& module, std::string_view label, const Secret& so_pin,
                         const Secret& user_pin) {
    const std::string context = "initialising token '" + std::string(label) + "'";
    if (label.empty() || label.size() > label_size || label.back() == ' ') {
        // A trailing space would vanish in the blank padding of CK_TOKEN_INFO.label (§3.2).
        return fail(Errc::bad_request,
                    context + ": a token label has 1 to 32 bytes and does not end with a space");
    }
    if (is_pkcs11_uri(label)) {
        return fail(Errc::bad_request, context +
                                           ": a label starting with \"pkcs11:\" could not "
                                           "be opened by label");
    }
    if (so_pin.empty() || user_pin.empty()) {
        return fail(Errc::bad_request, context + ": the SO PIN and the user PIN must not be empty");
    }
    CK_FUNCTION_LIST* functions = module.functions();
    auto shared = module.share();

    auto slots = slot_list(functions, CK_FALSE);
    if (!slots) return std::unexpected(slots.error().with_context(context));
    std::optional<CK_SLOT_ID> free_slot;
    for (const CK_SLOT_ID slot : *slots) {
        CK_SLOT_INFO slot_info{};
        CK_RV rv = functions->C_GetSlotInfo(slot, &slot_info);
        if (rv != CKR_OK) {
            return std::unexpected(
                ck_error(context + ": reading slot " + std::to_string(slot), rv));
        }
        if ((slot_info.flags & CKF_TOKEN_PRESENT) == 0) continue;
        CK_TOKEN_INFO info{};
        rv = functions->C_GetTokenInfo(slot, &info);
        if (rv == CKR_TOKEN_NOT_PRESENT) continue;
        if (rv != CKR_OK) {
            return std::unexpected(
                ck_error(context + ": reading the token of slot " + std::to_string(slot), rv));
        }
        if ((info.flags & CKF_TOKEN_INITIALIZED) != 0) {
            if (unpad(info.label) == label) {
                return fail(Errc::conflict, context + ": a token with this label already exists");
            }
        } else if (!free_slot) {
            free_slot = slot;
        }
    }
    if (!free_slot) {
        return fail(Errc::unavailable, context + ": no slot holds an uninitialised token");
    }

    // §5.5 C_InitToken: the label is exactly 32 bytes, blank padded.
    std::array<CK_UTF8CHAR, label_size> padded{};
    padded.fill(' ');
    std::copy(label.begin(), label.end(), padded.begin());
    CK_RV rv = functions->C_InitToken(*free_slot, pin_bytes(so_pin), so_pin.size(), padded.data());
    if (rv != CKR_OK) return std::unexpected(ck_error(context + ": C_InitToken", rv));

    // SoftHSM gives the new token another slot id (and adds a fresh empty slot), so the token is
    // found again by its label rather than by the slot it was made in.
    auto tokens = present_tokens(functions);
    if (!tokens) return std::unexpected(tokens.error().with_context(context));
    const auto made = std::find_if(tokens->begin(), tokens->end(), [&](const auto& candidate) {
        return candidate.initialised && candidate.label == label;
    });
    if (made == tokens->end()) {
        return fail(Errc::internal, context + ": the token is not found after C_InitToken");
    }

    auto session = Session::open(functions, made->slot);
    if (!session) return std::unexpected(session.error().with_context(context));
    rv = functions->C_Login(session->handle(), CKU_SO, pin_bytes(so_pin), so_pin.size());
    if (rv != CKR_OK) return std::unexpected(ck_error(context + ": logging in as SO", rv));
    // §5.5 C_InitPIN sets the user PIN; it needs the SO logged in on a R/W session.
    rv = functions->C_InitPIN(session->handle(), pin_bytes(user_pin), user_pin.size());
    const CK_RV logout = functions->C_Logout(session->handle());
    if (rv != CKR_OK) return std::unexpected(ck_error(context + ": C_InitPIN", rv));
    if (logout != CKR_OK) {
        return std::unexpected(ck_error(context + ": logging the SO out", logout));
    }
    return {};
}

Result<PublicKey> Token::generate_key_pair(KeyAlgorithm algorithm, const KeyId& id,
                                           std::string_view label) {
    const std::string context =
        "generating " + std::string(to_string(algorithm)) + " " + impl_->key_name(id);
    if (id.empty()) return fail(Errc::bad_request, context + ": the key id (CKA_ID) is empty");

    std::lock_guard generating(impl_->generate_mutex_);
    return impl_->run(context, [&](Lease& lease) -> Result<PublicKey> {

        // A second object with this CKA_ID would make every later lookup ambiguous.
        for (const CK_OBJECT_CLASS object_class :
             {CK_OBJECT_CLASS{CKO_PRIVATE_KEY}, CK_OBJECT_CLASS{CKO_PUBLIC_KEY}}) {
            auto existing = find_objects(lease, object_class, id);
            if (!existing) return std::unexpected(existing.error().with_context(context));
            if (!existing->empty()) {
                return fail(Errc::conflict, context + ": a key with this CKA_ID already exists");
            }
        }

        CK_BBOOL yes = CK_TRUE;
        CK_BBOOL no = CK_FALSE;
        CK_OBJECT_CLASS public_class = CKO_PUBLIC_KEY;
        CK_OBJECT_CLASS private_class = CKO_PRIVATE_KEY;
        const bool rsa = algorithm == KeyAlgorithm::rsa_3072 || algorithm == KeyAlgorithm::rsa_4096;
        CK_KEY_TYPE key_type = rsa ? CKK_RSA : CKK_EC;
        CK_MECHANISM mechanism{rsa ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, nullptr, 0};
        CK_ULONG modulus_bits = algorithm == KeyAlgorithm::rsa_4096 ? 4096 : 3072;
        constexpr std::array<std::uint8_t, 3> public_exponent{0x01, 0x00, 0x01};  // 65537
        const std::span<const std::uint8_t> ec_params =
            algorithm == KeyAlgorithm::ec_p384 ? std::span<const std::uint8_t>(secp384r1_oid)
                                               : std::span<const std::uint8_t>(prime256v1_oid);

        // §4.8 public key: verification only, readable without login.
        std::vector<CK_ATTRIBUTE> public_template{
            attribute(CKA_CLASS, public_class),
            attribute(CKA_KEY_TYPE, key_type),
            attribute(CKA_TOKEN, yes),
            attribute(CKA_PRIVATE, no),
            attribute(CKA_VERIFY, yes),
            attribute(CKA_ENCRYPT, no),
            attribute(CKA_WRAP, no),
            attribute(CKA_VERIFY_RECOVER, no),
            attribute(CKA_DERIVE, no),
            bytes_attribute(CKA_ID, id),
            text_attribute(CKA_LABEL, label),
        };
        if (rsa) {
            public_template.push_back(attribute(CKA_MODULUS_BITS, modulus_bits));
            public_template.push_back(bytes_attribute(CKA_PUBLIC_EXPONENT, public_exponent));
        } else {
            public_template.push_back(bytes_attribute(CKA_EC_PARAMS, ec_params));
        }
        // §4.9 private key: a signing key that never leaves the token (CKA_SENSITIVE true and
        // CKA_EXTRACTABLE false also make CKA_ALWAYS_SENSITIVE and CKA_NEVER_EXTRACTABLE true), with
        // every other use set false explicitly rather than left to the module's defaults.
        std::vector<CK_ATTRIBUTE> private_template{
            attribute(CKA_CLASS, private_class),
            attribute(CKA_KEY_TYPE, key_type),
            attribute(CKA_TOKEN, yes),
            attribute(CKA_PRIVATE, yes),
            attribute(CKA_SENSITIVE, yes),
            attribute(CKA_EXTRACTABLE, no),
            attribute(CKA_SIGN, yes),
            attribute(CKA_DECRYPT, no),
            attribute(CKA_UNWRAP, no),
            attribute(CKA_DERIVE, no),
            attribute(CKA_SIGN_RECOVER, no),
            bytes_attribute(CKA_ID, id),
            text_attribute(CKA_LABEL, label),
        };

        CK_FUNCTION_LIST* functions = lease.functions();
        CK_OBJECT_HANDLE public_handle = CK_INVALID_HANDLE;
        CK_OBJECT_HANDLE private_handle = CK_INVALID_HANDLE;
        // §5.14 C_GenerateKeyPair.
        const CK_RV rv = lease.check(functions->C_GenerateKeyPair(
            lease.handle(), &mechanism, public_template.data(), public_template.size(),
            private_template.data(), private_template.size(), &public_handle, &private_handle));
        if (rv != CKR_OK) return std::unexpected(ck_error(context, rv));

        auto key = read_public_key(lease, public_handle);
        if (!key) {
            // A pair whose public key cannot be read is of no use and would block its CKA_ID.
            static_cast<void>(functions->C_DestroyObject(lease.handle(), private_handle));
            static_cast<void>(functions->C_DestroyObject(lease.handle(), public_handle));
            return std::unexpected(key.error().with_context(context));
        }
        impl_->remember(id, Impl::CachedKey{private_handle, key_type});
        return key;
    });
}

Result<PublicKey> Token::public_key(const KeyId& id) {
    const std::string context = "reading the public " + impl_->key_name(id);
    if (id.empty()) return fail(Errc::bad_request, context + ": the key id (CKA_ID) is empty");
    return impl_->run(context, [&](Lease& lease) -> Result<PublicKey> {
        auto handle = impl_->object(lease, CKO_PUBLIC_KEY, id, context);
        if (!handle) return std::unexpected(handle.error());
        auto key = read_public_key(lease, *handle);
        if (!key) return std::unexpected(key.error().with_context(context));
        return key;
    });
}

Result<std::vector<std::uint8_t>> Token::sign(const KeyId& id, std::span<const std::uint8_t> data) {
    const std::string context = "signing with " + impl_->key_name(id);
    if (id.empty()) return fail(Errc::bad_request, context + ": the key id (CKA_ID) is empty");
    return impl_->run(context, [&](Lease& lease) -> Result<std::vector<std::uint8_t>> {
        std::optional<Sha256> digest;  // for ECDSA only, computed once across the retry
        for (int attempt = 1;; ++attempt) {
            auto key = impl_->private_key(lease, id);
            if (!key) return std::unexpected(key.error());

            std::vector<std::uint8_t> signature;
            CK_RV rv = CKR_OK;
            if (key->type == CKK_RSA) {
                // Current Mechanisms §2.1.11: the token hashes and applies PKCS#1 v1.5 padding.
                rv = sign_once(lease, key->handle, CKM_SHA256_RSA_PKCS, data, signature);
            } else if (key->type == CKK_EC) {
                // Current Mechanisms §2.3.6: CKM_ECDSA signs a digest computed by the caller; SoftHSM
                // and most HSMs have no CKM_ECDSA_SHA256, so hashing here works everywhere.
                if (!digest) {
                    auto computed = sha256(data);
                    if (!computed) return std::unexpected(computed.error().with_context(context));
                    digest = *computed;
                }
                rv = sign_once(lease, key->handle, CKM_ECDSA, *digest, signature);
            } else {
                return fail(Errc::internal, context + ": its key type is " + std::to_string(key->type) +
                                                "; signet signs with RSA and EC keys only");
            }

            if (rv == CKR_OK) {
                if (key->type == CKK_EC) {
                    auto der = ecdsa_raw_to_der(signature);
                    if (!der) return std::unexpected(der.error().with_context(context));
                    return der;
                }
                return signature;
            }
            // The key was destroyed (and perhaps re-made) since its handle was cached: look it up
            // once more. A second failure is reported.
            if (attempt == 1 && (rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID)) {
                impl_->forget(id);
                continue;
            }
            lease.check(rv);
            return std::unexpected(ck_error(context, rv));
        }
    });
}

Status Token::store_certificate(const KeyId& id, std::string_view label,
                                std::span<const std::uint8_t> der) {
    return create_certificate(id, label, der, false);
}

Status Token::store_authority_certificate(std::string_view label, std::span<const std::uint8_t> der) {
    // Filed under the first 20 bytes of its own SHA-256: stable, so that a CA already stored
    // with an earlier key is found and not stored twice.
    unsigned char digest[32];
    if (der.empty() || SHA256(der.data(), der.size(), digest) == nullptr) {
        return fail(Errc::invalid_certificate, "storing an authority certificate: it is empty");
    }
    const KeyId id(digest, digest + 20);
    // Serialised like key generation, so that two imports of one chain store its CA once.
    std::lock_guard storing(impl_->generate_mutex_);
    const std::string context = "storing an authority certificate";
    auto existing = impl_->run(context, [&](Lease& lease) -> Result<bool> {
        auto found = find_objects(lease, CKO_CERTIFICATE, id);
        if (!found) return std::unexpected(found.error().with_context(context));
        return !found->empty();
    });
    if (!existing) return std::unexpected(existing.error());
    if (*existing) return {};
    return create_certificate(id, label, der, true);
}

Status Token::destroy_key_objects(const KeyId& id) {
    return destroy_objects(id, {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE}, "destroying ");
}

Status Token::destroy_certificates(const KeyId& id) {
    return destroy_objects(id, {CKO_CERTIFICATE}, "replacing the certificate of ");
}

Status Token::destroy_objects(const KeyId& id, std::initializer_list<CK_OBJECT_CLASS> classes, std::string_view what) {
    const std::string context = std::string(what) + impl_->key_name(id);
    if (id.empty()) return fail(Errc::bad_request, context + ": the key id (CKA_ID) is empty");
    return impl_->run(context, [&](Lease& lease) -> Status {
        // Private objects are invisible to a session that is not logged in: "none found" would
        // then mean "not looked at", and a destroyed key could still be there.
        CK_SESSION_INFO info{};
        CK_RV rv = lease.check(lease.functions()->C_GetSessionInfo(lease.handle(), &info));
        if (rv != CKR_OK) return std::unexpected(ck_error(context + ": C_GetSessionInfo", rv));
        if (info.state != CKS_RW_USER_FUNCTIONS) {
            // The token forgot the login (§5.6): what run() repairs when a call says
            // CKR_USER_NOT_LOGGED_IN, so the lease is told so.
            lease.check(CKR_USER_NOT_LOGGED_IN);
            return fail(Errc::unavailable, context + ": the session is not a logged-in read-write user session");
        }
        impl_->forget(id);
        for (const CK_OBJECT_CLASS object_class : classes) {
            // find_objects returns at most two handles: search again until none is left, a bounded
            // number of times in case the token keeps what it says it destroyed.
            for (int round = 0;; ++round) {
                auto found = find_objects(lease, object_class, id);
                if (!found) return std::unexpected(found.error().with_context(context));
                if (found->empty()) break;
                if (round == 64) return fail(Errc::unavailable, context + ": the token keeps objects it destroyed");
                for (const CK_OBJECT_HANDLE handle : *found) {
                    // §5.7 C_DestroyObject.
                    rv = lease.check(lease.functions()->C_DestroyObject(lease.handle(), handle));
                    if (rv != CKR_OK) return std::unexpected(ck_error(context, rv));
                }
            }
        }
        return {};
    });
}

Status Token::create_certificate(const KeyId& id, std::string_view label, std::span<const std::uint8_t> der,
                                 bool authority) {
    const std::string context = authority ? "storing the authority certificate '" + std::string(label) + "'"
                                          : "storing the certificate of " + impl_->key_name(id);
    if (id.empty()) return fail(Errc::bad_request, context + ": the key id (CKA_ID) is empty");
    if (der.empty() || der.size() > 1024 * 1024) {
        return fail(Errc::invalid_certificate, context + ": the certificate is empty or too large");
    }
    const unsigned char* in = der.data();
    const X509Ptr certificate(d2i_X509(nullptr, &in, static_cast<long>(der.size())));
    if (!certificate || in != der.data() + der.size()) {
        return fail(Errc::invalid_certificate,
                    openssl_error(context + ": not a single DER X.509 certificate"));
    }
    // §4.6.3 X.509 certificate objects: CKA_SUBJECT, CKA_ISSUER and CKA_SERIAL_NUMBER are the DER
    // of the certificate's own fields, which applications search on.
    auto subject = der_encode(
        [&](unsigned char** out) {
            return i2d_X509_NAME(X509_get_subject_name(certificate.get()), out);
        },
        "encoding the subject");
    auto issuer = der_encode(
        [&](unsigned char** out) {
            return i2d_X509_NAME(X509_get_issuer_name(certificate.get()), out);
        },
        "encoding the issuer");
    auto serial = der_encode(
        [&](unsigned char** out) {
            return i2d_ASN1_INTEGER(X509_get0_serialNumber(certificate.get()), out);
        },
        "encoding the serial number");
    if (!subject) return std::unexpected(subject.error().with_context(context));
    if (!issuer) return std::unexpected(issuer.error().with_context(context));
    if (!serial) return std::unexpected(serial.error().with_context(context));

    return impl_->run(context, [&](Lease& lease) -> Status {

        // A certificate filed under a key it does not certify would have every later CMS name the
        // wrong signer; when the key pair is in the token, the two must agree.
        auto public_handles = find_objects(lease, CKO_PUBLIC_KEY, id);
        if (!public_handles) return std::unexpected(public_handles.error().with_context(context));
        if (public_handles->size() == 1) {
            auto key = read_public_key(lease, public_handles->front());
            if (!key) return std::unexpected(key.error().with_context(context));
            const EVP_PKEY* certified = X509_get0_pubkey(certificate.get());
            if (certified == nullptr || EVP_PKEY_eq(key->get(), certified) != 1) {
                ERR_clear_error();
                return fail(Errc::invalid_certificate,
                            context + ": the certificate is not for the public key with that CKA_ID");
            }
        }

        CK_OBJECT_CLASS object_class = CKO_CERTIFICATE;
        CK_CERTIFICATE_TYPE certificate_type = CKC_X_509;
        CK_ULONG category = authority ? 2 : 1;  // §4.6.1 CKA_CERTIFICATE_CATEGORY: authority, token user
        CK_BBOOL yes = CK_TRUE;
        CK_BBOOL no = CK_FALSE;
        CK_ATTRIBUTE object[] = {
            attribute(CKA_CLASS, object_class),
            attribute(CKA_CERTIFICATE_TYPE, certificate_type),
            attribute(CKA_CERTIFICATE_CATEGORY, category),
            attribute(CKA_TOKEN, yes),
            attribute(CKA_PRIVATE, no),  // a certificate is public; readable without login
            bytes_attribute(CKA_ID, id),
            text_attribute(CKA_LABEL, label),
            bytes_attribute(CKA_VALUE, der),
            bytes_attribute(CKA_SUBJECT, *subject),
            bytes_attribute(CKA_ISSUER, *issuer),
            bytes_attribute(CKA_SERIAL_NUMBER, *serial),
        };
        CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
        // §5.7 C_CreateObject.
        const CK_RV rv = lease.check(
            lease.functions()->C_CreateObject(lease.handle(), object, std::size(object), &handle));
        if (rv != CKR_OK) return std::unexpected(ck_error(context, rv));
        return {};
    });
}

Result<bool> Token::ensure_wrapping_key(const KeyId& id, std::string_view label) {
    const std::string context = "making the wrapping key " + impl_->key_name(id);
    std::lock_guard generating(impl_->generate_mutex_);
    return impl_->run(context, [&](Lease& lease) -> Result<bool> {
        auto existing = find_objects(lease, CKO_SECRET_KEY, id);
        if (!existing) return std::unexpected(existing.error().with_context(context));
        if (!existing->empty()) return false;
        CK_OBJECT_CLASS secret_class = CKO_SECRET_KEY;
        CK_KEY_TYPE aes = CKK_AES;
        CK_ULONG length = 32;
        CK_BBOOL yes = CK_TRUE;
        CK_BBOOL no = CK_FALSE;
        CK_ATTRIBUTE key_template[] = {
            attribute(CKA_CLASS, secret_class), attribute(CKA_KEY_TYPE, aes),      attribute(CKA_VALUE_LEN, length),
            attribute(CKA_TOKEN, yes),          attribute(CKA_PRIVATE, yes),       attribute(CKA_SENSITIVE, yes),
            attribute(CKA_EXTRACTABLE, no),     attribute(CKA_ENCRYPT, yes),       attribute(CKA_DECRYPT, yes),
            attribute(CKA_SIGN, no),            attribute(CKA_VERIFY, no),         attribute(CKA_WRAP, no),
            attribute(CKA_UNWRAP, no),          attribute(CKA_DERIVE, no),         bytes_attribute(CKA_ID, id),
            text_attribute(CKA_LABEL, label),
        };
        CK_MECHANISM mechanism{CKM_AES_KEY_GEN, nullptr, 0};
        CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
        // §5.14 C_GenerateKey.
        const CK_RV rv = lease.check(lease.functions()->C_GenerateKey(lease.handle(), &mechanism, key_template,
                                                                        std::size(key_template), &handle));
        if (rv != CKR_OK) return std::unexpected(ck_error(context, rv));
        return true;
    });
}

namespace {

constexpr std::size_t gcm_iv_bytes = 12;
constexpr std::size_t gcm_tag_bytes = 16;

// One AES-GCM operation (§5.8 C_EncryptInit/C_Encrypt, §5.9 C_DecryptInit/C_Decrypt) with the
// §2.3 two-call length query.
Result<std::vector<std::uint8_t>> aes_gcm(Lease& lease, CK_OBJECT_HANDLE key, bool encrypt,
                                          std::span<const std::uint8_t> iv, std::string_view aad,
                                          std::span<const std::uint8_t> input, const std::string& context) {
    CK_GCM_PARAMS parameters{};
    parameters.iv_ptr = const_cast<std::uint8_t*>(iv.data());
    parameters.iv_len = iv.size();
    parameters.iv_bits = iv.size() * 8;
    parameters.aad_ptr = reinterpret_cast<unsigned char*>(const_cast<char*>(aad.data()));
    parameters.aad_len = aad.size();
    parameters.tag_bits = gcm_tag_bytes * 8;
    CK_MECHANISM mechanism{CKM_AES_GCM, &parameters, sizeof parameters};
    CK_FUNCTION_LIST* functions = lease.functions();
    CK_RV rv = lease.check(encrypt ? functions->C_EncryptInit(lease.handle(), &mechanism, key)
                                   : functions->C_DecryptInit(lease.handle(), &mechanism, key));
    if (rv != CKR_OK) return std::unexpected(ck_error(context, rv));
    auto* in = const_cast<std::uint8_t*>(input.data());
    CK_ULONG length = 0;
    rv = lease.check(encrypt ? functions->C_Encrypt(lease.handle(), in, input.size(), nullptr, &length)
                             : functions->C_Decrypt(lease.handle(), in, input.size(), nullptr, &length));
    if (rv != CKR_OK) return std::unexpected(ck_error(context, rv));
    std::vector<std::uint8_t> output(length);
    rv = lease.check(encrypt ? functions->C_Encrypt(lease.handle(), in, input.size(), output.data(), &length)
                             : functions->C_Decrypt(lease.handle(), in, input.size(), output.data(), &length));
    if (rv != CKR_OK) {
        explicit_bzero(output.data(), output.size());
        return std::unexpected(ck_error(context, rv));
    }
    output.resize(length);
    return output;
}

}  // namespace

Result<std::vector<std::uint8_t>> Token::seal_secret(const KeyId& id, const Secret& secret, std::string_view context) {
    const std::string what = "sealing a secret with " + impl_->key_name(id);
    return impl_->run(what, [&](Lease& lease) -> Result<std::vector<std::uint8_t>> {
        auto key = impl_->object(lease, CKO_SECRET_KEY, id, what);
        if (!key) return std::unexpected(key.error());
        std::vector<std::uint8_t> sealed(gcm_iv_bytes);
        if (RAND_bytes(sealed.data(), static_cast<int>(sealed.size())) != 1) {
            return fail(Errc::unavailable, what + ": the random generator failed");
        }
        const auto plaintext = std::span(reinterpret_cast<const std::uint8_t*>(secret.reveal().data()), secret.size());
        auto ciphertext = aes_gcm(lease, *key, true, std::span(sealed).first(gcm_iv_bytes), context, plaintext, what);
        if (!ciphertext) return std::unexpected(ciphertext.error());
        sealed.insert(sealed.end(), ciphertext->begin(), ciphertext->end());
        return sealed;
    });
}

Result<Secret> Token::open_secret(const KeyId& id, std::span<const std::uint8_t> sealed, std::string_view context) {
    const std::string what = "opening a sealed secret with " + impl_->key_name(id);
    if (sealed.size() < gcm_iv_bytes + gcm_tag_bytes) return fail(Errc::internal, what + ": it is too short");
    return impl_->run(what, [&](Lease& lease) -> Result<Secret> {
        auto key = impl_->object(lease, CKO_SECRET_KEY, id, what);
        if (!key) return std::unexpected(key.error());
        auto plaintext = aes_gcm(lease, *key, false, sealed.first(gcm_iv_bytes), context, sealed.subspan(gcm_iv_bytes), what);
        if (!plaintext) return std::unexpected(plaintext.error());
        Secret secret(std::string(plaintext->begin(), plaintext->end()));
        explicit_bzero(plaintext->data(), plaintext->size());
        return secret;
    });
}

Result<std::size_t> Token::index_keys() {
    const std::string context = "indexing the keys of token '" + impl_->name_ + "'";
    return impl_->run(context, [&](Lease& lease) { return impl_->index(lease, context); });
}

}  // namespace signet::hsm
