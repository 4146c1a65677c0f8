#include "pdf/worker/fork_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "base/sanitizer.hpp"
#include "pdf/worker/fd_passing.hpp"
#include "pdf/worker/worker_protocol.hpp"

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

Result<std::pair<UniqueFd, UniqueFd>> socket_pair() {
    int pair[2];
    // SOCK_STREAM, not SOCK_SEQPACKET: a document is megabytes, far above what one datagram
    // of a socket buffer holds, so the frames carry their own lengths (worker_protocol.hpp).
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        return std::unexpected(spawn_error("socketpair", errno));
    }
    return std::pair{UniqueFd(pair[0]), UniqueFd(pair[1])};
}

// The server's answer to a socket: the new worker's pid, or minus the errno of its clone.
Result<pid_t> read_pid(int control, worker::Clock::time_point deadline) {
    std::vector<std::uint8_t> frame;
    SIGNET_TRY(frame, worker::receive_frame(control, sizeof(std::int32_t), deadline));
    std::int32_t value = 0;
    if (frame.size() != sizeof value) return fail(Errc::unavailable, "the fork server's answer is malformed");
    std::memcpy(&value, frame.data(), sizeof value);
    if (value <= 0) {
        return fail(Errc::unavailable, "the fork server cannot clone: " + std::generic_category().message(-value));
    }
    // A pid that is not our child would have us kill a stranger: believe only the kernel.
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(value), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
        return fail(Errc::unavailable, "the fork server named a process that is not signetd's child");
    }
    return static_cast<pid_t>(value);
}

}  // namespace

Result<std::unique_ptr<ForkServer>> ForkServer::start(const std::filesystem::path& executable,
                                                      const WorkerLimits& limits) {
    std::pair<UniqueFd, UniqueFd> ends;
    SIGNET_TRY(ends, socket_pair());
    UniqueFd child_end(::fcntl(ends.second.get(), F_DUPFD_CLOEXEC, spawn_fd_floor));
    if (!child_end) return std::unexpected(spawn_error("fcntl", errno));
    ends.second.reset();

    SpawnActions actions;
    SpawnAttributes attributes;
    sigset_t none;
    sigset_t all;
    sigemptyset(&none);
    sigfillset(&all);
    // The server's stdin and stdout are nothing; stderr stays the daemon's, for the one line
    // it writes when its sandbox cannot be set up.
    if (posix_spawn_file_actions_addopen(&actions.actions, 0, "/dev/null", O_RDONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&actions.actions, 1, "/dev/null", O_WRONLY, 0) != 0 ||
        posix_spawn_file_actions_adddup2(&actions.actions, child_end.get(), worker::socket_fd) != 0 ||
        // The daemon's threads block signals for Asio; the server and its workers start with
        // none blocked and every handler at its default, so SIGXCPU and SIGKILL do what they
        // should.
        posix_spawnattr_setsigmask(&attributes.attributes, &none) != 0 ||
        posix_spawnattr_setsigdefault(&attributes.attributes, &all) != 0 ||
        posix_spawnattr_setflags(&attributes.attributes,
                                 POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) != 0) {
        return fail(Errc::unavailable, "cannot start the PDF worker: posix_spawn set-up failed");
    }
    std::vector<std::string> arguments{executable.string(), std::to_string(limits.address_space_bytes),
                                       std::to_string(limits.cpu_seconds_per_job),
                                       std::to_string(std::max(limits.jobs_per_worker, 1U))};
    std::vector<char*> argv;
    for (auto& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    // Nothing inherited: not SOFTHSM2_CONF, not a credential directory, not a PIN. A sanitizer
    // build, which cannot have RLIMIT_AS, gets the same bound per allocation from ASan itself
    // (an allocation over it fails as it would under the limit), and no leak check at exit:
    // LeakSanitizer's clone() is not in the worker's seccomp filter.
    std::string sanitizer_options;
    if (built_with_address_sanitizer) {
        sanitizer_options = "ASAN_OPTIONS=detect_leaks=0";
        if (limits.address_space_bytes != 0) {
            sanitizer_options += ":allocator_may_return_null=1:max_allocation_size_mb=" +
                                 std::to_string(limits.address_space_bytes >> 20);
        }
    }
    std::vector<char*> envp;
    if (!sanitizer_options.empty()) envp.push_back(sanitizer_options.data());
    envp.push_back(nullptr);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, argv[0], &actions.actions, &attributes.attributes, argv.data(), envp.data());
    if (rc != 0) return std::unexpected(spawn_error(executable.string(), rc));
    child_end.reset();

    WorkerProcess process(pid, std::move(ends.first));
    auto ready = worker::receive_frame(process.socket(), 0, worker::Clock::now() + limits.job_deadline);
    if (!ready) {
        return fail(Errc::unavailable, "the PDF worker " + executable.string() +
                                           " did not start: " + ready.error().message + "; " +
                                           process.kill_and_reap());
    }
    return std::make_unique<ForkServer>(std::move(process), limits);
}

Result<WorkerProcess> ForkServer::fork_worker() {
    const auto deadline = worker::Clock::now() + limits_.job_deadline;
    std::pair<UniqueFd, UniqueFd> ends;
    SIGNET_TRY(ends, socket_pair());
    if (auto sent = send_fd(process_.socket(), ends.second.get()); !sent) {
        broken_ = true;
        return fail(Errc::unavailable, "the PDF fork server is gone: " + sent.error().message);
    }
    ends.second.reset();
    auto pid = read_pid(process_.socket(), deadline);
    if (!pid) {
        // A late answer would be read as the next worker's: this server is done.
        broken_ = true;
        return std::unexpected(pid.error());
    }
    WorkerProcess worker(*pid, std::move(ends.first));
    // The worker says so once its own filter is in place, before it is given any document.
    auto ready = worker::receive_frame(worker.socket(), 0, deadline);
    if (!ready) {
        return fail(Errc::unavailable,
                    "a new PDF worker did not start: " + ready.error().message + "; " + worker.kill_and_reap());
    }
    return worker;
}

}  // namespace signet::pdf
