// The officers' commands: the key lifecycle (keys list, generate, import-cert, activate,
// retire, destroy) and the dual-control approvals that complete its changes.

#pragma once

#include <string>
#include <vector>

namespace signet::daemon {

int keys_list(const std::vector<std::string>& args);
int keys_generate(const std::vector<std::string>& args);
int keys_import_cert(const std::vector<std::string>& args);
// `change` is activate, retire or destroy.
int keys_change(const std::string& change, const std::vector<std::string>& args);
int approvals_list(const std::vector<std::string>& args);
int approvals_approve(const std::vector<std::string>& args);

}  // namespace signet::daemon
