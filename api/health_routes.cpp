#include "api/routes.hpp"

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "keys/key_expiry.hpp"
#include "keys/key_inventory.hpp"
#include "telemetry/metrics.hpp"
#include "timestamp/clock_sync.hpp"

namespace signet::daemon {
namespace {

std::vector<KeyExpiry> active_key_expiries(const Services& services) {
    std::vector<std::shared_ptr<const ActiveKey>> keys{services.seal_key.get(), services.audit_key.get()};
    if (auto tsa = services.tsa_key.get()) keys.push_back(std::move(tsa));
    if (auto guest_ca = services.guest_ca_key.get()) keys.push_back(std::move(guest_ca));
    return key_expiries(keys, services.clock.now(), services.config.keys.expiry_warning);
}

}  // namespace

Response metrics_page(const Services& services, const Request& request) {
    Response response{http::status::ok, request.version()};
    response.set(http::field::content_type, "text/plain; version=0.0.4");
    response.set(http::field::cache_control, "no-store");
    response.keep_alive(request.keep_alive());
    std::string body = metrics().render() + expiry_metrics(active_key_expiries(services));
    body += "# HELP signet_pdf_worker_restarts_total PDF workers replaced after a crash, a hang or a limit.\n"
            "# TYPE signet_pdf_worker_restarts_total counter\n"
            "signet_pdf_worker_restarts_total " + std::to_string(services.pdf_workers.restarts()) + "\n";
    body += "# HELP signet_pdf_worker_peak_rss_bytes The largest resident set of any PDF worker so far, as the kernel counted it.\n"
            "# TYPE signet_pdf_worker_peak_rss_bytes gauge\n"
            "signet_pdf_worker_peak_rss_bytes " + std::to_string(services.pdf_workers.peak_worker_rss_bytes()) + "\n";
    body += "# HELP signet_hsm_up 1 while the token serves, 0 while it is degraded or its PIN is refused.\n"
            "# TYPE signet_hsm_up gauge\n"
            "signet_hsm_up " + std::string(services.token.health().health == hsm::TokenHealth::ok ? "1" : "0") + "\n";
    body += "# HELP signet_clock_synchronized 1 while the kernel reports the system clock synchronised (adjtimex).\n"
            "# TYPE signet_clock_synchronized gauge\n"
            "signet_clock_synchronized " + std::string(timestamp::clock_synchronized() ? "1" : "0") + "\n";
    body += "# HELP signet_jobs_in_flight Jobs waiting for or running on the job pool.\n"
            "# TYPE signet_jobs_in_flight gauge\n"
            "signet_jobs_in_flight " + std::to_string(services.pool.in_flight()) + "\n";
    if (auto audit = services.trail.state()) {
        auto age = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                    audit->last_checkpoint);
        body += "# HELP signet_audit_entries Entries in the key-usage log.\n"
                "# TYPE signet_audit_entries gauge\n"
                "signet_audit_entries " + std::to_string(audit->entries) + "\n"
                "# HELP signet_audit_unanchored_entries Entries no signed checkpoint covers yet.\n"
                "# TYPE signet_audit_unanchored_entries gauge\n"
                "signet_audit_unanchored_entries " + std::to_string(audit->entries - audit->anchored) + "\n"
                "# HELP signet_audit_checkpoint_age_seconds Since this signetd's last checkpoint (or its start).\n"
                "# TYPE signet_audit_checkpoint_age_seconds gauge\n"
                "signet_audit_checkpoint_age_seconds " + std::to_string(age.count()) + "\n";
    }
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

Response health_page(Services& services, const Request& request) {
    std::string database = "ok";
    std::string audit = "ok";
    {
        std::lock_guard lock(services.db_mutex);
        if (!services.db.execute("SELECT 1")) database = "unavailable";
        // The audit log is ready when an entry could be written now: a locked, read-only or
        // full database fails this even though it still answers reads.
        if (!services.db.probe_writable(std::chrono::milliseconds(200))) audit = "unavailable";
        // A file system gone read-only after an I/O error passes that probe. After a failed
        // commit of the log, a real commit says whether it can be written again.
        if (audit == "ok" && services.trail.last_commit_failed()) {
            if (services.db.probe_commit()) services.trail.writable_again();
            else audit = "unavailable";
        }
    }
    // The token's own account: a failed operation turns it, and its recovery turns it back
    // (hsm/token.hpp). No PKCS#11 call here, so health answers even while the module hangs.
    const hsm::TokenState token = services.token.health();
    const std::string hsm(hsm::to_string(token.health));
    // A revoked signing certificate stops its key: the service is degraded until officers act.
    auto revoked = revoked_active_keys(services.db, services.db_mutex);
    const bool leaving = services.leaving.load();
    bool ready = !leaving && database == "ok" && hsm == "ok" && audit == "ok" && revoked && revoked->empty();
    nlohmann::json body = {{"status", leaving ? "draining" : ready ? "ok" : "degraded"},
                           {"node", services.db.node()},
                           {"hsm", hsm},
                           {"database", database},
                           {"audit", audit},
                           {"clock_synchronized", timestamp::clock_synchronized()},
                           {"certificates", expiry_json(active_key_expiries(services))},
                           {"revoked_keys", revoked ? nlohmann::json(*revoked) : nlohmann::json("unknown")}};
    if (token.health != hsm::TokenHealth::ok) {
        body["hsm_error"] = token.error;
        body["hsm_since"] = signet::format_timestamp(std::chrono::floor<std::chrono::seconds>(token.since));
    }
    return json_response(ready ? http::status::ok : http::status::service_unavailable,
                         body.dump(), request.version(), request.keep_alive());
}

}  // namespace signet::daemon
