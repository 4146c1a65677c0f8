#pragma once
// The HSM as the configuration names it: the PKCS#11 module loaded (with SOFTHSM2_CONF set when
// the configuration gives one) and the token logged in, with the PIN file read again only when
// the token has to log in anew. Shared by signetd and signetctl's offline commands.

#include <memory>

#include "config/config.hpp"
#include "hsm/module.hpp"
#include "hsm/token.hpp"
#include "base/error.hpp"

namespace signet::daemon {

Result<std::unique_ptr<hsm::Token>> open_configured_token(const config::Hsm& settings);

}  // namespace signet::daemon
