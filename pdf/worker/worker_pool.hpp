#pragma once
// PDF preparation in worker processes (DESIGN.md: the daemon that holds the HSM session never
// parses a PDF). A fixed number of idle workers, each sandboxed (worker_sandbox.hpp) and made
// by the pool's fork server (fork_server.hpp); each serves up to `jobs_per_worker` documents
// of one tenant in turn (docs/decisions.md); a job waits for a free one. A worker that crashes, hangs past the
// deadline, hits a limit or answers nonsense is killed, reaped and replaced, and its job is
// refused as a document that could not be processed safely. Nothing a worker returns is
// believed unchecked (prepared_check.hpp), and the digest to sign is computed here.

#include <sys/types.h>

#include <condition_variable>
#include <stop_token>
#include <thread>
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "pdf/byte_range.hpp"
#include "pdf/worker/fork_server.hpp"
#include "pdf/ltv/dss.hpp"
#include "pdf/ltv/signatures.hpp"
#include "pdf/prepare.hpp"
#include "pdf/worker/worker_process.hpp"
#include "pdf/worker/worker_protocol.hpp"
#include "base/error.hpp"

namespace signet::pdf {

class WorkerPool {
public:
    // Starts the fork server and `limits.workers` workers, and waits until each reports its
    // sandbox in place.
    static Result<std::unique_ptr<WorkerPool>> start(const std::filesystem::path& worker_executable,
                                                     const WorkerLimits& limits);
    // For start() only (the key is private): a pool exists only once its workers run.
    struct Key {
        explicit Key() = default;
    };
    WorkerPool(Key, std::filesystem::path executable, const WorkerLimits& limits)
        : executable_(std::move(executable)), limits_(limits) {}
    // Kills and reaps every worker. No prepare() may be running.
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Blocking and thread-safe: waits for a free worker, then for its answer until the job
    // deadline. Errors are the worker's refusal as prepare() words it, or
    // Errc::invalid_document "the document could not be processed safely: <why>".
    // `tenant` is whose document it is: a worker that has seen one tenant's documents never
    // sees another's.
    Result<PreparedDocument> prepare(std::string_view tenant, std::span<const std::uint8_t> document,
                                     const PrepareRequest& request);
    // The same without the digest to sign (left zero): for a caller that holds the document's
    // SHA-256 state already (PrefixDigest::byte_range then reads the update alone), or is
    // still taking it while the worker parses.
    Result<PreparedDocument> prepare_update(std::string_view tenant, std::span<const std::uint8_t> document,
                                            const PrepareRequest& request);

    // The incremental update that adds `data` to the document's DSS (pdf/ltv/dss.hpp), made by a
    // worker; its end checked (prepared_check.hpp). Errors as prepare()'s.
    Result<std::vector<std::uint8_t>> add_dss(std::string_view tenant, std::span<const std::uint8_t> document,
                                              std::span<const ValidationData> data);
    // The incremental update that adds empty signature fields (prepare.hpp's
    // add_signature_fields), made by a worker; its end checked. Errors as prepare()'s.
    Result<std::vector<std::uint8_t>> add_fields(std::string_view tenant, std::span<const std::uint8_t> document,
                                                 const std::vector<FieldRequest>& fields);
    // A logo file decoded by a worker as a box would need it (image/logo_image.hpp): its format
    // and size, or Errc::too_large / Errc::invalid_document.
    Result<worker::LogoInfo> check_logo(std::string_view tenant, std::span<const std::uint8_t> logo);
    // The document's signatures and document time-stamps and its DSS's /VRI keys
    // (pdf/ltv/signatures.hpp), read by a worker. Errors as prepare()'s.
    Result<SignatureList> list_signatures(std::string_view tenant, std::span<const std::uint8_t> document);
    // Workers replaced since start (for /metrics).
    std::uint64_t restarts() const;
    // The largest resident set of any worker reaped so far, as the kernel counted it (for
    // /metrics and the benchmark).
    std::size_t peak_worker_rss_bytes() const;
    // The pids of the idle workers and of the fork server (for tests that kill one from
    // outside).
    std::vector<pid_t> worker_pids() const;
    pid_t fork_server_pid() const;

private:
    struct Started {
        WorkerProcess worker;
        worker::Clock::time_point deadline;
    };
    // A worker that has the whole job: `header`, then `payload` when not empty, then the
    // document. One that fails before that died of something else, and a fresh one gets the job
    // once.
    Result<Started> start_job(std::string_view tenant, std::span<const std::uint8_t> document,
                              std::span<const std::uint8_t> header, std::span<const std::uint8_t> payload);
    // A job answered by a status frame, then an incremental update of at most `max_update`
    // bytes whose end is checked (add_dss, add_fields).
    Result<std::vector<std::uint8_t>> update_job(std::string_view tenant, std::span<const std::uint8_t> document,
                                                 std::span<const std::uint8_t> header,
                                                 std::span<const std::uint8_t> payload, std::uint64_t max_update);
    // A job of no parameters answered by one frame that `decode` reads (list_signatures,
    // check_logo).
    template <class T>
    Result<T> one_reply_job(std::string_view tenant, std::span<const std::uint8_t> input, worker::JobKind kind,
                            std::uint64_t max_reply, Result<Result<T>> (*decode)(std::span<const std::uint8_t>));
    // An idle worker that has served `tenant` or no one, assigned to `tenant`. When only other
    // tenants' workers are idle, one of them is ended and a fresh one takes its place.
    Result<WorkerProcess> acquire(std::string_view tenant);
    // A worker from the fork server; a server that failed is replaced first (a restart).
    Result<WorkerProcess> fork_worker();
    // A worker that answered a job as it should goes back to the idle list for the next one,
    // until it has served limits_.jobs_per_worker; then, as after a refusal (PoDoFo threw on
    // the document), it is ended and a fresh one takes its slot.
    void finished(WorkerProcess& worker);
    void replace(WorkerProcess& worker);
    // Kills the worker; its slot is refilled by the next acquire().
    std::string discard(WorkerProcess& worker);

    const std::filesystem::path executable_;
    const WorkerLimits limits_;
    mutable std::mutex mutex_;
    std::condition_variable available_;
    std::list<WorkerProcess> idle_;    // workers waiting for a job; guarded by mutex_
    unsigned vacant_ = 0;              // slots whose worker was discarded; guarded by mutex_
    std::uint64_t restarts_ = 0;       // guarded by mutex_
    std::size_t peak_rss_bytes_ = 0;   // guarded by mutex_
    // Taken before mutex_ when both are held.
    mutable std::mutex server_mutex_;
    std::unique_ptr<ForkServer> server_;  // guarded by server_mutex_
    // Forks replacements for vacant slots, so that a job does not wait for a worker to start
    // and lock itself down. Last member: it stops before the rest goes.
    std::condition_variable_any vacancy_;
    std::jthread refiller_;
    void refill(std::stop_token stop);
};

// The directory of the running executable (/proc/self/exe) + "/signet-pdf-worker": where the
// build and `install` put the worker, next to signetd.
std::filesystem::path default_worker_executable();

}  // namespace signet::pdf
