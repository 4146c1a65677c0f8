#pragma once
// Routing of the API: a plain function from (caller, request) to a response, with no transport
// in it (the Beast examples' handle_request). Blocking work goes to the job pool and the
// response comes back through `done`, on a pool thread.

#include <functional>
#include <mutex>
#include <optional>
#include <variant>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "config/config.hpp"
#include "daemon/audit_trail.hpp"
#include "daemon/client_identity.hpp"
#include "daemon/job_pool.hpp"
#include "daemon/raw_request.hpp"
#include "daemon/sign_job.hpp"
#include "daemon/active_key.hpp"
#include "hsm/token.hpp"
#include "pdf/worker_pool.hpp"
#include "policy/matrix.hpp"
#include "base/time.hpp"
#include "store/database.hpp"

namespace signet::daemon {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
// Every answer is a Response (JSON, text) but the signed PDF of a raw seal or signature, whose
// bytes are sent from the job's own vector rather than copied into a string.
using Reply = std::variant<Response, PdfResponse>;
using Completion = std::function<void(Reply)>;

struct Services {
    const config::Config& config;
    const policy::Matrix& matrix;
    const signet::Clock& clock;
    hsm::Token& token;
    KeySlot& seal_key;
    KeySlot& audit_key;
    AuditTrail& trail;
    store::Database& db;
    std::mutex& db_mutex;
    JobPool& pool;
    PersonalKeys& personal_keys;
    pdf::WorkerPool& pdf_workers;
};

// A JSON error response for `error`, with the status the API contract gives its code.
Response error_response(const Error& error, unsigned version, bool keep_alive);

// `client` is empty when the caller presented no certificate.
void handle_request(Services& services, const std::optional<ClientIdentity>& client,
                    Request&& request, Completion done);

// Whether the request is a raw document job: POST /v1/seal or /v1/sign with Content-Type:
// application/pdf (raw_request.hpp). Its body is read into a byte vector under
// [limits] max_raw_document_bytes and handed to handle_raw_request; every other body is read as
// a string under max_body_bytes and handed to handle_request.
bool carries_raw_document(const http::request_header<>& header);

// Whether `client` may submit the seal or signature job of `header` (a certificate mapped to
// the platform role; 401 or 403 otherwise). http_session asks before it reads a raw document,
// so that no other caller makes signetd read up to max_raw_document_bytes.
Status check_job_client(const std::optional<ClientIdentity>& client, const http::request_header<>& header);

void handle_raw_request(Services& services, const std::optional<ClientIdentity>& client,
                        PdfRequest&& request, Completion done);

}  // namespace signet::daemon
