#include "cli/command_table.hpp"

#include <algorithm>
#include <iostream>
#include <sstream>

#include "cli/commands/command_groups.hpp"

namespace signet::daemon {
namespace {

std::vector<Command> all_commands() {
    std::vector<Command> all;
    for (auto group : {health_commands, document_commands, evidence_commands, keys_commands, approvals_commands,
                       audit_commands, install_commands}) {
        for (Command& command : group()) all.push_back(std::move(command));
    }
    return all;
}

bool is_help(const std::string& arg) { return arg == "--help" || arg == "-h"; }

// The commands of group `group` ("keys"), none when it is not one.
std::vector<const Command*> group_members(const std::string& group) {
    std::vector<const Command*> members;
    for (const Command& command : commands()) {
        if (command.name.starts_with(group + " ")) members.push_back(&command);
    }
    return members;
}

}  // namespace

const std::vector<Command>& commands() {
    static const std::vector<Command> table = all_commands();
    return table;
}

const Command* find_command(std::string_view name) {
    for (const Command& command : commands()) {
        if (command.name == name) return &command;
    }
    return nullptr;
}

std::string overview() {
    std::ostringstream text;
    text << "usage: signetctl [--json] COMMAND [SUBCOMMAND] [OPTIONS]\n\ncommands:\n";
    for (const Command& command : commands()) {
        text << "  signetctl " << command.name << " " << command.synopsis << "\n      " << command.summary << "\n";
    }
    text << "\nCONNECTION is --url https://HOST:PORT --cacert CA --cert CERT --key KEY, or the variables\n"
            "SIGNET_URL, SIGNET_CACERT, SIGNET_CERT and SIGNET_KEY (a flag wins over its variable).\n"
            "--json prints signetd's JSON answer as it is. `signetctl COMMAND --help` shows a command's\n"
            "options and an example.\n"
            "exit status: 0 done, 1 the command failed, 2 the command line or an input file is wrong.\n";
    return text.str();
}

int run_signetctl(std::vector<std::string> args) {
    // --json before the command counts as the command's own.
    std::vector<std::string> global;
    while (!args.empty() && args.front() == "--json") {
        global.push_back(args.front());
        args.erase(args.begin());
    }
    if (args.empty() || is_help(args.front()) || args.front() == "help") {
        (args.empty() ? std::cerr : std::cout) << overview();
        return args.empty() ? exit_usage : 0;
    }
    // A group's subcommand ("keys list") or a command of its own ("seal").
    std::size_t words = 2;
    const Command* command = args.size() >= 2 ? find_command(args[0] + " " + args[1]) : nullptr;
    if (command == nullptr) {
        words = 1;
        command = find_command(args[0]);
    }
    if (command == nullptr) {
        const auto members = group_members(args[0]);
        if (members.empty()) {
            std::cerr << "signetctl: there is no command '" << args[0] << "' (signetctl --help lists them)\n";
            return exit_usage;
        }
        const bool help = args.size() >= 2 && is_help(args[1]);
        if (args.size() >= 2 && !help) {
            std::cerr << "signetctl " << args[0] << ": there is no subcommand '" << args[1] << "' (signetctl "
                      << args[0] << " --help lists them)\n";
            return exit_usage;
        }
        std::ostream& out = help ? std::cout : std::cerr;
        out << "usage: signetctl " << args[0] << " SUBCOMMAND [OPTIONS]\n\nsubcommands:\n";
        for (const Command* member : members) {
            out << "  signetctl " << member->name << " " << member->synopsis << "\n      " << member->summary << "\n";
        }
        out << "\n`signetctl " << args[0] << " SUBCOMMAND --help` shows its options and an example.\n";
        return help ? 0 : exit_usage;
    }
    std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(words), args.end());
    rest.insert(rest.end(), global.begin(), global.end());
    return command->run(rest);
}

}  // namespace signet::daemon
