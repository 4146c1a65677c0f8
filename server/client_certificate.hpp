#pragma once
// The caller of a connection: its verified client certificate mapped to a role by the
// configuration.

#include <optional>
#include <vector>

#include <openssl/x509.h>

#include "config/client_identity.hpp"

namespace signet::daemon {

// `certificate` is the verified peer certificate, or null when the client sent none.
std::optional<config::ClientIdentity> identify(X509* certificate,
                                               const std::vector<config::ClientMapping>& mappings);

}  // namespace signet::daemon
