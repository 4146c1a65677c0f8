#include "daemon/seal_job.hpp"

#include <chrono>

#include "base/base64.hpp"
#include "daemon/key_use.hpp"
#include "daemon/register.hpp"
#include "pdf/cades.hpp"

namespace signet::daemon {
namespace {

// What every entry of this job shares: who called, for whom, with which key, on which document.
audit::Entry job_entry(const SealContext& context, const ClientIdentity& client, const SealRequest& request,
                       const std::string& document_sha256) {
    audit::Entry entry;
    entry.client_fingerprint = client.fingerprint;
    entry.client_role = client.role ? std::string(config::to_string(*client.role)) : "";
    entry.tenant = request.tenant;
    entry.actor = request.actor;
    entry.approver = request.approved_by.value_or("");
    entry.action = "document.seal";
    entry.document_sha256 = document_sha256;
    entry.key_id = context.seal_key.id_hex;
    entry.certificate_sha256 = context.seal_key.certificate_sha256;
    return entry;
}

std::unexpected<Error> refuse(const SealContext& context, audit::Entry entry, const Error& refusal) {
    return record_refusal(context.trail, std::move(entry), refusal);
}

}  // namespace

Result<SealResult> run_seal_job(const SealContext& context, const ClientIdentity& client,
                                SealRequest request) {
    const audit::Entry base = job_entry(context, client, request, sha256_hex(request.document));

    // Policy, before any PDF work or key use.
    auto tenant = authorise_job(context.db, context.db_mutex, context.matrix, context.clock, request.tenant,
                                request.actor, "document.seal", request.approved_by);
    if (!tenant) {
        if (tenant.error().code == Errc::unavailable) return std::unexpected(tenant.error());
        return refuse(context, base, tenant.error());
    }

    // The certificate the seal will carry must be valid now and not about to end.
    if (auto usable = check_usable(context.seal_key.validity, context.clock.now(), context.min_remaining_validity,
                                   "the seal key " + context.seal_key.id_hex);
        !usable) {
        return refuse(context, base, usable.error());
    }

    // Prepare the PDF.
    auto now = std::chrono::system_clock::now();
    pdf::PrepareRequest prepare_request;
    prepare_request.signing_time = now;
    if (request.appearance) {
        prepare_request.appearance = std::move(request.appearance);
        prepare_request.appearance->lines = {"Cachet électronique", tenant->tenant.name, appearance_date(now)};
    }
    auto prepared = prepare_document(context.pdf_workers, request.document, context.seal_key, std::move(prepare_request));
    if (!prepared) {
        if (prepared.error().code == Errc::unavailable) return std::unexpected(prepared.error());
        return refuse(context, base, prepared.error());
    }

    // The intent on record, the HSM signature, the embedding, the outcome on record.
    audit::Entry entry = base;
    entry.event = "seal";
    auto used = use_key(context.token, context.trail, context.seal_key, request.document, std::move(*prepared), entry,
                        "sealed");
    if (!used) return std::unexpected(used.error());

    SealResult result;
    result.key_id = context.seal_key.id_hex;
    result.certificate_sha256 = context.seal_key.certificate_sha256;
    result.digest_sha256 = used->digest_sha256;
    result.audit_seq = used->audit_seq;
    result.document = std::move(used->document);
    return result;
}

}  // namespace signet::daemon
