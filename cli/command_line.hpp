// What signetctl's command groups share: the commands with their help, option parsing that
// answers --help and every error, the connection to signetd (flags, else the SIGNET_*
// variables), and the call whose answer a command prints as a sentence or table, or with
// --json as signetd wrote it.

#pragma once

#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "cli/https_client.hpp"

namespace signet::daemon {

namespace po = boost::program_options;

// Exit codes: 0 done, 1 the command failed (signetd refused, the network, a file it could not
// write), 2 the command line or its input files are wrong.
inline constexpr int exit_failed = 1;
inline constexpr int exit_usage = 2;

struct Command {
    std::string name;      // "keys generate"
    std::string synopsis;  // what follows "signetctl <name>" on the usage line
    std::string summary;   // what it does, and with which certificate
    std::string example;   // a whole command line
    std::function<int(const std::vector<std::string>&)> run;
};

// Every command, in the order `signetctl --help` lists them (command_table.cpp).
const std::vector<Command>& commands();
const Command* find_command(std::string_view name);

// The text of `signetctl --help`.
std::string overview();

// A positional argument: its option name, and how the usage line shows it ("IN.pdf").
struct Positional {
    std::string name;
    std::string shown;
};

// The parsed command line, or the exit code once --help (0) or the error (2) is printed.
using Parsed = std::expected<po::variables_map, int>;

// Parses `args` of `command` against `options` and the positional arguments, in order, all
// required. --help or -h anywhere prints the command's help. With connection_options() among
// `options`, each of --url, --cacert, --cert and --key not given comes from its SIGNET_*
// variable; with --config (the installation ceremony, without signetd) none of them is taken
// and --officer is required.
Parsed parse(const std::string& command, const std::vector<std::string>& args, const po::options_description& options,
             const std::vector<Positional>& positional = {});

std::optional<std::string> read_whole(const std::string& path);

// --url, --cacert, --cert, --key and --json. The connection's four are checked by parse().
po::options_description connection_options();

// Whether --json asks for signetd's JSON as it is.
bool json_output(const po::variables_map& vm);

// `request` (its URL a path: "/v1/keys") sent to the connection's signetd; any status comes back.
Result<HttpsReply> send(const po::variables_map& vm, HttpsRequest request);

// An answer of signetd: its JSON, and its body as sent (which --json prints).
struct Answer {
    nlohmann::json json;
    std::string body;
};

// One API call for `command`: a 2xx with a JSON object, else nullopt after printing why.
std::optional<Answer> call(const std::string& command, const po::variables_map& vm, const std::string& method,
                           const std::string& path, const std::string& body = "");

// Prints "signetctl <command>: <message>" on stderr and gives `code` back.
int complain(const std::string& command, const std::string& message, int code);

}  // namespace signet::daemon
