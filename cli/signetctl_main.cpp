// signetctl: the command-line tool of operators, officers, auditors and the platform's
// developers: dev-init, health, seals, signatures, extensions and time-stamps, the officers'
// key life cycle and approvals, and the auditor's export and offline verification of the
// key-usage log. `signetctl --help` lists the commands (cli/command_table.cpp).

#include <sys/prctl.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli/command_table.hpp"

int main(int argc, char** argv) {
    // dev-init makes PINs and private keys, and the officers' commands hold a client key: no
    // core file of this process either.
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        std::cerr << "signetctl: cannot turn core dumps off\n";
        return 1;
    }
    return signet::daemon::run_signetctl(std::vector<std::string>(argv + 1, argv + argc));
}
