#pragma once
// Runs programs for tests: to completion with captured output, or in the background with a
// guaranteed SIGTERM/SIGKILL and wait on destruction, so no test leaves a process behind.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace signet::test {

struct RunResult {
    int exit_code = -1;   // -1 when killed by a signal
    std::string output;   // stdout and stderr, interleaved
};

// Runs argv[0] (searched in PATH) with the given arguments, optional stdin bytes, and extra
// environment entries ("NAME=value").
RunResult run(const std::vector<std::string>& argv, const std::string& input = {},
              const std::vector<std::string>& extra_env = {});

// A free TCP port on 127.0.0.1 (bound and released; the server binds it right after).
std::uint16_t free_port();

class BackgroundProcess {
public:
    BackgroundProcess(const std::vector<std::string>& argv, const std::filesystem::path& log);
    ~BackgroundProcess();
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;

    pid_t pid() const { return pid_; }
    bool running();
    // Sends SIGTERM and waits up to `grace`, then SIGKILL. Returns the exit status as run().
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

private:
    pid_t pid_ = -1;
    int status_ = -1;
};

}  // namespace signet::test
