#pragma once
// What signet-pdf-worker does to itself before it reads a document: it drops everything a
// parser does not need, so that a document that takes over PoDoFo (NOTES trap 7: a dozen CVEs
// on malformed input, no fuzzing upstream) finds no file descriptor, no privilege, no memory
// and no system call worth having.

#include <linux/filter.h>

#include <cstddef>
#include <vector>

#include "base/error.hpp"

namespace signet::pdf::worker {

struct SandboxLimits {
    // RLIMIT_AS; 0 = unlimited. A sanitizer build bounds each allocation instead (fork_server.cpp).
    std::size_t address_space_bytes = 0;
};

// Closes every descriptor but 0, 1, 2 and `keep`; no new privileges; not dumpable (no core
// file, no ptrace by the same user); RLIMIT_AS, RLIMIT_NOFILE, RLIMIT_CORE and RLIMIT_FSIZE.
Status restrict_process(int keep, const SandboxLimits& limits);

// A seccomp allow-list, compiled to BPF by libseccomp but not yet loaded; any other system
// call kills the process (SIGSYS). Compiled once, so that each worker only hands the kernel a
// ready program: libseccomp's compilation cost a worker ~1 ms of CPU. The fork server compiles
// its workers' filter before it loads its own, which then stacks under the workers' (the
// kernel applies every filter a process has loaded).
class SyscallFilter {
public:
    // What PoDoFo, libstdc++, glibc's malloc and the job socket need, found with strace -f on
    // the unit tests.
    static Result<SyscallFilter> for_worker();
    // The worker's list plus what making workers takes: a clone that makes the new process
    // signetd's child (CLONE_PARENT) and loading the worker's filter.
    static Result<SyscallFilter> for_fork_server();
    // Sets no-new-privs (seccomp(2) needs it unprivileged) and loads the program. Irreversible.
    Status install() const;

private:
    explicit SyscallFilter(std::vector<sock_filter> program) : program_(std::move(program)) {}
    std::vector<sock_filter> program_;
};


// Sets the soft RLIMIT_CPU to the CPU time used so far plus `seconds`: a job that spins gets
// SIGXCPU, whose default action ends the process.
Status limit_cpu_for_next_job(unsigned seconds);

}  // namespace signet::pdf::worker
