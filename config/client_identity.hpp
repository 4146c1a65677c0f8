#pragma once
// Who is calling: the verified client certificate's fingerprint and subject CN, and the role
// the configuration maps it to. The server finds it (server/client_certificate.hpp); the jobs,
// key ceremonies and audit entries only read it, so it lives with the roles it names.

#include <optional>
#include <string>

#include "config/config.hpp"

namespace signet::config {

struct ClientIdentity {
    std::string fingerprint;  // SHA-256 of the DER certificate, lowercase hex
    std::string subject_cn;
    std::optional<Role> role;  // none: the certificate maps to no role (401)
};

}  // namespace signet::config
