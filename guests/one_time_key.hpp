#pragma once
// A guest's one-time key (issue 22): a key pair made in the token for one co-signature, as a
// PKCS#11 session object (CKA_TOKEN false), so that it vanishes with its session and a crash of
// signetd cannot leave it usable; non-extractable and CKA_SIGN only. Its certificate (the
// guest's name and e-mail, valid one hour) is issued by the guest CA inside the token. The key
// is destroyed as soon as the signature is made (destroy()), or by the destructor when the job
// fails before.

#include <memory>
#include <string>

#include "base/error.hpp"
#include "base/time.hpp"
#include "guests/guest_register.hpp"
#include "hsm/token.hpp"
#include "keys/active_key.hpp"

namespace signet::daemon {

// How long a guest's certificate is valid.
inline constexpr std::chrono::hours guest_certificate_validity{1};

class OneTimeKey {
public:
    // A key of `algorithm` for `guest`, certified by `guest_ca` from `now` for an hour.
    static Result<std::unique_ptr<OneTimeKey>> make(hsm::Token& token, const ActiveKey& guest_ca,
                                                    hsm::KeyAlgorithm algorithm, const Guest& guest,
                                                    signet::Timestamp now);
    ~OneTimeKey();
    OneTimeKey(const OneTimeKey&) = delete;
    OneTimeKey& operator=(const OneTimeKey&) = delete;

    // The key as the job signs with it: its certificate and chain (the guest CA's first).
    std::shared_ptr<const ActiveKey> key() const { return key_; }
    const std::string& certificate_serial() const { return serial_hex_; }

    // Deletes the key's objects from the token now. After a failure the key still goes with its
    // session; the caller records which happened.
    Status destroy();

private:
    OneTimeKey(hsm::Token& token, std::shared_ptr<const ActiveKey> key, std::string serial_hex)
        : token_(token), key_(std::move(key)), serial_hex_(std::move(serial_hex)) {}

    hsm::Token& token_;
    std::shared_ptr<const ActiveKey> key_;
    std::string serial_hex_;
    bool destroyed_ = false;
};

}  // namespace signet::daemon
