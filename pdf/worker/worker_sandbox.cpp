#include "pdf/worker/worker_sandbox.hpp"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "base/sanitizer.hpp"
#include "base/unique_fd.hpp"

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

// Adds SCMP_ACT_ALLOW rules to a libseccomp context.
class Rules {
public:
    explicit Rules(scmp_filter_ctx context) : context_(context) {}
    template <class... Conditions>
    Status allow(int call, Conditions... conditions) const {
        constexpr unsigned count = sizeof...(conditions);
        int rc = seccomp_rule_add(context_, SCMP_ACT_ALLOW, call, count, conditions...);
        if (rc != 0) return std::unexpected(sandbox_error("seccomp_rule_add", -rc));
        return {};
    }

private:
    scmp_filter_ctx context_;
};

Status add_worker_rules(const Rules& rules) {
    // What strace -f showed the worker calling after the filter went in, while the unit tests
    // prepared ps2pdf and hand-written files with and without appearances, refused damaged
    // ones and ran out of memory on a bomb; plus exit_group (the parent closing the socket)
    // and clock_gettime (time() leaves the vDSO for a syscall on some clock sources).
    // I/O on the socket. No openat at all: the worker runs as signetd's user, so a worker that
    // a document took over could otherwise read the PIN credential or the token's files and
    // return them in its update. The document arrives in memory and PoDoFo parses it there.
    // The document arrives as a sealed memfd (recvmsg, SCM_RIGHTS) that the worker reads (read, lseek, newfstatat).
    for (int call : {SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(lseek), SCMP_SYS(close),
                     SCMP_SYS(newfstatat), SCMP_SYS(recvfrom), SCMP_SYS(recvmsg), SCMP_SYS(sendto),
                     SCMP_SYS(poll)}) {
        SIGNET_CHECK(rules.allow(call));
    }
    // Memory for malloc and libstdc++, never executable: a document that takes over the
    // parser cannot map the code it brought.
    for (int call : {SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap)}) {
        SIGNET_CHECK(rules.allow(call));
    }
    SIGNET_CHECK(rules.allow(SCMP_SYS(mmap), SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)));
    // Locks, time, the CPU budget's accounting, leaving.
    for (int call : {SCMP_SYS(futex), SCMP_SYS(clock_gettime), SCMP_SYS(getrusage),
                     SCMP_SYS(exit_group)}) {
        SIGNET_CHECK(rules.allow(call));
    }
    // A sanitizer build only: what AddressSanitizer's runtime calls on its own (a signal stack
    // per thread, its shadow memory's upkeep, a pipe to test whether memory is readable while it
    // unwinds, its reports). Never in a production build.
    if (built_with_address_sanitizer) {
        for (int call : {SCMP_SYS(sigaltstack), SCMP_SYS(madvise), SCMP_SYS(mprotect), SCMP_SYS(getpid),
                         SCMP_SYS(gettid), SCMP_SYS(sched_yield), SCMP_SYS(rt_sigaction),
                         SCMP_SYS(rt_sigprocmask), SCMP_SYS(readlink), SCMP_SYS(openat), SCMP_SYS(pread64),
                         SCMP_SYS(prctl), SCMP_SYS(getrlimit), SCMP_SYS(exit), SCMP_SYS(pipe2)}) {
            SIGNET_CHECK(rules.allow(call));
        }
    }
    // limit_cpu_for_next_job: its own RLIMIT_CPU only. The hard limit cannot be raised by an
    // unprivileged process, and the parent's deadline bounds a worker that raises its soft one.
    return rules.allow(SCMP_SYS(prlimit64), SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A1(SCMP_CMP_EQ, RLIMIT_CPU));
}

struct ContextRelease {
    void operator()(scmp_filter_ctx context) const { seccomp_release(context); }
};
using ContextPtr = std::unique_ptr<void, ContextRelease>;

Result<ContextPtr> new_context() {
    ContextPtr context(seccomp_init(SCMP_ACT_KILL_PROCESS));
    if (!context) return fail(Errc::internal, "seccomp_init failed");
    return context;
}

// libseccomp 2.5 exports BPF only to a descriptor: a pipe (not a file: the worker's
// RLIMIT_FSIZE is 0), whose buffer holds the largest program the kernel accepts.
Result<std::vector<sock_filter>> compile(scmp_filter_ctx context) {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0) return std::unexpected(sandbox_error("pipe2", errno));
    UniqueFd out(ends[0]);
    UniqueFd in(ends[1]);
    int rc = seccomp_export_bpf(context, in.get());
    if (rc != 0) return std::unexpected(sandbox_error("seccomp_export_bpf", -rc));
    in.reset();
    std::vector<sock_filter> program(BPF_MAXINSNS + 1);
    const std::size_t capacity = program.size() * sizeof(sock_filter);
    auto* bytes = reinterpret_cast<char*>(program.data());
    std::size_t size = 0;
    for (ssize_t got = 1; got > 0 && size < capacity; size += static_cast<std::size_t>(got)) {
        got = ::read(out.get(), bytes + size, capacity - size);
        if (got < 0) return std::unexpected(sandbox_error("reading the exported filter", errno));
    }
    if (size == 0 || size % sizeof(sock_filter) != 0 || size / sizeof(sock_filter) > BPF_MAXINSNS) {
        return fail(Errc::internal, "libseccomp exported a malformed filter");
    }
    program.resize(size / sizeof(sock_filter));
    return program;
}

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
    // AddressSanitizer reserves terabytes of address space for its shadow memory: a sanitizer
    // build (CI's second build, the fuzz build) leaves the limit out rather than fail to start,
    // and bounds each allocation by the same figure instead (fork_server.cpp).
    if (limits.address_space_bytes != 0 && !built_with_address_sanitizer) {
        SIGNET_CHECK(set_limit(RLIMIT_AS, limits.address_space_bytes, "RLIMIT_AS"));
    }
    SIGNET_CHECK(set_limit(RLIMIT_NOFILE, max_open_files, "RLIMIT_NOFILE"));
    SIGNET_CHECK(set_limit(RLIMIT_CORE, 0, "RLIMIT_CORE"));
    // The worker writes no file.
    SIGNET_CHECK(set_limit(RLIMIT_FSIZE, 0, "RLIMIT_FSIZE"));
    return {};
}

Result<SyscallFilter> SyscallFilter::for_worker() {
    ContextPtr context;
    SIGNET_TRY(context, new_context());
    SIGNET_CHECK(add_worker_rules(Rules(context.get())));
    std::vector<sock_filter> program;
    SIGNET_TRY(program, compile(context.get()));
    return SyscallFilter(std::move(program));
}

Result<SyscallFilter> SyscallFilter::for_fork_server() {
    ContextPtr context;
    SIGNET_TRY(context, new_context());
    const Rules rules(context.get());
    SIGNET_CHECK(add_worker_rules(rules));
    // serve_forks() in worker_main.cpp: exactly this clone, a new process (no thread, no
    // namespace) whose parent is signetd, which can then wait for it and kill it by pid.
    SIGNET_CHECK(rules.allow(SCMP_SYS(clone), SCMP_A0(SCMP_CMP_EQ, CLONE_PARENT | SIGCHLD)));
    // The new worker loads its own filter (install(): no-new-privs is already set, and stays).
    SIGNET_CHECK(rules.allow(SCMP_SYS(seccomp), SCMP_A0(SCMP_CMP_EQ, SECCOMP_SET_MODE_FILTER),
                             SCMP_A1(SCMP_CMP_EQ, 0)));
    SIGNET_CHECK(rules.allow(SCMP_SYS(prctl), SCMP_A0(SCMP_CMP_EQ, PR_SET_NO_NEW_PRIVS)));
    std::vector<sock_filter> program;
    SIGNET_TRY(program, compile(context.get()));
    return SyscallFilter(std::move(program));
}

Status SyscallFilter::install() const {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        return std::unexpected(sandbox_error("PR_SET_NO_NEW_PRIVS", errno));
    }
    sock_fprog program{static_cast<unsigned short>(program_.size()), const_cast<sock_filter*>(program_.data())};
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) {
        return std::unexpected(sandbox_error("seccomp", errno));
    }
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
