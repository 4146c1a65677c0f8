#include "jobs/sign_job.hpp"

#include "base/base64.hpp"
#include "json/json_fields.hpp"

namespace signet::daemon {

using nlohmann::json;

Result<SignResult> run_sign_job(const SignContext& context, SignRequest request) {
    const JobContext job{context.keys.token, context.trail,      context.keys.db,   context.keys.db_mutex,
                         context.matrix,     context.keys.clock, context.pdf_workers, context.revocation, nullptr,
                         std::chrono::seconds(0), &context.keys, &context.settings, &context.personal_keys,
                         &context.time};
    return run_key_job(job, context.keys.officer,
                       JobRequest{JobKind::sign, std::move(request.tenant), std::move(request.actor),
                                  std::move(request.documents), request.batch, std::move(request.appearance),
                                  std::nullopt, std::move(request.otp),
                                  request.level.value_or(config::SignatureLevel::b_b), std::move(request.keep_answer), ""});
}

json signature_json(const std::string& key_id, const std::string& certificate_sha256,
                    const SignedDocument& document, config::SignatureLevel level) {
    json signature = {{"key_id", key_id},
                      {"certificate_sha256", certificate_sha256},
                      {"digest_sha256", document.digest_sha256},
                      {"level", config::to_string(level)}};
    if (document.timestamp) {
        const auto& info = document.timestamp->info;
        signature["timestamp"] = {{"gen_time", info.gen_time_text}, {"serial", info.serial_hex}, {"tsa", info.tsa}};
    }
    if (document.validation_data) {
        signature["validation_data"] = {{"revocation_after_timestamp", document.validation_data->after_timestamp},
                                        {"notes", document.validation_data->notes}};
    }
    if (document.document_timestamp) {
        const auto& info = document.document_timestamp->info;
        signature["document_timestamp"] = {
            {"gen_time", info.gen_time_text}, {"serial", info.serial_hex}, {"tsa", info.tsa}};
    }
    return signature;
}

std::string sign_response_body(bool batch, const SignResult& result, const json& more) {
    auto members = [&](const SignedDocument& document) {
        return json{{"signature", signature_json(result.key_id, result.certificate_sha256, document, result.level)},
                    {"audit_seq", document.audit_seq}};
    };
    if (!batch) {
        const SignedDocument& document = result.documents.front();
        json body = members(document);
        body["activation_seq"] = result.activation_seq;
        body.update(more);
        return dump_with_base64(body, "document", document.document);
    }
    std::string documents = "[";
    for (const auto& document : result.documents) {
        if (documents.size() > 1) documents += ',';
        documents += dump_with_base64(members(document), "document", document.document);
    }
    documents += ']';
    json body{{"activation_seq", result.activation_seq}};
    body.update(more);
    return dump_with(body, "documents", documents);
}

}  // namespace signet::daemon
