#pragma once
// The fork server: one signet-pdf-worker process per pool that makes a worker per document by
// cloning itself. Starting the executable afresh for each document cost 13-28 ms (dynamic
// linking, PoDoFo's and OpenSSL's set-up, the warm-up document, the filter), more than the
// document's own work; a clone of a process that has done all of that once costs far less.
// The server never sees a document: it receives a socket, clones, and says the new pid. The
// clone is signetd's own child (CLONE_PARENT), so signetd waits for it, kills it and reads how
// it ended exactly as for a process it started itself.

#include <sys/types.h>

#include <filesystem>
#include <memory>

#include "pdf/worker/worker_process.hpp"
#include "base/error.hpp"

namespace signet::pdf {

class ForkServer {
public:
    // Starts the server and waits (up to the job deadline) for it to report its sandbox ready.
    static Result<std::unique_ptr<ForkServer>> start(const std::filesystem::path& executable,
                                                     const WorkerLimits& limits);
    ForkServer(WorkerProcess process, const WorkerLimits& limits)
        : process_(std::move(process)), limits_(limits) {}

    // A new worker with its sandbox in place, waiting for one document. Errc::unavailable when
    // the server or the worker failed; the caller starts another server for the former. Not
    // thread-safe: WorkerPool serialises the calls.
    Result<WorkerProcess> fork_worker();

    // After a failure of the server itself (not of the worker it made): the pool starts another.
    bool broken() const { return broken_; }
    pid_t pid() const { return process_.pid(); }
    // SIGKILL and waitpid, as for any worker; the workers it made are not affected.
    std::string kill_and_reap() { return process_.kill_and_reap(); }

private:
    WorkerProcess process_;
    WorkerLimits limits_;
    bool broken_ = false;
};

}  // namespace signet::pdf
