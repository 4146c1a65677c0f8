// Installation: dev-init and dev-crl, and what lets keys generate, import-cert and activate run as the
// installation ceremony (first_keys.hpp) before signetd's first start.

#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/command_line.hpp"
#include "cli/first_keys.hpp"

namespace signet::daemon {

int dev_init_command(const std::vector<std::string>& args);
int dev_crl_command(const std::vector<std::string>& args);

// What the installation ceremony's commands (keys generate, import-cert, activate) take:
// CONNECTION, or --config and --officer to act on signetd's token and database directly
// before its first start.
po::options_description ceremony_options(const std::string& title);

using Offline = std::function<Result<JsonReply>(FirstKeys&, const std::string&)>;

// The API call, or with --config its offline counterpart `act`.
std::optional<nlohmann::json> submit(const std::string& command, const po::variables_map& vm, const std::string& method,
                                     const std::string& path, const std::string& body, const Offline& act);

}  // namespace signet::daemon
