#pragma once
// Routing of the API: a plain function from (caller, request) to a response, with no transport
// in it (the Beast examples' handle_request). Blocking work goes to the job pool and the
// response comes back through `done`, on a pool thread.

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "config/config.hpp"
#include "jobs/audit_trail.hpp"
#include "config/client_identity.hpp"
#include "evidence/revocation_gate.hpp"
#include "idempotency/answer_store.hpp"
#include "server/error_response.hpp"
#include "server/handler.hpp"
#include "server/job_pool.hpp"
#include "api/raw_request.hpp"
#include "jobs/sign_job.hpp"
#include "jobs/timestamp_job.hpp"
#include "jobs/trusted_time.hpp"
#include "keys/active_key.hpp"
#include "hsm/token.hpp"
#include "pdf/worker/worker_pool.hpp"
#include "policy/matrix.hpp"
#include "base/time.hpp"
#include "store/database.hpp"

namespace signet::daemon {

struct Services {
    const config::Config& config;
    const policy::Matrix& matrix;
    const signet::Clock& clock;
    hsm::Token& token;
    KeySlot& seal_key;
    KeySlot& audit_key;
    KeySlot& tsa_key;
    KeySlot& guest_ca_key;  // empty while no guest CA is active
    AuditTrail& trail;
    store::Database& db;
    store::DatabaseMutex& db_mutex;
    JobPool& pool;
    PersonalKeys& personal_keys;
    pdf::WorkerPool& pdf_workers;
    const TrustedTime& time;
    KnownTenants& tenants;
    evidence::RevocationGate& revocation;
    const std::vector<X509Ptr>& extend_trust;  // [signature] trust; empty: the seal certificate's CA
    idempotency::AnswerStore& answers;         // Idempotency-Key
    const std::atomic<bool>& leaving;          // SIGTERM received: health answers "draining"
};

// `client` is empty when the caller presented no certificate.
void handle_request(Services& services, const std::optional<config::ClientIdentity>& client,
                    Request&& request, Completion done);

// Whether the request is a raw document job: POST /v1/seal or /v1/sign with Content-Type:
// application/pdf (raw_request.hpp). Its body is read into a byte vector under
// [limits] max_raw_document_bytes and handed to handle_raw_request; every other body is read as
// a string under max_body_bytes and handed to handle_request.
bool carries_raw_document(const http::request_header<>& header);

// Whether `client` may submit the seal or signature job of `header` (a certificate mapped to
// the platform role; 401 or 403 otherwise). http_session asks before it reads a raw document,
// so that no other caller makes signetd read up to max_raw_document_bytes.
Status check_job_client(const std::optional<config::ClientIdentity>& client, const http::request_header<>& header);

void handle_raw_request(Services& services, const std::optional<config::ClientIdentity>& client,
                        PdfRequest&& request, Completion done);

// The routes above as the server's Handler.
class Router final : public Handler {
public:
    explicit Router(Services& services) : services_(services) {}
    bool carries_raw_document(const http::request_header<>& header) const override {
        return daemon::carries_raw_document(header);
    }
    Status check_raw_client(const std::optional<config::ClientIdentity>& client,
                            const http::request_header<>& header) const override {
        return check_job_client(client, header);
    }
    void handle(const std::optional<config::ClientIdentity>& client, Request&& request, Completion done) override {
        handle_request(services_, client, std::move(request), std::move(done));
    }
    void handle_raw(const std::optional<config::ClientIdentity>& client, PdfRequest&& request,
                    Completion done) override {
        handle_raw_request(services_, client, std::move(request), std::move(done));
    }

private:
    Services& services_;
};

}  // namespace signet::daemon
