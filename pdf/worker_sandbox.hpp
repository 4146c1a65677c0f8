#pragma once
// What signet-pdf-worker does to itself before it reads a document: it drops everything a
// parser does not need, so that a document that takes over PoDoFo (NOTES trap 7: a dozen CVEs
// on malformed input, no fuzzing upstream) finds no file descriptor, no privilege, no memory
// and no system call worth having.

#include <cstddef>

#include "policy/error.hpp"

namespace signet::pdf::worker {

struct SandboxLimits {
    std::size_t address_space_bytes = 0;  // RLIMIT_AS; 0 = unlimited (sanitizer builds)
};

// Closes every descriptor but 0, 1, 2 and `keep`; no new privileges; not dumpable (no core
// file, no ptrace by the same user); RLIMIT_AS, RLIMIT_NOFILE, RLIMIT_CORE and RLIMIT_FSIZE.
Status restrict_process(int keep, const SandboxLimits& limits);

// The seccomp allow-list (libseccomp); any other system call kills the process (SIGSYS). Only
// what PoDoFo, libstdc++, glibc's malloc, the memfd and the socket need, found with strace -f
// on the unit tests. Irreversible; call it last.
Status install_syscall_filter();

// Sets the soft RLIMIT_CPU to the CPU time used so far plus `seconds`: a job that spins gets
// SIGXCPU, whose default action ends the process.
Status limit_cpu_for_next_job(unsigned seconds);

}  // namespace signet::pdf::worker
