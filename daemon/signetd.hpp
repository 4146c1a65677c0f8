#pragma once
// signetd: opens the HSM, the database and the seal key, then serves the API until SIGTERM or
// SIGINT. Returns the process exit code.

#include <filesystem>

namespace signet::daemon {

int run_signetd(const std::filesystem::path& config_file);

}  // namespace signet::daemon
