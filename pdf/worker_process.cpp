#include "pdf/worker_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cerrno>
#include <system_error>
#include <utility>
#include <vector>

#include "pdf/worker_protocol.hpp"

namespace signet::pdf {
namespace {

// Below this the child end could collide with fd 3 in posix_spawn's dup2, which would then
// leave it close-on-exec.
constexpr int spawn_fd_floor = 10;

Error spawn_error(const std::string& what, int error) {
    return Error{Errc::unavailable,
                 "cannot start the PDF worker: " + what + ": " + std::generic_category().message(error)};
}

struct SpawnActions {
    posix_spawn_file_actions_t actions;
    SpawnActions() { posix_spawn_file_actions_init(&actions); }
    ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
};

struct SpawnAttributes {
    posix_spawnattr_t attributes;
    SpawnAttributes() { posix_spawnattr_init(&attributes); }
    ~SpawnAttributes() { posix_spawnattr_destroy(&attributes); }
    SpawnAttributes(const SpawnAttributes&) = delete;
    SpawnAttributes& operator=(const SpawnAttributes&) = delete;
};

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

Result<WorkerProcess> WorkerProcess::spawn(const std::filesystem::path& executable,
                                           const WorkerLimits& limits) {
    int pair[2];
    // SOCK_STREAM, not SOCK_SEQPACKET: a document is megabytes, far above what one datagram
    // of a socket buffer holds, so the frames carry their own lengths (worker_protocol.hpp).
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        return std::unexpected(spawn_error("socketpair", errno));
    }
    UniqueFd parent_end(pair[0]);
    UniqueFd child_end(::fcntl(pair[1], F_DUPFD_CLOEXEC, spawn_fd_floor));
    ::close(pair[1]);
    if (!child_end) return std::unexpected(spawn_error("fcntl", errno));

    SpawnActions actions;
    SpawnAttributes attributes;
    sigset_t none;
    sigset_t all;
    sigemptyset(&none);
    sigfillset(&all);
    // The worker's stdin and stdout are nothing; stderr stays the daemon's, for the one line
    // a worker writes when its sandbox cannot be set up.
    if (posix_spawn_file_actions_addopen(&actions.actions, 0, "/dev/null", O_RDONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&actions.actions, 1, "/dev/null", O_WRONLY, 0) != 0 ||
        posix_spawn_file_actions_adddup2(&actions.actions, child_end.get(), worker::socket_fd) != 0 ||
        // The daemon's threads block signals for Asio; the worker starts with none blocked and
        // every handler at its default, so SIGXCPU and SIGKILL do what they should.
        posix_spawnattr_setsigmask(&attributes.attributes, &none) != 0 ||
        posix_spawnattr_setsigdefault(&attributes.attributes, &all) != 0 ||
        posix_spawnattr_setflags(&attributes.attributes,
                                 POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) != 0) {
        return fail(Errc::unavailable, "cannot start the PDF worker: posix_spawn set-up failed");
    }
    std::vector<std::string> arguments{executable.string(), std::to_string(limits.address_space_bytes),
                                       std::to_string(limits.cpu_seconds_per_job)};
    std::vector<char*> argv;
    for (auto& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    // Nothing inherited: not SOFTHSM2_CONF, not a credential directory, not a PIN.
    char* envp[] = {nullptr};
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, argv[0], &actions.actions, &attributes.attributes, argv.data(), envp);
    if (rc != 0) return std::unexpected(spawn_error(executable.string(), rc));
    child_end.reset();

    WorkerProcess process(pid, std::move(parent_end));
    auto ready = worker::receive_frame(process.socket(), 0,
                                       worker::Clock::now() + limits.job_deadline);
    if (!ready) {
        return fail(Errc::unavailable, "the PDF worker " + executable.string() +
                                           " did not start: " + ready.error().message + "; " +
                                           process.kill_and_reap());
    }
    return process;
}

WorkerProcess::WorkerProcess(WorkerProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), socket_(std::move(other.socket_)) {}

WorkerProcess::~WorkerProcess() {
    if (pid_ > 0) kill_and_reap();
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
    pid_t reaped = -1;
    do {
        reaped = ::waitpid(pid_, &status, 0);
    } while (reaped < 0 && errno == EINTR);
    pid_ = -1;
    socket_.reset();
    if (reaped < 0) return "worker could not be reaped: " + std::generic_category().message(errno);
    return describe_status(status);
}

}  // namespace signet::pdf
