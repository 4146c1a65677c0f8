#include "preparation/prepare_job.hpp"

#include "base/base64.hpp"
#include "jobs/key_use.hpp"
#include "register/register.hpp"

namespace signet::daemon {

Result<PrepareDocumentResult> run_prepare_job(const PrepareContext& context, const config::ClientIdentity& client,
                                              PrepareDocumentRequest request) {
    if (!client.role || *client.role != config::Role::platform) {
        return fail(Errc::forbidden, "only the platform role may prepare documents");
    }
    audit::Entry entry;
    entry.client_fingerprint = client.fingerprint;
    entry.client_role = std::string(config::to_string(*client.role));
    entry.tenant = request.tenant;
    entry.actor = request.actor;
    entry.action = prepare_action;
    entry.document_sha256 = sha256_hex(std::span<const std::uint8_t>(request.document));
    nlohmann::json names = nlohmann::json::array();
    for (const auto& field : request.fields) names.push_back(field.name);
    entry.detail = {{"fields", names}};
    // A database or worker pool that cannot serve is no decision about the request (503).
    auto refuse = [&](const Error& error) -> std::unexpected<Error> {
        if (error.code == Errc::unavailable) return std::unexpected(error);
        return record_refusal(context.trail, entry, error);
    };

    auto tenant = authorise_job(context.db, context.db_mutex, context.matrix, context.clock, request.tenant,
                                request.actor, prepare_action, std::nullopt);
    if (!tenant) return refuse(tenant.error());

    auto update = context.pdf_workers.add_fields(request.tenant, request.document, request.fields);
    if (!update) return refuse(update.error());

    PrepareDocumentResult result;
    result.document = std::move(request.document);
    result.document.insert(result.document.end(), update->begin(), update->end());
    entry.event = "prepare";
    entry.outcome = "prepared";
    entry.output_sha256 = sha256_hex(std::span<const std::uint8_t>(result.document));
    auto recorded = context.trail.record(std::move(entry));
    if (!recorded) return std::unexpected(recorded.error());
    result.audit_seq = recorded->seq;
    return result;
}

}  // namespace signet::daemon
