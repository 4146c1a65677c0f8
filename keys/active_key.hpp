#pragma once
// A key in use: the active key of a purpose ('seal', 'audit') in the key register, with its
// certificate and chain, ready to sign through the HSM.

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "keys/certificate_checks.hpp"
#include "hsm/token.hpp"
#include "pdf/cades.hpp"
#include "base/error.hpp"
#include "store/database.hpp"

namespace signet::daemon {

struct ActiveKey {
    hsm::KeyId id;
    std::string id_hex;
    cms::Certificate certificate;
    std::vector<cms::Certificate> chain;  // issuer first
    std::string certificate_sha256;
    std::size_t signature_size = 0;       // bytes to reserve in the PDF placeholder
    std::string purpose;
    Validity validity;

    cms::Signer signer() const;
};

// Reads the active key of `purpose` from the register (unavailable when there is none) and
// checks that the token holds its private key and that the certificate is the key's.
Result<ActiveKey> load_active_key(store::Database& db, hsm::Token& token, const std::string& purpose);

// The same, or nullopt when no key of `purpose` is active (the TSA key, which is optional).
Result<std::optional<ActiveKey>> find_active_key(store::Database& db, hsm::Token& token, const std::string& purpose);

// The key `key_id` of the register, whatever its state, with the same checks.
Result<ActiveKey> load_key(store::Database& db, hsm::Token& token, const std::string& key_id);

// The active key of one purpose as the daemon's threads see it. A job takes the key once
// (`get`) and signs with it to the end, while an activation puts its successor in place
// (`set`): a rotation has no moment without an active key and fails no job in flight.
class KeySlot {
public:
    // Empty: in the installation ceremony (first_keys.hpp) before the first activation, and for
    // the optional purposes (TSA, guest CA) while none is active.
    KeySlot() = default;
    explicit KeySlot(ActiveKey key) : key_(std::make_shared<const ActiveKey>(std::move(key))) {}
    std::shared_ptr<const ActiveKey> get() const {
        std::lock_guard lock(mutex_);
        return key_;
    }
    void set(ActiveKey key) {
        auto next = std::make_shared<const ActiveKey>(std::move(key));
        std::lock_guard lock(mutex_);
        key_ = std::move(next);
    }
    // The active guest CA retired without a successor (the only purpose that may have none).
    void clear() {
        std::lock_guard lock(mutex_);
        key_.reset();
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const ActiveKey> key_;
};

}  // namespace signet::daemon
