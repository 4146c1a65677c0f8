#pragma once
// A child of signetd on the other end of a socket: a PDF worker, or the fork server that makes
// them (fork_server.hpp). Killed and reaped when the object goes (STYLE.md §3: no zombie, no
// orphan).

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/unique_fd.hpp"
#include "base/error.hpp"

namespace signet::pdf {

struct WorkerLimits {
    unsigned workers = 2;                            // processes
    std::chrono::milliseconds job_deadline{30000};  // wall clock, per job, seen by the parent
    std::size_t address_space_bytes = std::size_t{1} << 30;  // 0 = unlimited
    unsigned cpu_seconds_per_job = 20;
    // Documents one worker serves in turn before it is replaced (any failure replaces it at
    // once): a process per document cost more CPU than the document (docs/decisions.md).
    unsigned jobs_per_worker = 64;
};

class WorkerProcess {
public:
    // Owns `pid`, which must be a child of this process, and the socket to it.
    WorkerProcess(pid_t pid, UniqueFd socket) : pid_(pid), socket_(std::move(socket)) {}
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
    // The largest resident set the process had: its VmHWM when last observed, then the
    // kernel's account once it is reaped.
    std::size_t peak_rss_bytes() const { return peak_rss_bytes_; }
    // Reads the live process's VmHWM (a worker going back to the idle list).
    void observe_peak_rss();
    // Documents served so far.
    unsigned jobs_done() const { return jobs_done_; }
    // The tenant whose documents this worker has seen, empty while it has seen none: a worker
    // serves one tenant's documents only (docs/decisions.md).
    const std::string& tenant() const { return tenant_; }
    void assign(std::string_view tenant) { tenant_ = tenant; }
    void count_job() { ++jobs_done_; }

private:
    pid_t pid_ = -1;
    UniqueFd socket_;
    std::size_t peak_rss_bytes_ = 0;
    unsigned jobs_done_ = 0;
    std::string tenant_;
};

}  // namespace signet::pdf
