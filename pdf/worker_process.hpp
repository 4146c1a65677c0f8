#pragma once
// One signet-pdf-worker child: spawned with a clean environment and its end of a socketpair
// on fd 3, and killed and reaped when the object goes (STYLE.md §3: no zombie, no orphan).

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

#include "pdf/unique_fd.hpp"
#include "policy/error.hpp"

namespace signet::pdf {

struct WorkerLimits {
    unsigned workers = 2;                            // processes
    std::chrono::milliseconds job_deadline{30000};  // wall clock, per job, seen by the parent
    std::size_t address_space_bytes = std::size_t{1} << 30;  // 0 = unlimited (sanitizer builds)
    unsigned cpu_seconds_per_job = 20;
};

class WorkerProcess {
public:
    // Spawns the worker and waits (up to the job deadline) for it to report its sandbox ready.
    static Result<WorkerProcess> spawn(const std::filesystem::path& executable,
                                       const WorkerLimits& limits);
    WorkerProcess(WorkerProcess&& other) noexcept;
    WorkerProcess& operator=(WorkerProcess&&) = delete;
    WorkerProcess(const WorkerProcess&) = delete;
    WorkerProcess& operator=(const WorkerProcess&) = delete;
    ~WorkerProcess();

    pid_t pid() const { return pid_; }
    int socket() const { return socket_.get(); }
    // True while the worker sits idle as it should: no byte and no hang-up on its socket.
    bool idle_and_alive() const;
    // SIGKILL and waitpid; says how the worker ended ("killed by signal 11 (SEGV)").
    std::string kill_and_reap();

private:
    WorkerProcess(pid_t pid, UniqueFd socket) : pid_(pid), socket_(std::move(socket)) {}
    pid_t pid_ = -1;
    UniqueFd socket_;
};

}  // namespace signet::pdf
