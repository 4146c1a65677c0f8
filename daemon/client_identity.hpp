#pragma once
// Who is calling: the verified client certificate's fingerprint and subject CN, and the role
// the configuration maps it to.

#include <optional>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "config/config.hpp"

namespace signet::daemon {

struct ClientIdentity {
    std::string fingerprint;  // SHA-256 of the DER certificate, lowercase hex
    std::string subject_cn;
    std::optional<config::Role> role;  // none: the certificate maps to no role (401)
};

// `certificate` is the verified peer certificate, or null when the client sent none.
std::optional<ClientIdentity> identify(X509* certificate,
                                       const std::vector<config::ClientMapping>& mappings);

}  // namespace signet::daemon
