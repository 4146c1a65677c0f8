#include "daemon/signetd.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <systemd/sd-daemon.h>

#include "config/config.hpp"
#include "jobs/audit_trail.hpp"
#include "server/job_pool.hpp"
#include "api/router.hpp"
#include "server/listener.hpp"
#include "telemetry/log.hpp"
#include "evidence/revocation_gate.hpp"
#include "guests/guest_code.hpp"
#include "guests/guest_register.hpp"
#include "keys/active_key.hpp"
#include "keys/certificate_checks.hpp"
#include "server/server_credentials.hpp"
#include "keys/token_open.hpp"
#include "hsm/token.hpp"
#include "pdf/worker/worker_pool.hpp"
#include "policy/matrix.hpp"
#include "daemon/key_refresh.hpp"
#include "store/database.hpp"

namespace signet::daemon {
namespace {

// [signature] trust: every certificate of every file named.
Result<std::vector<X509Ptr>> read_extend_trust(const std::vector<std::filesystem::path>& files) {
    std::vector<X509Ptr> trust;
    for (const auto& file : files) {
        std::vector<X509Ptr> read;
        SIGNET_TRY(read, read_trust_anchors(file));
        for (auto& certificate : read) trust.push_back(std::move(certificate));
    }
    return trust;
}

int failed(const Error& error) {
    log_error("signetd: " + error.message);
    return 1;
}

audit::Entry daemon_entry(const char* event, const ActiveKey& seal_key, const ActiveKey& audit_key) {
    audit::Entry entry;
    entry.event = event;
    entry.outcome = "done";
    entry.detail = {{"seal_key", seal_key.id_hex}, {"audit_key", audit_key.id_hex}};
    return entry;
}

// Every `interval`, a checkpoint of whatever waits for one, made on the job pool.
void schedule_checkpoints(boost::asio::steady_timer& timer, std::chrono::seconds interval,
                          AuditTrail& trail, JobPool& pool) {
    timer.expires_after(interval);
    timer.async_wait([&timer, interval, &trail, &pool](boost::system::error_code ec) {
        if (ec) return;
        (void)pool.try_post([&trail] {
            if (auto made = trail.checkpoint(); !made) log_error("audit checkpoint: " + made.error().message);
        });
        schedule_checkpoints(timer, interval, trail, pool);
    });
}

// Every minute, the guests whose code expired a day ago are removed, on the job pool.
void schedule_guest_sweep(boost::asio::steady_timer& timer, const GuestContext& guests, JobPool& pool) {
    timer.expires_after(std::chrono::minutes(1));
    timer.async_wait([&timer, &guests, &pool](boost::system::error_code ec) {
        if (ec) return;
        (void)pool.try_post([&guests] {
            auto removed = remove_expired_guests(guests);
            if (!removed) log_error("guest sweep: " + removed.error().message);
            if (removed && *removed > 0) log_info("guest sweep: " + std::to_string(*removed) + " expired guests removed");
        });
        schedule_guest_sweep(timer, guests, pool);
    });
}

// Every [keys] refresh, on the job pool: the active keys as the store says (another node's
// officer may have changed them).
void schedule_key_refresh(boost::asio::steady_timer& timer, std::chrono::seconds period,
                          std::span<const RefreshedSlot> slots, store::Database& db, store::DatabaseMutex& db_mutex,
                          hsm::Token& token, JobPool& pool) {
    timer.expires_after(period);
    timer.async_wait([&timer, period, slots, &db, &db_mutex, &token, &pool](boost::system::error_code ec) {
        if (ec) return;
        (void)pool.try_post([slots, &db, &db_mutex, &token] {
            const KeyRefresh refresh = refresh_active_keys(db, db_mutex, token, slots);
            for (const auto& change : refresh.changed) log_info("keys: the active " + change + ", as the store says");
            for (const auto& failure : refresh.failures) log_error("keys: " + failure.message);
        });
        schedule_key_refresh(timer, period, slots, db, db_mutex, token, pool);
    });
}

// WATCHDOG=1 from the event loop, at half the period systemd expects (sd_watchdog_enabled(3)):
// a wedged loop stops the pings and systemd restarts the service.
void schedule_watchdog(boost::asio::steady_timer& timer, std::chrono::microseconds period) {
    timer.expires_after(period / 2);
    timer.async_wait([&timer, period](boost::system::error_code ec) {
        if (ec) return;
        sd_notify(0, "WATCHDOG=1");
        schedule_watchdog(timer, period);
    });
}

// SIGTERM: no new connections, 503 for new requests on open ones, and the requests under way
// finish, for at most `limit`; then the event loop stops.
void drain(boost::asio::io_context& io, boost::asio::steady_timer& timer, const Traffic& traffic, JobPool& pool,
           std::chrono::steady_clock::time_point deadline) {
    if ((traffic.requests == 0 && pool.in_flight() == 0) || std::chrono::steady_clock::now() >= deadline) {
        if (traffic.requests != 0) {
            log_error("signetd: drain timeout with " + std::to_string(traffic.requests.load()) +
                      " requests unanswered");
        }
        // Jobs still queued could never deliver their answer: they are dropped unstarted (no
        // key used, nothing to record) so that the stop stays within systemd's timeout.
        pool.cancel_queued();
        io.stop();
        return;
    }
    timer.expires_after(std::chrono::milliseconds(50));
    timer.async_wait([&io, &timer, &traffic, &pool, deadline](boost::system::error_code ec) {
        if (!ec) drain(io, timer, traffic, pool, deadline);
    });
}

void on_signals(boost::asio::signal_set& signals, boost::asio::io_context& io, boost::asio::steady_timer& drain_timer,
                Listener& listener, Traffic& traffic, ServerCredentials& credentials,
                const config::Config& config, JobPool& pool, hsm::Token& token) {
    signals.async_wait([&](boost::system::error_code ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP) {
            sd_notify(0, "RELOADING=1");
            if (auto reloaded = credentials.reload(config.file); reloaded) {
                log_info("signetd: SIGHUP: TLS credentials and client mappings reloaded from " + config.file.string());
            } else {
                log_error("signetd: SIGHUP: reload refused, the previous credentials stay in use: " +
                          reloaded.error().message);
            }
            // A refused PIN is never retried on its own (a retry loop could lock it): the operator
            // fixes the PIN file and reloads, which tries it once.
            if (token.health().health == hsm::TokenHealth::pin_problem) {
                (void)pool.try_post([&token] {
                    if (auto recovered = token.recover(); !recovered) {
                        log_error("signetd: SIGHUP: the token still refuses: " + recovered.error().message);
                    } else {
                        log_info("signetd: SIGHUP: logged in to the token again");
                    }
                });
            }
            sd_notify(0, "READY=1");
            return on_signals(signals, io, drain_timer, listener, traffic, credentials, config, pool, token);
        }
        log_info("signetd: signal " + std::to_string(signal) + ", health says draining for " +
                 std::to_string(config.limits.drain_notice.count()) + " s, then draining for at most " +
                 std::to_string(config.limits.drain_timeout.count()) + " s");
        sd_notify(0, "STOPPING=1");
        traffic.leaving = true;
        // The balancer's checks see "draining" and take this node out of the pool while it still
        // answers; only then does it stop accepting.
        drain_timer.expires_after(config.limits.drain_notice);
        drain_timer.async_wait([&io, &drain_timer, &listener, &traffic, &config, &pool](boost::system::error_code) {
            listener.stop();
            drain(io, drain_timer, traffic, pool, std::chrono::steady_clock::now() + config.limits.drain_timeout);
        });
    });
}

}  // namespace

int run_signetd(const std::filesystem::path& config_file) {
    auto config = config::load(config_file);
    if (!config) return failed(config.error());
    // A broken matrix stops the daemon here, before any key is opened, naming the line.
    auto matrix = policy::Matrix::load(config->policy.rights_matrix);
    if (!matrix) return failed(matrix.error());

    auto opened = open_configured_token(config->hsm);
    if (!opened) return failed(opened.error());
    std::unique_ptr<hsm::Token> token = std::move(*opened);
    // One search per key class now, rather than one per person on their first signature.
    auto indexed = token->index_keys();
    if (!indexed) return failed(indexed.error());
    log_info("signetd: " + std::to_string(*indexed) + " keys indexed in the token");

    if (config->store.deprecated_table) {
        log_info("signetd: warning: the [database] table is now [store] (with backend = \"sqlite\"); [database] will not be "
                    "read after the next release");
    }
    auto db = store::Database::open(config->store);
    if (!db) return failed(db.error());
    db->set_node(config->server.node);
    auto seal_key = load_active_key(*db, *token, "seal");
    if (!seal_key) return failed(seal_key.error());
    auto audit_key = load_active_key(*db, *token, "audit");
    if (!audit_key) return failed(audit_key.error());
    auto tsa_key = find_active_key(*db, *token, "tsa");
    if (!tsa_key) return failed(tsa_key.error());
    auto guest_ca_key = find_active_key(*db, *token, "guest-ca");
    if (!guest_ca_key) return failed(guest_ca_key.error());
    // The secret key of the guests' codes: made once, in the token, never exported.
    if (auto code_key = ensure_guest_code_key(*token); !code_key) return failed(code_key.error());
    auto initial_credentials = ServerCredentials::make(*config);
    if (!initial_credentials) return failed(initial_credentials.error());
    ServerCredentials credentials(std::move(*initial_credentials));

    const unsigned cores = std::max(std::thread::hardware_concurrency(), 1U);
    const unsigned job_threads =
        config->limits.workers != 0 ? config->limits.workers : std::clamp(8 * cores, 2U, 256U);
    pdf::WorkerLimits pdf_limits;
    // Half the job threads: a time-stamp job needs no worker, and a seal job waiting for a worker
    // still being made waits for nothing useful.
    pdf_limits.workers =
        config->limits.pdf_workers != 0 ? config->limits.pdf_workers : std::min(std::max(job_threads / 2, 1U), 64U);
    pdf_limits.job_deadline = config->limits.pdf_job_timeout;
    pdf_limits.address_space_bytes = config->limits.pdf_worker_memory_bytes;
    pdf_limits.cpu_seconds_per_job = config->limits.pdf_worker_cpu_seconds;
    auto pdf_workers = pdf::WorkerPool::start(
        config->limits.pdf_worker.empty() ? pdf::default_worker_executable() : config->limits.pdf_worker, pdf_limits);
    if (!pdf_workers) return failed(pdf_workers.error());

    store::DatabaseMutex db_mutex(*db);  // on PostgreSQL: a lease of the pool's connections
    JobPool pool(job_threads, config->limits.max_queued_jobs);
    signet::SystemClock clock;
    KeySlot seal_slot(std::move(*seal_key));
    KeySlot audit_slot(std::move(*audit_key));
    KeySlot tsa_slot;
    if (*tsa_key) tsa_slot.set(std::move(**tsa_key));
    KeySlot guest_ca_slot;
    if (*guest_ca_key) guest_ca_slot.set(std::move(**guest_ca_key));
    AuditTrail trail(*db, db_mutex, clock, *token, audit_slot, config->audit);
    // No service without a writable log. Key uses the last run began and never finished are
    // accounted for first, then the start is recorded.
    auto interrupted = trail.account_for_interrupted();
    if (!interrupted) return failed(interrupted.error());
    if (*interrupted > 0) {
        log_error("signetd: " + std::to_string(*interrupted) +
                  " key uses of the last run had no outcome in the audit log; each is now recorded as interrupted");
    }
    if (auto started = trail.record(daemon_entry("daemon_start", *seal_slot.get(), *audit_slot.get())); !started) {
        return failed(started.error());
    }
    PersonalKeys personal_keys(4096);
    auto extend_trust = read_extend_trust(config->signature.trust);
    if (!extend_trust) return failed(extend_trust.error());
    auto anchors = read_trust_anchors(config->keys.signing_trust_anchors);
    if (!anchors) return failed(anchors.error());
    evidence::RevocationGate revocation(config->revocation, std::move(*anchors), clock, *db, db_mutex);
    const TrustedTime time{config->timestamp ? &*config->timestamp : nullptr, tsa_slot, *token, trail, clock,
                           revocation};
    KnownTenants tenants;
    idempotency::AnswerStore answers(*db, db_mutex, clock,
                                     idempotency::Settings{config->jobs.idempotency_ttl, config->jobs.answers_folder,
                                                           config->jobs.answers_max_bytes});
    if (auto swept = answers.open(); !swept) return failed(swept.error());
    Traffic traffic;  // before the io_context, whose destruction ends the last sessions
    Services services{*config,   *matrix, clock, *token,         seal_slot,       audit_slot, tsa_slot, guest_ca_slot,
                      trail,     *db,     db_mutex, pool,        personal_keys, **pdf_workers, time, tenants,
                      revocation, *extend_trust, answers, traffic.leaving};
    Router router(services);
    ServerContext server{*config, router};

    boost::asio::io_context io(static_cast<int>(config->server.io_threads));
    auto listener = Listener::create(io, credentials, server, traffic);
    if (!listener) return failed(listener.error());
    (*listener)->run();

    boost::asio::steady_timer checkpoint_timer(io);
    schedule_checkpoints(checkpoint_timer, config->audit.checkpoint_interval, trail, pool);
    const GuestContext guests{*db, db_mutex, *token, clock, config->guests};
    boost::asio::steady_timer guest_timer(io);
    schedule_guest_sweep(guest_timer, guests, pool);

    const std::array<RefreshedSlot, 4> refreshed{{{"seal", seal_slot, false},
                                                  {"audit", audit_slot, false},
                                                  {"tsa", tsa_slot, true},
                                                  {"guest-ca", guest_ca_slot, true}}};
    boost::asio::steady_timer key_timer(io);
    schedule_key_refresh(key_timer, config->keys.refresh, refreshed, *db, db_mutex, *token, pool);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    boost::asio::steady_timer drain_timer(io);
    on_signals(signals, io, drain_timer, **listener, traffic, credentials, *config, pool, *token);

    boost::asio::steady_timer watchdog_timer(io);
    if (std::uint64_t period = 0; sd_watchdog_enabled(0, &period) > 0) {
        schedule_watchdog(watchdog_timer, std::chrono::microseconds(period));
    }

    auto endpoint = (*listener)->local_endpoint();
    log_info("signetd: serving on " + endpoint.address().to_string() + ":" +
             std::to_string(endpoint.port()) + " with seal key " + seal_slot.get()->id_hex);
    // The HSM is logged in, the database and the log are open, the port listens: ready.
    sd_notify(0, "READY=1");

    std::vector<std::thread> threads;
    for (unsigned i = 1; i < config->server.io_threads; ++i) threads.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& thread : threads) thread.join();
    pool.drain();  // jobs already running finish before the HSM and database close
    // The stop is recorded and anchored, so that an export taken now verifies to its last entry.
    if (auto stopped = trail.record(daemon_entry("daemon_stop", *seal_slot.get(), *audit_slot.get())); !stopped) {
        log_error("signetd: " + stopped.error().message);
    }
    if (auto anchored = trail.checkpoint(); !anchored) log_error("audit checkpoint: " + anchored.error().message);
    log_info("signetd: stopped");
    return 0;
}

}  // namespace signet::daemon
