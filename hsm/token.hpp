#pragma once
// A PKCS#11 token through the module's own function list: find it by label or RFC 7512 URI,
// log in once, keep a bounded pool of sessions, find keys by CKA_ID, sign, generate key pairs,
// store certificates. See docs/decisions.md for why this is raw PKCS#11 and not libp11.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "hsm/module.hpp"
#include "base/error.hpp"
#include "base/secret.hpp"

namespace signet::hsm {

// rsa_2048 is for keys that live minutes (a guest's one-time key, KeyLifetime::session): where
// it may be used is the callers' policy, not the token's.
enum class KeyAlgorithm { rsa_2048, rsa_3072, rsa_4096, ec_p256, ec_p384 };

// Parses "rsa-2048", "rsa-3072", "rsa-4096", "ec-p256", "ec-p384".
Result<KeyAlgorithm> parse_key_algorithm(std::string_view name);
std::string_view to_string(KeyAlgorithm algorithm);

// Where a key pair is kept (§4.4 CKA_TOKEN); see Token::generate_key_pair.
enum class KeyLifetime {
    token,    // a token object: kept until destroy_key_objects
    session,  // a session object: gone with the session that made it, or with the process
};

struct EvpPkeyDeleter {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PublicKey = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

using KeyId = std::vector<std::uint8_t>;  // CKA_ID

// Reads the user PIN again (the PIN file, the systemd credential) when the token must be logged
// in again after it forgot the login; the Token wipes the PIN right after C_Login.
using PinSource = std::function<Result<Secret>()>;

enum class TokenHealth {
    ok,
    degraded,     // the token, the module or the login failed; recovery is retried with backoff
    pin_problem,  // re-login refused the PIN (wrong, locked, expired) or it could not be read;
                  // not retried automatically: only an explicit recover() tries it again
};
// "ok", "degraded", "pin_problem".
std::string_view to_string(TokenHealth health);

struct TokenState {
    TokenHealth health = TokenHealth::ok;
    std::string error;                              // the failure's sentence, naming its CKR_ code
    std::chrono::system_clock::time_point since{};  // when the token stopped being ok
};

class Token {
public:
    // Opens the token whose label is `token` (or which matches `token` as a "pkcs11:" URI of
    // RFC 7512: token, manufacturer, serial, model attributes), logs the user in with `pin`
    // and prepares up to `max_sessions` sessions. The PIN is not kept.
    // This Token cannot log in again by itself: a lost login makes it pin_problem.
    static Result<std::unique_ptr<Token>> open(std::shared_ptr<Module> module,
                                               std::string_view token, const Secret& pin,
                                               unsigned max_sessions);
    // The same, reading the PIN from `pin_source` now and whenever the token forgot the login
    // (see "Faults" below).
    static Result<std::unique_ptr<Token>> open(std::shared_ptr<Module> module,
                                               std::string_view token, PinSource pin_source,
                                               unsigned max_sessions);

    // dev-init: initialises the first free slot as a new token with this label, SO PIN and
    // user PIN. Fails with conflict if a token with that label already exists.
    static Status initialise(Module& module, std::string_view label, const Secret& so_pin,
                             const Secret& user_pin);

    // Stops the recovery thread, logs out (if this Token logged in) and closes the sessions.
    ~Token();
    Token(const Token&) = delete;
    Token& operator=(const Token&) = delete;

    // Faults. Every operation below fails with Errc::unavailable, with a sentence naming the
    // CKR_ code, when the token fails under it:
    // - a lost session or login (CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED,
    //   CKR_USER_NOT_LOGGED_IN, or private keys gone invisible): the operation opens another
    //   session, logs in again from the PinSource and is retried once, transparently;
    // - a token or module failure (CKR_DEVICE_ERROR, CKR_TOKEN_NOT_PRESENT, CKR_GENERAL_ERROR,
    //   ...; or the token no longer answering C_GetTokenInfo): health() turns degraded, later
    //   operations fail at once without calling the module, and a thread of the Token calls
    //   recover() after 0.5 s, 1 s, 2 s ... at most 30 s apart until it succeeds;
    // - a refused PIN at re-login: health() turns pin_problem, and nothing retries it.
    TokenState health() const;

    // Makes the token usable again; cheap when it is ok. After a token failure: closes the
    // sessions, C_Finalize + C_Initialize on the module, finds the token again by label or URI,
    // opens a session, logs in with the PinSource, forgets every cached object handle and
    // re-runs index_keys(). After a PIN problem it reads the PIN once more. One attempt, no loop.
    Status recover();

    // A key pair made inside the token: private key CKA_PRIVATE, CKA_SENSITIVE, CKA_SIGN true,
    // CKA_EXTRACTABLE false and no other usage; public key CKA_VERIFY only. Both carry `id` and
    // `label`, and CKA_TOKEN true unless `lifetime` is session. Returns the public key.
    //
    // KeyLifetime::session makes both halves session objects (CKA_TOKEN false, §4.4), for
    // one-time keys: no crash, kill or power cut can leave a usable one on the token, since
    // nothing of them is ever written to it. Every session of this process sees them (§4.4), so
    // sign(), public_key() and destroy_key_objects() find them like any key; another process
    // never does. They last only as long as the pool's session that made them. The pool keeps
    // it open (it never shrinks nor closes idle sessions) until:
    // - destroy_key_objects(id), which callers should call as soon as the key has served;
    // - this Token is destroyed, or recovers from a token failure (recover() closes every
    //   session, and C_Finalize ends them all);
    // - a call on that session fails in a way that makes the pool close it (session_lost:
    //   CKR_DEVICE_ERROR, CKR_OPERATION_ACTIVE, ...), the token drops the session
    //   (C_CloseAllSessions), or the login ends (C_Logout destroys private session objects,
    //   §5.6): run()'s transparent repair brings a new session and login, not the key.
    // After that, sign(id) and public_key(id) fail with not_found, as for a destroyed key: the
    // key is gone, not out of reach, and its user must start again with a new one.
    Result<PublicKey> generate_key_pair(KeyAlgorithm algorithm, const KeyId& id,
                                        std::string_view label,
                                        KeyLifetime lifetime = KeyLifetime::token);

    // Learns the handle of every private and public key in the token, with one search per class,
    // so that later lookups by CKA_ID read one attribute instead of searching: a token's search
    // costs as much as it has objects (SoftHSM looks at each), and the token holds one key per
    // person. Returns how many keys were indexed. signetd calls it once at start; a key made
    // later is found by one search on first use.
    Result<std::size_t> index_keys();

    // The public key of the key pair with this CKA_ID (not_found if there is none).
    Result<PublicKey> public_key(const KeyId& id);

    // Signs `data` with the private key `id`: RSA PKCS#1 v1.5 with SHA-256 (CKM_SHA256_RSA_PKCS),
    // or ECDSA over SHA-256(data) returned as a DER ECDSA-Sig-Value (RFC 5480 §2.2 / RFC 5753),
    // i.e. the encodings CMS and X.509 expect.
    Result<std::vector<std::uint8_t>> sign(const KeyId& id, std::span<const std::uint8_t> data);

    // Stores a DER certificate as a CKO_CERTIFICATE object with this CKA_ID and label.
    Status store_certificate(const KeyId& id, std::string_view label,
                             std::span<const std::uint8_t> der);

    // Stores a CA certificate of a key's chain (CKA_CERTIFICATE_CATEGORY authority) unless the
    // token holds it already.
    Status store_authority_certificate(std::string_view label, std::span<const std::uint8_t> der);

    // Deletes the private key, public key and certificate objects with this CKA_ID; the key can
    // never sign again. Succeeds when none is left, so a second call changes nothing.
    Status destroy_key_objects(const KeyId& id);

    // Deletes the certificate objects with this CKA_ID, before a corrected one is stored.
    Status destroy_certificates(const KeyId& id);

    // A secret AES-256 key for sealing small secrets (TOTP seeds) kept outside the token: made
    // here with CKA_SENSITIVE, not extractable, encrypt and decrypt only, unless the token
    // already holds a secret key with this CKA_ID. True when it made the key now.
    Result<bool> ensure_wrapping_key(const KeyId& id, std::string_view label);

    // AES-256-GCM under the wrapping key `id`: 12-byte IV || ciphertext || 16-byte tag. `context`
    // is authenticated, not stored: a sealed secret opens only for the owner it was sealed for.
    Result<std::vector<std::uint8_t>> seal_secret(const KeyId& id, const Secret& secret,
                                                  std::string_view context);
    // The secret back. A sealed value whose tag does not verify (changed bytes, another
    // owner's context) is refused by the token.
    Result<Secret> open_secret(const KeyId& id, std::span<const std::uint8_t> sealed, std::string_view context);

    // A secret key for keyed hashes of one-time codes (mac()): 32 random bytes made here as a
    // CKK_GENERIC_SECRET with CKA_SENSITIVE, not extractable, sign and verify only, unless the
    // token already holds a secret key with this CKA_ID. True when it made the key now. A code's
    // MAC can be stored where its plain hash could be brute-forced (a 6-digit code has 10^6
    // values): without the token, the stored value says nothing.
    Result<bool> ensure_mac_key(const KeyId& id, std::string_view label);

    // HMAC-SHA256 (RFC 2104, CKM_SHA256_HMAC) of `data` under the MAC key `id`: 32 bytes.
    // Callers compare MACs with CRYPTO_memcmp, not ==, whose timing tells how many bytes matched.
    Result<std::vector<std::uint8_t>> mac(const KeyId& id, std::span<const std::uint8_t> data);

private:
    Status destroy_objects(const KeyId& id, std::initializer_list<CK_OBJECT_CLASS> classes, std::string_view what);
    Status create_certificate(const KeyId& id, std::string_view label, std::span<const std::uint8_t> der,
                              bool authority);

    struct Impl;
    explicit Token(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace signet::hsm
