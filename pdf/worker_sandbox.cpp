#include "pdf/worker_sandbox.hpp"

#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <system_error>


namespace signet::pdf::worker {
namespace {

// The socket and 0-2; the worker opens no file (no openat below), so 16 is plenty.
constexpr rlim_t max_open_files = 16;

Error sandbox_error(const std::string& what, int error) {
    return Error{Errc::internal, what + ": " + std::generic_category().message(error)};
}

Status set_limit(int resource, rlim_t value, const char* name) {
    rlimit limit{value, value};
    if (::setrlimit(resource, &limit) != 0) {
        return std::unexpected(sandbox_error(std::string("setrlimit ") + name, errno));
    }
    return {};
}

struct SeccompRelease {
    void operator()(scmp_filter_ctx context) const { seccomp_release(context); }
};
using SeccompFilter = std::unique_ptr<void, SeccompRelease>;

}  // namespace

Status restrict_process(int keep, const SandboxLimits& limits) {
    // The parent's spawn already closes what it marked close-on-exec; this catches what a
    // library in the parent opened without O_CLOEXEC.
    if (keep > 3 && ::close_range(3, static_cast<unsigned>(keep) - 1, 0) != 0) {
        return std::unexpected(sandbox_error("close_range", errno));
    }
    if (::close_range(static_cast<unsigned>(keep) + 1, ~0U, 0) != 0) {
        return std::unexpected(sandbox_error("close_range", errno));
    }
    // No execve can gain privileges (setuid, file capabilities); seccomp needs it unprivileged.
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        return std::unexpected(sandbox_error("PR_SET_NO_NEW_PRIVS", errno));
    }
    // No core file with document contents, and no ptrace attach by another process of ours.
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        return std::unexpected(sandbox_error("PR_SET_DUMPABLE", errno));
    }
    if (limits.address_space_bytes != 0) {
        SIGNET_CHECK(set_limit(RLIMIT_AS, limits.address_space_bytes, "RLIMIT_AS"));
    }
    SIGNET_CHECK(set_limit(RLIMIT_NOFILE, max_open_files, "RLIMIT_NOFILE"));
    SIGNET_CHECK(set_limit(RLIMIT_CORE, 0, "RLIMIT_CORE"));
    // The worker writes no file.
    SIGNET_CHECK(set_limit(RLIMIT_FSIZE, 0, "RLIMIT_FSIZE"));
    return {};
}

Status install_syscall_filter() {
    SeccompFilter filter(seccomp_init(SCMP_ACT_KILL_PROCESS));
    if (!filter) return fail(Errc::internal, "seccomp_init failed");
    auto allow = [&](int call, auto... conditions) -> Status {
        constexpr unsigned count = sizeof...(conditions);
        int rc = seccomp_rule_add(filter.get(), SCMP_ACT_ALLOW, call, count, conditions...);
        if (rc != 0) return std::unexpected(sandbox_error("seccomp_rule_add", -rc));
        return {};
    };
    // What strace -f showed the worker calling after the filter went in, while the unit tests
    // prepared ps2pdf and hand-written files with and without appearances, refused damaged
    // ones and ran out of memory on a bomb; plus exit_group (the parent closing the socket)
    // and clock_gettime (time() leaves the vDSO for a syscall on some clock sources).
    // I/O on the socket. No openat at all: the worker runs as signetd's user, so a worker that
    // a document took over could otherwise read the PIN credential or the token's files and
    // return them in its update. The document arrives in memory and PoDoFo parses it there.
    for (int call : {SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(lseek), SCMP_SYS(close),
                     SCMP_SYS(newfstatat), SCMP_SYS(recvfrom), SCMP_SYS(sendto), SCMP_SYS(poll)}) {
        SIGNET_CHECK(allow(call));
    }
    // Memory for malloc and libstdc++, never executable: a document that takes over the
    // parser cannot map the code it brought.
    for (int call : {SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap)}) {
        SIGNET_CHECK(allow(call));
    }
    SIGNET_CHECK(allow(SCMP_SYS(mmap), SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)));
    // Locks, time, the CPU budget's accounting, leaving.
    for (int call : {SCMP_SYS(futex), SCMP_SYS(clock_gettime), SCMP_SYS(getrusage),
                     SCMP_SYS(exit_group)}) {
        SIGNET_CHECK(allow(call));
    }
    // limit_cpu_for_next_job: its own RLIMIT_CPU only. The hard limit cannot be raised by an
    // unprivileged process, and the parent's deadline bounds a worker that raises its soft one.
    SIGNET_CHECK(allow(SCMP_SYS(prlimit64), SCMP_A0(SCMP_CMP_EQ, 0),
                       SCMP_A1(SCMP_CMP_EQ, RLIMIT_CPU)));
    int rc = seccomp_load(filter.get());
    if (rc != 0) return std::unexpected(sandbox_error("seccomp_load", -rc));
    return {};
}

Status limit_cpu_for_next_job(unsigned seconds) {
    rusage usage{};
    if (::getrusage(RUSAGE_SELF, &usage) != 0) {
        return std::unexpected(sandbox_error("getrusage", errno));
    }
    // Whole seconds used, rounded up, so a job always gets at least `seconds`.
    auto used = static_cast<rlim_t>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + 1);
    rlimit limit{};
    if (::getrlimit(RLIMIT_CPU, &limit) != 0) return std::unexpected(sandbox_error("getrlimit", errno));
    limit.rlim_cur = used + seconds;
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_cur > limit.rlim_max) limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_CPU, &limit) != 0) return std::unexpected(sandbox_error("setrlimit RLIMIT_CPU", errno));
    return {};
}

}  // namespace signet::pdf::worker
