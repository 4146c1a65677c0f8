// signetctl approvals: the dual-control requests of key changes, completed by a second officer.

#include <cstdint>
#include <cstdio>
#include <iostream>

#include "cli/commands/command_groups.hpp"

namespace signet::daemon {
namespace {

int approvals_list(const std::vector<std::string>& args) {
    auto vm = parse("approvals list", args, connection_options());
    if (!vm) return vm.error();
    auto answer = call("approvals list", *vm, "GET", "/v1/approvals");
    if (!answer) return exit_failed;
    if (json_output(*vm)) {
        std::cout << answer->body << "\n";
        return 0;
    }
    const nlohmann::json& listed = answer->json;
    std::printf("%-6s  %-9s  %-32s  %-8s  %-16s  %-20s  %s\n", "ID", "CHANGE", "KEY ID", "PURPOSE", "REQUESTED BY",
                "EXPIRES AT", "STATE");
    for (const auto& item : listed["approvals"]) {
        std::printf("%-6lld  %-9s  %-32s  %-8s  %-16s  %-20s  %s\n",
                    static_cast<long long>(item["approval_id"].get<std::int64_t>()),
                    item["change"].get<std::string>().c_str(), item["key_id"].get<std::string>().c_str(),
                    item["purpose"].get<std::string>().c_str(), item["requested_by"].get<std::string>().c_str(),
                    item["expires_at"].get<std::string>().c_str(), item["state"].get<std::string>().c_str());
    }
    return 0;
}

int approvals_approve(const std::vector<std::string>& args) {
    auto vm = parse("approvals approve", args, connection_options(), {{"approval-id", "APPROVAL_ID"}});
    if (!vm) return vm.error();
    auto answer = call("approvals approve", *vm, "POST", "/v1/approvals/" + (*vm)["approval-id"].as<std::string>() + "/approve");
    if (!answer) return exit_failed;
    if (json_output(*vm)) {
        std::cout << answer->body << "\n";
        return 0;
    }
    const nlohmann::json& done = answer->json;
    std::cout << "approved: key " << done["key_id"].get<std::string>() << " is " << done["state"].get<std::string>();
    if (done.contains("retired")) std::cout << "; key " << done["retired"].get<std::string>() << " is retired";
    std::cout << "\n";
    return 0;
}

}  // namespace

std::vector<Command> approvals_commands() {
    const std::string connection = " --url https://127.0.0.1:8443 --cacert pki/tls-ca.pem --cert pki/officer-2.pem "
                                   "--key pki/officer-2.key";
    return {{"approvals list", "CONNECTION", "the dual-control requests waiting for a second officer (officer certificate)",
             "signetctl approvals list" + connection, approvals_list},
            {"approvals approve", "APPROVAL_ID CONNECTION",
             "complete another officer's key change; your own is refused (officer certificate)",
             "signetctl approvals approve 3" + connection, approvals_approve}};
}

}  // namespace signet::daemon
