// signetctl: the command-line tool for operators, officers and auditors: dev-init, the
// officers' key lifecycle and approvals, and the auditor's export and offline verification of
// the key-usage log.

#include <sys/prctl.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli/audit_commands.hpp"
#include "cli/command_line.hpp"
#include "cli/install_commands.hpp"
#include "cli/keys_commands.hpp"
#include "cli/evidence_commands.hpp"

int main(int argc, char** argv) {
    using namespace signet::daemon;
    // dev-init makes PINs and private keys, and the officers' commands hold a client key: no
    // core file of this process either.
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        std::cerr << "signetctl: cannot turn core dumps off\n";
        return 1;
    }
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        std::cout << usage;
        return argc < 2 ? 2 : 0;
    }
    std::string command = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    if (command == "dev-init") return dev_init_command(args);
    if (command == "dev-crl") return dev_crl_command(args);
    if (command == "timestamp") return timestamp_command(args);
    if (command == "extend") return extend_command(args);
    if (command == "audit" && !args.empty() && args[0] == "export") return audit_export({args.begin() + 1, args.end()});
    if (command == "audit" && !args.empty() && args[0] == "verify") return audit_verify({args.begin() + 1, args.end()});
    const std::string sub = args.empty() ? "" : args[0];
    const std::vector<std::string> rest = args.empty() ? args : std::vector<std::string>(args.begin() + 1, args.end());
    if (command == "keys" && sub == "list") return keys_list(rest);
    if (command == "keys" && sub == "generate") return keys_generate(rest);
    if (command == "keys" && sub == "import-cert") return keys_import_cert(rest);
    if (command == "keys" && (sub == "activate" || sub == "retire" || sub == "destroy")) return keys_change(sub, rest);
    if (command == "approvals" && sub == "list") return approvals_list(rest);
    if (command == "approvals" && sub == "approve") return approvals_approve(rest);
    std::cerr << "signetctl: unknown command '" << command << "'\n" << usage;
    return 2;
}
