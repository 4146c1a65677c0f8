#pragma once
// What SIGHUP reloads without dropping a connection: the TLS context (server certificate and
// key, client CA) and the mapping of client certificates to roles. A connection keeps the
// credentials it was accepted with; new connections get the reloaded ones.

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "config/config.hpp"
#include "base/error.hpp"

namespace signet::daemon {

struct Credentials {
    boost::asio::ssl::context tls;
    std::vector<config::ClientMapping> clients;
};

class ServerCredentials {
public:
    static Result<std::shared_ptr<Credentials>> make(const config::Config& config);

    explicit ServerCredentials(std::shared_ptr<Credentials> initial) : current_(std::move(initial)) {}

    std::shared_ptr<Credentials> current() const;
    // Re-reads `config_file`'s [tls] and [[client]] tables. Any error keeps the credentials in
    // use: a typo in a reload must not take the service down.
    Status reload(const std::filesystem::path& config_file);

private:
    mutable std::mutex mutex_;
    std::shared_ptr<Credentials> current_;  // guarded by mutex_
};

}  // namespace signet::daemon
