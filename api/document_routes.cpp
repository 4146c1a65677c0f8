#include "api/routes.hpp"

#include <memory>
#include <string>
#include <string_view>

#include "api/api_json.hpp"
#include "api/raw_request.hpp"
#include "jobs/seal_job.hpp"
#include "jobs/sign_job.hpp"
#include "jobs/timestamp_job.hpp"
#include "json/json_fields.hpp"
#include "api/query.hpp"
#include "idempotency/idempotent_request.hpp"
#include "telemetry/metrics.hpp"

namespace signet::daemon {
namespace {

// The seal job of a parsed request, JSON or raw.
Result<SealResult> run_seal(Services& services, const config::ClientIdentity& client, SealRequest request) {
    // The key of this job from start to end, even if an officer activates its successor
    // meanwhile.
    const auto seal_key = services.seal_key.get();
    SealContext context{services.token, *seal_key, services.trail, services.db,
                        services.db_mutex, services.matrix, services.clock,
                        services.config.keys.min_remaining_validity, services.pdf_workers, services.time,
                        services.revocation};
    if (!request.level) request.level = services.config.signature.level;
    auto result = run_seal_job(context, client, std::move(request));
    metrics().job("seal", result ? "done" : to_string(result.error().code));
    return result;
}

// The signature job of a parsed request, JSON or raw.
Result<SignResult> run_sign(Services& services, const config::ClientIdentity& client, SignRequest request) {
    OfficerContext keys{services.db, services.db_mutex, services.token, services.clock, services.config.keys,
                        services.seal_key, services.audit_key, services.tsa_key, services.guest_ca_key, client};
    SignContext context{keys, services.trail, services.matrix, services.config.signing, services.personal_keys,
                        services.pdf_workers, services.time, services.revocation};
    if (!request.level) request.level = services.config.signature.level;
    auto result = run_sign_job(context, std::move(request));
    metrics().job("sign", result ? "done" : to_string(result.error().code));
    return result;
}

// The co-signature job of a parsed request, JSON or raw.
Result<JobResult> run_cosign(Services& services, const config::ClientIdentity& client, CosignRequest request) {
    OfficerContext keys{services.db, services.db_mutex, services.token, services.clock, services.config.keys,
                        services.seal_key, services.audit_key, services.tsa_key, services.guest_ca_key, client};
    const GuestContext guests{services.db, services.db_mutex, services.token, services.clock, services.config.guests};
    CosignContext context{{keys, services.trail, services.matrix, services.config.signing, services.personal_keys,
                           services.pdf_workers, services.time, services.revocation},
                          guests, services.guest_ca_key};
    if (!request.level) request.level = services.config.signature.level;
    auto result = run_cosign_job(context, std::move(request));
    metrics().job("cosign", result ? "done" : to_string(result.error().code));
    return result;
}

// The extension job of a parsed request, JSON or raw.
Result<ExtendResult> run_extend(Services& services, const config::ClientIdentity& client, ExtendRequest request) {
    ExtendContext context{services.time,     services.revocation, services.pdf_workers,
                          services.db,       services.db_mutex,   services.tenants,
                          services.extend_trust, services.seal_key, services.clock};
    auto result = run_extend_job(context, client, std::move(request));
    metrics().job("extend", result ? "done" : to_string(result.error().code));
    return result;
}

std::span<const std::uint8_t> bytes_of(const std::string& body) {
    return {reinterpret_cast<const std::uint8_t*>(body.data()), body.size()};
}

// A time-stamp job's reply: a TimeStampResp, or the contract's error.
Reply timestamp_response(const TimestampReply& reply, unsigned version, bool keep_alive) {
    Response response{http::status::ok, version};
    response.set(http::field::content_type, "application/timestamp-reply");
    response.keep_alive(keep_alive);
    response.body().assign(reply.response.begin(), reply.response.end());
    response.prepare_payload();
    return response;
}

// A granted token's answer is kept with its outcome entry, as a seal's is (`keep` is an
// Idempotency-Key's, or null).
Reply timestamp_reply(Services& services, const config::ClientIdentity& client, const std::string& tenant,
                      const std::string& body, unsigned version, bool keep_alive, const idempotency::KeepReply* keep) {
    KeepTimestampReply keep_granted;
    if (keep != nullptr) {
        keep_granted = [keep, version, keep_alive](const TimestampReply& granted, std::int64_t outcome_seq) {
            return (*keep)(timestamp_response(granted, version, keep_alive), outcome_seq);
        };
    }
    auto reply = run_timestamp_job(services.time, services.db, services.db_mutex, services.tenants, client, tenant,
                                   bytes_of(body), keep_granted);
    metrics().job("timestamp", reply ? (reply->granted ? "done" : "rejected")
                                     : to_string(reply.error().code));
    if (!reply) return error_response(reply.error(), version, keep_alive);
    return timestamp_response(*reply, version, keep_alive);
}

// A seal's or a signature's answer kept with the job's last outcome (key_job.hpp): `render`
// makes the same reply the route then sends, from a result still to be returned.
KeepAnswer keep_rendered(const idempotency::KeepReply* keep, std::function<Reply(const JobResult&)> render) {
    if (keep == nullptr) return {};
    return [keep, render = std::move(render)](const JobResult& result) {
        return (*keep)(render(result), result.documents.back().audit_seq);
    };
}

// An extension's answer kept with its document time-stamp's outcome (extend_job.hpp).
KeepExtendAnswer keep_extension(const idempotency::KeepReply* keep, std::function<Reply(const ExtendResult&)> render) {
    if (keep == nullptr) return {};
    return [keep, render = std::move(render)](const ExtendResult& result, std::int64_t outcome_seq) {
        return (*keep)(render(result), outcome_seq);
    };
}

// A document job with a JSON body, on the job pool: `parse` takes the body, and frees it once it
// has read it (JsonFields::parse), before `run` does the job, at most once per Idempotency-Key,
// and gives the answer's JSON.
template <class Parse, class Run>
void json_job(Services& services, const config::ClientIdentity& client, Request&& request, Completion done,
              Parse parse, Run run) {
    const unsigned version = request.version();
    const bool keep_alive = request.keep_alive();
    auto keyed = idempotency::keyed_request(request, client.fingerprint);
    if (!keyed) return done(error_response(keyed.error(), version, keep_alive));
    auto body = std::make_shared<std::string>(std::move(request.body()));
    on_pool(services, version, keep_alive, std::move(done),
            [&services, body, version, keep_alive, parse, run, keyed = std::move(*keyed)]() -> Reply {
                const auto hashed = idempotency::with_body(keyed, bytes_of(*body));
                auto parsed = parse(std::move(*body));
                if (!parsed) return error_response(parsed.error(), version, keep_alive);
                const std::string tenant = parsed->tenant;
                return idempotency::run_once(services.answers, hashed, tenant, version, keep_alive,
                                             [&](const idempotency::KeepReply* keep) -> Reply {
                                                 auto answer = run(std::move(*parsed), keep);
                                                 if (!answer) return error_response(answer.error(), version, keep_alive);
                                                 return json_response(http::status::ok, std::move(*answer), version,
                                                                      keep_alive);
                                             });
            });
}

// A raw seal, signature or co-signature on the job pool, at most once per Idempotency-Key:
// `document` gives the body's bytes for the key's digest, `run` does the job, and `render` makes
// the PDF answer from the job's result (the one kept with the job's outcome, from a JobResult)
// or from `run`'s (the one sent).
template <class Job, class Document, class Run, class Render>
void raw_key_job(Services& services, const config::ClientIdentity& client, unsigned version, bool keep_alive,
                 Completion done, std::optional<idempotency::KeyedRequest> keyed, Job parsed, Document document,
                 Run run, Render render) {
    auto job = std::make_shared<Job>(std::move(parsed));
    on_pool(services, version, keep_alive, std::move(done),
            [&services, client, job, version, keep_alive, keyed = std::move(keyed), document, run, render] {
                const auto hashed = idempotency::with_body(keyed, document(*job));
                return idempotency::run_once(
                    services.answers, hashed, job->tenant, version, keep_alive,
                    [&](const idempotency::KeepReply* keep) -> Reply {
                        job->keep_answer = keep_rendered(keep, [render](const JobResult& result) -> Reply {
                            return render(JobResult(result), 11, true);
                        });
                        auto result = run(services, client, std::move(*job));
                        if (!result) return error_response(result.error(), version, keep_alive);
                        return render(std::move(*result), version, keep_alive);
                    });
            });
}

}  // namespace

void cosign_json(Services& services, const config::ClientIdentity& client, Request&& request, Completion done) {
    json_job(
        services, client, std::move(request), std::move(done),
        [&services](std::string body) {
            return parse_cosign_request(std::move(body), services.config.signing.max_batch_documents);
        },
        [&services, client](CosignRequest parsed, const idempotency::KeepReply* keep) -> Result<std::string> {
            const bool batch = parsed.batch;
            const std::string guest_id = parsed.guest_id;
            parsed.keep_answer = keep_rendered(keep, [batch, guest_id](const JobResult& result) -> Reply {
                return json_response(http::status::ok, cosign_response_body(batch, guest_id, result), 11, true);
            });
            auto result = run_cosign(services, client, std::move(parsed));
            if (!result) return std::unexpected(result.error());
            return cosign_response_body(batch, guest_id, *result);
        });
}

void seal_json(Services& services, const config::ClientIdentity& client, Request&& request, Completion done) {
    json_job(services, client, std::move(request), std::move(done), parse_seal_request,
             [&services, client](SealRequest parsed, const idempotency::KeepReply* keep) -> Result<std::string> {
                 parsed.keep_answer = keep_rendered(keep, [](const JobResult& result) -> Reply {
                     return json_response(http::status::ok, seal_response_body(seal_result(JobResult(result))), 11, true);
                 });
                 auto result = run_seal(services, client, std::move(parsed));
                 if (!result) return std::unexpected(result.error());
                 return seal_response_body(*result);
             });
}

void sign_json(Services& services, const config::ClientIdentity& client, Request&& request, Completion done) {
    json_job(
        services, client, std::move(request), std::move(done),
        [&services](std::string body) {
            return parse_sign_request(std::move(body), services.config.signing.max_batch_documents);
        },
        [&services, client](SignRequest parsed, const idempotency::KeepReply* keep) -> Result<std::string> {
            const bool batch = parsed.batch;
            parsed.keep_answer = keep_rendered(keep, [batch](const JobResult& result) -> Reply {
                return json_response(http::status::ok, sign_response_body(batch, result), 11, true);
            });
            auto result = run_sign(services, client, std::move(parsed));
            if (!result) return std::unexpected(result.error());
            return sign_response_body(batch, *result);
        });
}

void extend_json(Services& services, const config::ClientIdentity& client, Request&& request, Completion done) {
    json_job(services, client, std::move(request), std::move(done), parse_extend_request,
             [&services, client](ExtendRequest parsed, const idempotency::KeepReply* keep) -> Result<std::string> {
                 parsed.keep_answer = keep_extension(keep, [](const ExtendResult& result) -> Reply {
                     return json_response(http::status::ok, extend_response_body(result), 11, true);
                 });
                 auto result = run_extend(services, client, std::move(parsed));
                 if (!result) return std::unexpected(result.error());
                 return extend_response_body(*result);
             });
}

void prepare_json(Services& services, const config::ClientIdentity& client, Request&& request, Completion done) {
    const unsigned version = request.version();
    const bool keep_alive = request.keep_alive();
    auto body = std::make_shared<std::string>(std::move(request.body()));
    // No Idempotency-Key: a repeated preparation uses no key and gives the same fields again.
    on_pool(services, version, keep_alive, std::move(done), [&services, client, body, version, keep_alive]() -> Reply {
        auto parsed = parse_prepare_request(std::move(*body));
        if (!parsed) return error_response(parsed.error(), version, keep_alive);
        PrepareContext context{services.trail, services.db, services.db_mutex, services.matrix, services.clock,
                               services.pdf_workers};
        auto result = run_prepare_job(context, client, std::move(*parsed));
        metrics().job("prepare", result ? "done" : to_string(result.error().code));
        if (!result) return error_response(result.error(), version, keep_alive);
        return json_response(http::status::ok,
                             dump_with_base64(nlohmann::json{{"audit_seq", result->audit_seq}}, "document", result->document),
                             version, keep_alive);
    });
}

void timestamp_query(Services& services, const config::ClientIdentity& client, Request&& request, Completion done) {
    unsigned version = request.version();
    bool keep_alive = request.keep_alive();
    auto refuse = [&](const Error& error) { done(error_response(error, version, keep_alive)); };
    // RFC 3161 requests are a few hundred bytes; 16 KiB leaves room for any extension.
    constexpr std::size_t max_query_bytes = 16 * 1024;
    if (request.body().size() > max_query_bytes) {
        return refuse(Error{Errc::too_large, "a time-stamp request is at most 16 KiB"});
    }
    if (media_type(request[http::field::content_type]) != "application/timestamp-query") {
        return refuse(Error{Errc::bad_request, "a time-stamp request is an RFC 3161 TimeStampReq "
                                               "(Content-Type: application/timestamp-query)"});
    }
    auto query = parse_query(request.target(), {"tenant"});
    if (!query) return refuse(query.error());
    auto tenant = query->find("tenant");
    if (tenant == query->end()) return refuse(Error{Errc::bad_request, "the query parameter 'tenant' is missing"});
    if (auto valid = check_text(tenant->second, "the query parameter 'tenant'"); !valid) return refuse(valid.error());
    auto keyed = idempotency::keyed_request(request, client.fingerprint);
    if (!keyed) return refuse(keyed.error());
    auto body = std::make_shared<std::string>(std::move(request.body()));
    on_pool(services, version, keep_alive, std::move(done),
            [&services, client, body, tenant = tenant->second, version, keep_alive, keyed = std::move(*keyed)] {
                return idempotency::run_once(services.answers, idempotency::with_body(keyed, bytes_of(*body)), tenant,
                                             version, keep_alive,
                                             [&](const idempotency::KeepReply* keep) {
                                                 return timestamp_reply(services, client, tenant, *body, version,
                                                                        keep_alive, keep);
                                             });
            });
}

bool carries_raw_document(const http::request_header<>& header) {
    return header.method() == http::verb::post && !document_job(header).empty() &&
           media_type(header[http::field::content_type]) == "application/pdf";
}

Status check_job_client(const std::optional<config::ClientIdentity>& client, const http::request_header<>& header) {
    if (!client) return fail(Errc::unauthenticated, "a client certificate is required");
    if (!client->role) {
        return fail(Errc::unauthenticated, "the client certificate is not mapped to any role on this signetd");
    }
    if (*client->role != config::Role::platform) {
        return fail(Errc::forbidden, std::string("only the platform role may submit ") +
                                         std::string(document_job(header) == "extension" ? "extend"
                                                                                         : document_job(header)) +
                                         " jobs");
    }
    return {};
}

void handle_raw_request(Services& services, const std::optional<config::ClientIdentity>& client, PdfRequest&& request,
                        Completion done) {
    unsigned version = request.version();
    bool keep_alive = request.keep_alive();
    auto refuse = [&](const Error& error) { done(error_response(error, version, keep_alive)); };
    if (!carries_raw_document(request)) {
        return refuse(Error{Errc::bad_request, "a raw PDF is sent with POST to /v1/seal, /v1/sign, /v1/cosign or /v1/extend "
                                               "(Content-Type: application/pdf)"});
    }
    if (auto allowed = check_job_client(client, request); !allowed) return refuse(allowed.error());
    auto keyed = idempotency::keyed_request(request, client->fingerprint);
    if (!keyed) return refuse(keyed.error());
    // Parsed here, on the I/O thread: reading a few query parameters is cheap, and a malformed
    // request then takes no place in the job queue. The body is moved, never copied.
    if (document_job(request) == "extension") {
        auto parsed = parse_raw_extend_request(request.target(), std::move(request.body()));
        if (!parsed) return refuse(parsed.error());
        auto job = std::make_shared<ExtendRequest>(std::move(*parsed));
        return on_pool(services, version, keep_alive, std::move(done),
                       [&services, client = *client, job, version, keep_alive, keyed = std::move(*keyed)] {
                           const auto hashed = idempotency::with_body(keyed, job->document);
                           return idempotency::run_once(
                               services.answers, hashed, job->tenant, version, keep_alive,
                               [&](const idempotency::KeepReply* keep) -> Reply {
                                   job->keep_answer = keep_extension(keep, [](const ExtendResult& result) -> Reply {
                                       return extend_pdf_response(ExtendResult(result), 11, true);
                                   });
                                   auto result = run_extend(services, client, std::move(*job));
                                   if (!result) return error_response(result.error(), version, keep_alive);
                                   return extend_pdf_response(std::move(*result), version, keep_alive);
                               });
                       });
    }
    if (document_job(request) == "seal") {
        auto parsed = parse_raw_seal_request(request.target(), std::move(request.body()));
        if (!parsed) return refuse(parsed.error());
        return raw_key_job(services, *client, version, keep_alive, std::move(done), std::move(*keyed),
                           std::move(*parsed), [](const SealRequest& job) { return std::span(job.document); },
                           run_seal, [](auto result, unsigned v, bool k) {
                               // What is kept comes as the job's result, what is sent as the seal's.
                               if constexpr (std::is_same_v<decltype(result), JobResult>) {
                                   return seal_pdf_response(seal_result(std::move(result)), v, k);
                               } else {
                                   return seal_pdf_response(std::move(result), v, k);
                               }
                           });
    }
    if (document_job(request) == "co-signature") {
        auto parsed = parse_raw_cosign_request(request.target(), std::move(request.body()));
        if (!parsed) return refuse(parsed.error());
        const std::string guest_id = parsed->guest_id;
        return raw_key_job(services, *client, version, keep_alive, std::move(done), std::move(*keyed),
                           std::move(*parsed), [](const CosignRequest& job) { return std::span(job.documents.front()); },
                           run_cosign, [guest_id](JobResult result, unsigned v, bool k) {
                               return cosign_pdf_response(std::move(result), guest_id, v, k);
                           });
    }
    auto parsed = parse_raw_sign_request(request.target(), std::move(request.body()));
    if (!parsed) return refuse(parsed.error());
    raw_key_job(services, *client, version, keep_alive, std::move(done), std::move(*keyed), std::move(*parsed),
                [](const SignRequest& job) { return std::span(job.documents.front()); }, run_sign,
                [](JobResult result, unsigned v, bool k) { return sign_pdf_response(std::move(result), v, k); });
}

}  // namespace signet::daemon
