#pragma once
// A key in use: the active key of a purpose ('seal', 'audit') in the key register, with its
// certificate and chain, ready to sign through the HSM.

#include <cstddef>
#include <string>
#include <vector>

#include "hsm/token.hpp"
#include "pdf/cades.hpp"
#include "policy/error.hpp"
#include "store/database.hpp"

namespace signet::daemon {

struct ActiveKey {
    hsm::KeyId id;
    std::string id_hex;
    pdf::Certificate certificate;
    std::vector<pdf::Certificate> chain;  // issuer first
    std::string certificate_sha256;
    std::size_t signature_size = 0;       // bytes to reserve in the PDF placeholder

    pdf::Signer signer() const;
};

// Reads the active key of `purpose` from the register (unavailable when there is none) and
// checks that the token holds its private key and that the certificate is the key's.
Result<ActiveKey> load_active_key(store::Database& db, hsm::Token& token, const std::string& purpose);

}  // namespace signet::daemon
