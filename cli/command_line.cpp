#include "cli/command_line.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace signet::daemon {
namespace {

// The connection's options and the variables that stand in for them.
struct ConnectionVariable {
    const char* option;
    const char* variable;
};
constexpr ConnectionVariable connection_variables[] = {
    {"url", "SIGNET_URL"}, {"cacert", "SIGNET_CACERT"}, {"cert", "SIGNET_CERT"}, {"key", "SIGNET_KEY"}};

bool asks_for_help(const std::vector<std::string>& args) {
    for (const std::string& arg : args) {
        if (arg == "--help" || arg == "-h") return true;
    }
    return false;
}

void print_help(const std::string& command, const po::options_description& options) {
    const Command* known = find_command(command);
    std::cout << "usage: signetctl " << command;
    if (known != nullptr) std::cout << " " << known->synopsis << "\n\n" << known->summary;
    std::cout << "\n\n" << options;
    if (known != nullptr) std::cout << "\nexample:\n  " << known->example << "\n";
}

// The SIGNET_* variables of the connection options `options` has and the command line left
// unset: flags win.
void store_environment(const po::options_description& options, po::variables_map& vm) {
    if (vm.count("config")) return;  // the ceremony without signetd takes no connection
    for (const auto& [option, variable] : connection_variables) {
        const char* value = std::getenv(variable);
        if (value == nullptr || vm.count(option) || options.find_nothrow(option, false) == nullptr) continue;
        vm.insert({option, po::variable_value(std::string(value), false)});
    }
}

}  // namespace

Parsed parse(const std::string& command, const std::vector<std::string>& args, const po::options_description& options,
             const std::vector<Positional>& positional) {
    if (asks_for_help(args)) {
        print_help(command, options);
        return std::unexpected(0);
    }
    po::options_description all;
    all.add(options);
    po::positional_options_description order;
    for (const Positional& argument : positional) {
        all.add_options()(argument.name.c_str(), po::value<std::string>(), argument.shown.c_str());
        order.add(argument.name.c_str(), 1);
    }
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).positional(order).run(), vm);
        store_environment(options, vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return std::unexpected(complain(command, std::string(e.what()) + " (signetctl " + command +
                                                     " --help lists the options)",
                                        exit_usage));
    }
    for (const Positional& argument : positional) {
        if (!vm.count(argument.name)) return std::unexpected(complain(command, argument.shown + " is missing", exit_usage));
    }
    if (vm.count("config")) {  // the installation ceremony: no signetd, so no connection
        for (const auto& [option, variable] : connection_variables) {
            if (vm.count(option)) return std::unexpected(complain(command, "--config takes no --" + std::string(option), exit_usage));
        }
        if (!vm.count("officer")) return std::unexpected(complain(command, "--config needs --officer", exit_usage));
    } else {
        for (const auto& [option, variable] : connection_variables) {
            if (options.find_nothrow(option, false) == nullptr || vm.count(option)) continue;
            return std::unexpected(complain(command,
                                            std::string("--") + option + " is missing: give it or set " + variable +
                                                (options.find_nothrow("config", false) != nullptr
                                                     ? " (or, before signetd's first start, --config and --officer)"
                                                     : ""),
                                            exit_usage));
        }
    }
    return vm;
}

std::optional<std::string> read_whole(const std::string& path) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) return std::nullopt;  // which ifstream opens
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

po::options_description connection_options() {
    po::options_description options("connection (a flag wins over its SIGNET_* variable)");
    options.add_options()("url", po::value<std::string>(), "signetd's address, https://HOST:PORT (SIGNET_URL)")(
        "cacert", po::value<std::string>(), "the CA of signetd's TLS certificate, PEM (SIGNET_CACERT)")(
        "cert", po::value<std::string>(), "your client certificate, PEM (SIGNET_CERT)")(
        "key", po::value<std::string>(), "its private key, PEM (SIGNET_KEY)")(
        "json", po::bool_switch(), "print signetd's JSON answer as it is, for scripts");
    return options;
}

bool json_output(const po::variables_map& vm) { return vm.count("json") && vm["json"].as<bool>(); }

Result<HttpsReply> send(const po::variables_map& vm, HttpsRequest request) {
    request.url = vm["url"].as<std::string>() + request.url;
    return https_call(std::move(request), {vm["cacert"].as<std::string>(), vm["cert"].as<std::string>(),
                                           vm["key"].as<std::string>()});
}

std::optional<Answer> call(const std::string& command, const po::variables_map& vm, const std::string& method,
                           const std::string& path, const std::string& body) {
    auto reply = send(vm, {.method = method, .url = path, .body = body});
    if (!reply) {
        complain(command, reply.error().message, exit_failed);
        return std::nullopt;
    }
    if (reply->status < 200 || reply->status > 299) {
        complain(command, reply_error(*reply), exit_failed);
        return std::nullopt;
    }
    auto parsed = nlohmann::json::parse(reply->body, nullptr, false);
    if (!parsed.is_object()) {
        complain(command, "signetd's answer is not JSON", exit_failed);
        return std::nullopt;
    }
    return Answer{std::move(parsed), std::move(reply->body)};
}

int complain(const std::string& command, const std::string& message, int code) {
    std::cerr << "signetctl " << command << ": " << message << "\n";
    return code;
}

}  // namespace signet::daemon
