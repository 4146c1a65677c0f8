#include "keys/token_open.hpp"

#include <cstdlib>

#include "base/secret_file.hpp"

namespace signet::daemon {

Result<std::unique_ptr<hsm::Token>> open_configured_token(const config::Hsm& settings) {
    if (settings.softhsm_conf) {
        // SoftHSM reads its configuration file's path from the environment at C_Initialize;
        // setting it here keeps `--config FILE` self-sufficient.
        ::setenv("SOFTHSM2_CONF", settings.softhsm_conf->c_str(), 1);
    }
    auto module = hsm::Module::load(settings.module);
    if (!module) return std::unexpected(module.error());
    // The PIN is wiped after each C_Login; the file is read again only for a new login (a lost
    // session, a re-initialised module).
    return hsm::Token::open(*module, settings.token, [path = settings.pin_file] { return read_secret_file(path); },
                            settings.sessions);
}

}  // namespace signet::daemon
