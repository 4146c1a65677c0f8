#include "pdf/worker/worker_pool.hpp"

#include <algorithm>
#include <string>
#include <system_error>
#include <utility>

#include "pdf/byte_range.hpp"
#include "pdf/worker/fd_passing.hpp"
#include "pdf/worker/prepared_check.hpp"
#include "pdf/worker/worker_protocol.hpp"

namespace signet::pdf {
namespace {

constexpr unsigned max_workers = 64;
// A reply header is a few numbers or one sentence.
constexpr std::uint64_t max_reply_header_bytes = worker::max_message_bytes + 256;

// What an honest worker can send back: the update alone, a few objects and the placeholder.
// The changed objects (page, catalog, AcroForm, Info) are copies of the document's own, so the
// document's size bounds them; 16 MiB covers the new ones and the cross-reference section.
std::uint64_t max_reply_bytes(std::size_t document_size, std::size_t contents_size) {
    return std::uint64_t{document_size} + 2 * std::uint64_t{contents_size} + (16u << 20);
}

// A list of signatures: a few hundred of up to 32 KiB each; a longer one is not a document's.
constexpr std::uint64_t max_fields_reply_bytes = std::uint64_t{16} << 20;

Error unsafe(const std::string& why) {
    return Error{Errc::invalid_document, "the document could not be processed safely: " + why};
}

}  // namespace

Result<std::unique_ptr<WorkerPool>> WorkerPool::start(const std::filesystem::path& worker_executable,
                                                      const WorkerLimits& limits) {
    if (limits.workers == 0 || limits.workers > max_workers || limits.job_deadline.count() <= 0 ||
        limits.cpu_seconds_per_job == 0) {
        return fail(Errc::invalid_config, "the PDF worker limits need 1.." +
                                              std::to_string(max_workers) +
                                              " workers, a deadline and a CPU budget");
    }
    auto pool = std::make_unique<WorkerPool>(Key{}, worker_executable, limits);
    SIGNET_TRY(pool->server_, ForkServer::start(worker_executable, limits));
    for (unsigned i = 0; i < limits.workers; ++i) {
        auto worker = pool->fork_worker();
        if (!worker) return std::unexpected(worker.error());
        pool->idle_.push_back(std::move(*worker));
    }
    pool->refiller_ = std::jthread([raw = pool.get()](std::stop_token stop) { raw->refill(stop); });
    return pool;
}

Result<WorkerProcess> WorkerPool::fork_worker() {
    std::lock_guard lock(server_mutex_);
    if (server_ && !server_->broken()) {
        auto worker = server_->fork_worker();
        if (worker || !server_->broken()) return worker;
    }
    if (server_) {
        (void)server_->kill_and_reap();
        server_.reset();  // counted once, however many starts of its successor fail
        std::lock_guard count(mutex_);
        ++restarts_;
    }
    SIGNET_TRY(server_, ForkServer::start(executable_, limits_));
    return server_->fork_worker();
}

void WorkerPool::refill(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    while (vacancy_.wait(lock, stop, [&] { return vacant_ > 0; })) {
        --vacant_;
        lock.unlock();
        auto fresh = fork_worker();
        lock.lock();
        if (fresh) {
            idle_.push_back(std::move(*fresh));
            available_.notify_one();
        } else {
            // The next job spawns one itself and reports why it cannot; retry a little later.
            ++vacant_;
            vacancy_.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
        }
    }
}

WorkerPool::~WorkerPool() = default;  // each WorkerProcess kills and reaps its child

Result<WorkerPool::Started> WorkerPool::start_job(std::string_view tenant, std::span<const std::uint8_t> document,
                                                  std::span<const std::uint8_t> header,
                                                  std::span<const std::uint8_t> payload) {
    if (document.size() > worker::max_document_bytes) {
        return fail(Errc::too_large, "the document is larger than a PDF worker accepts");
    }
    // The document goes to the worker as a sealed memfd it maps: through the socket, 10 MB cost
    // ~100 ms here, and the worker's copy of it as much again in page faults.
    UniqueFd memory;
    SIGNET_TRY(memory, sealed_memory_file(document));
    for (int attempt = 1;; ++attempt) {
        auto acquired = acquire(tenant);
        if (!acquired) return std::unexpected(acquired.error());
        Started started{std::move(*acquired), worker::Clock::now() + limits_.job_deadline};
        auto sent = worker::send_frame(started.worker.socket(), header, started.deadline);
        if (sent && !payload.empty()) sent = worker::send_frame(started.worker.socket(), payload, started.deadline);
        if (sent) sent = send_fd(started.worker.socket(), memory.get());
        if (sent) return started;
        // The worker takes its whole job before it parses any of it: one that fails before
        // that died of something else (killed from outside), so a fresh one gets the job once.
        std::string why = sent.error().message + "; " + discard(started.worker);
        if (attempt > 1) return fail(Errc::unavailable, "the PDF worker failed before it had the document: " + why);
    }
}

Result<PreparedDocument> WorkerPool::prepare(std::string_view tenant, std::span<const std::uint8_t> document,
                                             const PrepareRequest& request) {
    PreparedDocument prepared;
    SIGNET_TRY(prepared, prepare_update(tenant, document, request));
    PrefixDigest hashed;
    SIGNET_TRY(hashed, PrefixDigest::of(document));
    // The digest that will be signed is ours, over our original and the update we checked.
    SIGNET_TRY(prepared.digest, hashed.byte_range(prepared.update, prepared.byte_range));
    return prepared;
}

Result<PreparedDocument> WorkerPool::prepare_update(std::string_view tenant, std::span<const std::uint8_t> document,
                                                    const PrepareRequest& request) {
    const std::vector<std::uint8_t> header = worker::encode_request(request);
    if (header.size() > worker::max_header_bytes) {
        return fail(Errc::bad_request, "the signature's appearance text and reason are too long");
    }
    std::span<const std::uint8_t> logo;
    if (request.appearance && request.appearance->logo_file) {
        logo = *request.appearance->logo_file;
        if (logo.empty() || logo.size() > image::max_logo_bytes) {
            return fail(Errc::internal, "the tenant's logo has " + std::to_string(logo.size()) + " bytes");
        }
    }
    auto started = start_job(tenant, document, header, logo);
    if (!started) return std::unexpected(started.error());
    WorkerProcess& worker = started->worker;
    auto reply_header = worker::receive_frame(worker.socket(), max_reply_header_bytes, started->deadline);
    if (!reply_header) return std::unexpected(unsafe(reply_header.error().message + "; " + discard(worker)));
    auto reply = worker::decode_reply(*reply_header);
    if (!reply) return std::unexpected(unsafe(reply.error().message + "; " + discard(worker)));
    if (!*reply) {
        // prepare()'s own refusal, from a worker that behaved.
        replace(worker);
        return std::unexpected(reply->error());
    }
    PreparedDocument prepared = std::move(**reply);
    // A box with a logo carries the logo's samples, which a PNG's own compression may have
    // made far smaller than ours.
    const std::size_t logo_room = logo.empty() ? 0 : std::size_t{image::max_side} * image::max_side * 5;
    auto update = worker::receive_frame(worker.socket(),
                                        max_reply_bytes(document.size(), request.contents_size + logo_room),
                                        started->deadline);
    if (!update) return std::unexpected(unsafe(update.error().message + "; " + discard(worker)));
    // The worker sends the update only: the original is ours, so what the client sent is
    // what gets signed, and the wire carries it once.
    prepared.original_size = document.size();
    prepared.update = std::move(*update);
    if (auto checked = check_prepared(document.size(), request.contents_size, prepared); !checked) {
        return std::unexpected(unsafe(checked.error().message + "; " + discard(worker)));
    }
    finished(worker);
    return prepared;
}

Result<std::vector<std::uint8_t>> WorkerPool::add_dss(std::string_view tenant, std::span<const std::uint8_t> document,
                                                      std::span<const ValidationData> data) {
    const std::vector<std::uint8_t> payload = worker::encode_validation_data(data);
    if (payload.size() > worker::max_validation_bytes) {
        return fail(Errc::too_large, "the validation data is larger than a PDF worker accepts");
    }
    // The DSS holds the data (streams, perhaps compressed) and the objects it changes are copies
    // of the document's own: both sizes bound an honest update.
    return update_job(tenant, document, worker::encode_kind(worker::JobKind::add_dss), payload,
                      max_reply_bytes(document.size(), payload.size()));
}

Result<std::vector<std::uint8_t>> WorkerPool::add_fields(std::string_view tenant, std::span<const std::uint8_t> document,
                                                         const std::vector<FieldRequest>& fields) {
    const std::vector<std::uint8_t> header = worker::encode_fields_request(fields);
    if (fields.size() > worker::max_new_fields || header.size() > worker::max_header_bytes) {
        return fail(Errc::too_large, "at most " + std::to_string(worker::max_new_fields) +
                                         " fields, with short names, can be added at once");
    }
    // The pages and form the update rewrites are the document's own objects, plus a few small
    // ones per field.
    return update_job(tenant, document, header, {}, max_reply_bytes(document.size(), fields.size() * 4096));
}

Result<std::vector<std::uint8_t>> WorkerPool::update_job(std::string_view tenant, std::span<const std::uint8_t> document,
                                                         std::span<const std::uint8_t> header,
                                                         std::span<const std::uint8_t> payload, std::uint64_t max_update) {
    auto started = start_job(tenant, document, header, payload);
    if (!started) return std::unexpected(started.error());
    WorkerProcess& worker = started->worker;
    auto reply_header = worker::receive_frame(worker.socket(), max_reply_header_bytes, started->deadline);
    if (!reply_header) return std::unexpected(unsafe(reply_header.error().message + "; " + discard(worker)));
    auto reply = worker::decode_update_reply(*reply_header);
    if (!reply) return std::unexpected(unsafe(reply.error().message + "; " + discard(worker)));
    if (!*reply) {
        replace(worker);
        return std::unexpected(reply->error());
    }
    auto update = worker::receive_frame(worker.socket(), max_update, started->deadline);
    if (!update) return std::unexpected(unsafe(update.error().message + "; " + discard(worker)));
    if (auto checked = check_update_tail(*update); !checked) {
        return std::unexpected(unsafe(checked.error().message + "; " + discard(worker)));
    }
    finished(worker);
    return std::move(*update);
}

Result<worker::LogoInfo> WorkerPool::check_logo(std::string_view tenant, std::span<const std::uint8_t> logo) {
    return one_reply_job<worker::LogoInfo>(tenant, logo, worker::JobKind::check_logo, max_reply_header_bytes,
                                           worker::decode_logo_reply);
}

Result<SignatureList> WorkerPool::list_signatures(std::string_view tenant, std::span<const std::uint8_t> document) {
    return one_reply_job<SignatureList>(tenant, document, worker::JobKind::list_signatures, max_fields_reply_bytes,
                                        worker::decode_fields_reply);
}

template <class T>
Result<T> WorkerPool::one_reply_job(std::string_view tenant, std::span<const std::uint8_t> input, worker::JobKind kind,
                                    std::uint64_t max_reply,
                                    Result<Result<T>> (*decode)(std::span<const std::uint8_t>)) {
    auto started = start_job(tenant, input, worker::encode_kind(kind), {});
    if (!started) return std::unexpected(started.error());
    WorkerProcess& worker = started->worker;
    auto reply = worker::receive_frame(worker.socket(), max_reply, started->deadline);
    if (!reply) return std::unexpected(unsafe(reply.error().message + "; " + discard(worker)));
    auto answer = decode(*reply);
    if (!answer) return std::unexpected(unsafe(answer.error().message + "; " + discard(worker)));
    if (*answer) {
        finished(worker);
    } else {
        replace(worker);  // the worker's refusal: it behaved, but a failure ends it
    }
    return std::move(*answer);
}

std::uint64_t WorkerPool::restarts() const {
    std::lock_guard lock(mutex_);
    return restarts_;
}

std::size_t WorkerPool::peak_worker_rss_bytes() const {
    std::lock_guard lock(mutex_);
    return peak_rss_bytes_;
}

pid_t WorkerPool::fork_server_pid() const {
    std::lock_guard lock(server_mutex_);
    return server_ ? server_->pid() : -1;
}

std::vector<pid_t> WorkerPool::worker_pids() const {
    std::lock_guard lock(mutex_);
    std::vector<pid_t> pids;
    for (const auto& worker : idle_) pids.push_back(worker.pid());
    return pids;
}

Result<WorkerProcess> WorkerPool::acquire(std::string_view tenant) {
    std::unique_lock lock(mutex_);
    if (!available_.wait_for(lock, limits_.job_deadline,
                             [&] { return !idle_.empty() || vacant_ > 0; })) {
        return fail(Errc::unavailable, "no PDF worker became free within the job deadline");
    }
    // Workers that died or spoke while they had no job (killed from outside, or worse) are
    // replaced before anyone hands them a document.
    for (auto it = idle_.begin(); it != idle_.end();) {
        if (it->idle_and_alive()) {
            ++it;
            continue;
        }
        it->kill_and_reap();
        it = idle_.erase(it);
        ++vacant_;
        ++restarts_;
    }
    // This tenant's own worker first, then a fresh one; the refiller makes fresh ones.
    auto mine = std::find_if(idle_.begin(), idle_.end(), [&](const WorkerProcess& w) { return w.tenant() == tenant; });
    if (mine == idle_.end()) {
        mine = std::find_if(idle_.begin(), idle_.end(), [](const WorkerProcess& w) { return w.tenant().empty(); });
    }
    if (mine != idle_.end()) {
        WorkerProcess worker = std::move(*mine);
        idle_.erase(mine);
        worker.assign(tenant);
        return worker;
    }
    if (vacant_ == 0) {
        // Only other tenants' workers are idle: the oldest makes room for a fresh one.
        WorkerProcess other = std::move(idle_.front());
        idle_.pop_front();
        lock.unlock();
        (void)other.kill_and_reap();
        lock.lock();
        peak_rss_bytes_ = std::max(peak_rss_bytes_, other.peak_rss_bytes());
        ++vacant_;
    }
    --vacant_;
    lock.unlock();
    auto spawned = fork_worker();
    if (!spawned) {
        lock.lock();
        ++vacant_;
        available_.notify_one();
        return spawned;
    }
    spawned->assign(tenant);
    return spawned;
}

void WorkerPool::finished(WorkerProcess& worker) {
    worker.count_job();
    if (worker.jobs_done() >= limits_.jobs_per_worker) return replace(worker);
    worker.observe_peak_rss();
    std::lock_guard lock(mutex_);
    peak_rss_bytes_ = std::max(peak_rss_bytes_, worker.peak_rss_bytes());
    idle_.push_back(std::move(worker));
    available_.notify_one();
}

void WorkerPool::replace(WorkerProcess& worker) {
    (void)worker.kill_and_reap();  // it was waiting for its next job: nothing is lost
    std::lock_guard lock(mutex_);
    peak_rss_bytes_ = std::max(peak_rss_bytes_, worker.peak_rss_bytes());
    ++vacant_;
    vacancy_.notify_one();
    available_.notify_one();
}

std::string WorkerPool::discard(WorkerProcess& worker) {
    std::string why = worker.kill_and_reap();
    std::lock_guard lock(mutex_);
    peak_rss_bytes_ = std::max(peak_rss_bytes_, worker.peak_rss_bytes());
    ++vacant_;
    ++restarts_;
    vacancy_.notify_one();
    available_.notify_one();
    return why;
}

std::filesystem::path default_worker_executable() {
    std::error_code error;
    std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    // Without /proc the bare name fails at spawn time with a message that names it.
    return (error ? std::filesystem::path() : self.parent_path()) / "signet-pdf-worker";
}

}  // namespace signet::pdf
