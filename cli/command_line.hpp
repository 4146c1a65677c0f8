// What signetctl's command groups share: the usage text, option parsing that answers errors
// with it, and the connection to signetd.

#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "cli/https_client.hpp"

namespace signet::daemon {

namespace po = boost::program_options;

// Printed for --help, for an unknown command and after every option error. Exit codes: 0 done,
// 1 the command failed, 2 the command line or its input files are wrong.
extern const char* const usage;

// Parses `args` against `options`; positional names in order. nullopt after printing the error.
std::optional<po::variables_map> parse(const std::string& command, const std::vector<std::string>& args,
                                       const po::options_description& options,
                                       const po::positional_options_description& positional);

std::optional<std::string> read_whole(const std::string& path);

// The options every command that calls signetd takes.
po::options_description connection_options(const char* title);

Result<std::string> get(const po::variables_map& vm, const std::string& path);

// `method` on `path` with a body of `content_type`; any status comes back as it is.
Result<HttpsReply> send(const po::variables_map& vm, const std::string& method, const std::string& path,
                        const std::string& body, const std::string& content_type);

// One API call for `command`; the JSON answer of a 2xx, else nullopt after printing why.
std::optional<nlohmann::json> call(const std::string& command, const po::variables_map& vm, const std::string& method,
                                   const std::string& path, const std::string& body = "");

}  // namespace signet::daemon
