#include "server/server_credentials.hpp"

#include "server/tls_context.hpp"

namespace signet::daemon {

Result<std::shared_ptr<Credentials>> ServerCredentials::make(const config::Config& config) {
    auto tls = make_server_tls_context(config.tls);
    if (!tls) return std::unexpected(tls.error());
    return std::make_shared<Credentials>(Credentials{std::move(*tls), config.clients});
}

std::shared_ptr<Credentials> ServerCredentials::current() const {
    std::lock_guard lock(mutex_);
    return current_;
}

Status ServerCredentials::reload(const std::filesystem::path& config_file) {
    auto config = config::load(config_file);
    if (!config) return std::unexpected(config.error());
    auto fresh = make(*config);
    if (!fresh) return std::unexpected(fresh.error());
    std::lock_guard lock(mutex_);
    current_ = std::move(*fresh);
    return {};
}

}  // namespace signet::daemon
