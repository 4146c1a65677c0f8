// The auditor's commands: audit export from signetd, and audit verify of an export offline.

#pragma once

#include <string>
#include <vector>

namespace signet::daemon {

int audit_export(const std::vector<std::string>& args);
int audit_verify(const std::vector<std::string>& args);

}  // namespace signet::daemon
