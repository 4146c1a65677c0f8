// signetctl's command groups, one file each: what each group's commands are, with their help.

#pragma once

#include <vector>

#include "cli/command_line.hpp"

namespace signet::daemon {

std::vector<Command> health_commands();     // health (health_commands.cpp)
std::vector<Command> document_commands();   // seal, sign (document_commands.cpp)
std::vector<Command> evidence_commands();   // extend, timestamp (evidence_commands.cpp)
std::vector<Command> keys_commands();       // keys list, generate, import-cert, activate, retire, destroy
std::vector<Command> approvals_commands();  // approvals list, approve
std::vector<Command> audit_commands();      // audit export, verify
std::vector<Command> install_commands();    // dev-init, dev-crl

// --visible PAGE:X1,Y1,X2,Y2 as the request's "appearance" ({"page", "rect"}).
Result<nlohmann::json> visible_box(const std::string& text);

}  // namespace signet::daemon
