// Installation: what lets keys generate, import-cert and activate run as the
// installation ceremony (first_keys.hpp) before signetd's first start.

#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/command_line.hpp"
#include "cli/first_keys.hpp"

namespace signet::daemon {

// What the installation ceremony's commands (keys generate, import-cert, activate) take:
// CONNECTION, or --config and --officer to act on signetd's token and database directly
// before its first start. `title` heads the command's own options, which the caller adds.
po::options_description ceremony_options(const std::string& title);

using Offline = std::function<Result<JsonReply>(FirstKeys&, const std::string&)>;

// The API call, or with --config its offline counterpart `act` (whose JSON is the answer's body).
std::optional<Answer> submit(const std::string& command, const po::variables_map& vm, const std::string& method,
                                     const std::string& path, const std::string& body, const Offline& act);

}  // namespace signet::daemon
