#include "pdf/worker/worker_process.hpp"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>
#include <system_error>
#include <utility>

namespace signet::pdf {
namespace {

std::string describe_status(int status) {
    if (WIFSIGNALED(status)) {
        const char* name = sigabbrev_np(WTERMSIG(status));
        return "worker killed by signal " + std::to_string(WTERMSIG(status)) +
               (name != nullptr ? std::string(" (SIG") + name + ")" : std::string());
    }
    if (WIFEXITED(status)) return "worker exited with status " + std::to_string(WEXITSTATUS(status));
    return "worker ended with wait status " + std::to_string(status);
}

}  // namespace

WorkerProcess::WorkerProcess(WorkerProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      socket_(std::move(other.socket_)),
      peak_rss_bytes_(other.peak_rss_bytes_),
      jobs_done_(other.jobs_done_),
      tenant_(std::move(other.tenant_)) {}

WorkerProcess::~WorkerProcess() {
    if (pid_ > 0) kill_and_reap();
}

void WorkerProcess::observe_peak_rss() {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (!line.starts_with("VmHWM:")) continue;
        const std::size_t kib = std::strtoull(line.c_str() + 6, nullptr, 10);
        peak_rss_bytes_ = std::max(peak_rss_bytes_, kib * 1024);
        return;
    }
}

bool WorkerProcess::idle_and_alive() const {
    pollfd entry{socket_.get(), POLLIN, 0};
    return ::poll(&entry, 1, 0) == 0;
}

std::string WorkerProcess::kill_and_reap() {
    if (pid_ <= 0) return "worker already reaped";
    // SIGKILL does not change how a process that is already ending ends: the status below is
    // the real cause (a SIGSEGV stays a SIGSEGV).
    ::kill(pid_, SIGKILL);
    int status = 0;
    rusage usage{};
    pid_t reaped = -1;
    do {
        reaped = ::wait4(pid_, &status, 0, &usage);
    } while (reaped < 0 && errno == EINTR);
    pid_ = -1;
    socket_.reset();
    if (reaped < 0) return "worker could not be reaped: " + std::generic_category().message(errno);
    peak_rss_bytes_ = std::max(peak_rss_bytes_, static_cast<std::size_t>(usage.ru_maxrss) * 1024);  // KiB
    return describe_status(status);
}

}  // namespace signet::pdf
