#include "archive/extend_job.hpp"

#include <nlohmann/json.hpp>

#include "base/base64.hpp"
#include "evidence/long_term.hpp"
#include "json/json_fields.hpp"
#include "jobs/key_use.hpp"
#include "validation/validation.hpp"

namespace signet::daemon {
namespace {

audit::Entry extend_entry(const config::ClientIdentity& client, const ExtendRequest& request) {
    audit::Entry entry;
    entry.client_fingerprint = client.fingerprint;
    entry.client_role = client.role ? std::string(config::to_string(*client.role)) : "";
    entry.tenant = request.tenant;
    entry.action = "extend";
    entry.document_sha256 = sha256_hex(request.document);
    return entry;
}

// "Signature1: <reason>; Signature2: <reason>" for the signatures and time-stamps not valid.
std::string reasons(const std::vector<validation::Verdict>& verdicts) {
    std::string text;
    for (const auto& verdict : verdicts) {
        if (verdict.valid) continue;
        if (!text.empty()) text += "; ";
        text += (verdict.document_timestamp ? "the document time-stamp " : "the signature ") + verdict.field + ": " +
                verdict.reason;
    }
    return text;
}

}  // namespace

Result<ExtendResult> run_extend_job(const ExtendContext& context, const config::ClientIdentity& client,
                                    ExtendRequest request) {
    // 1. Client role: renewal is the platform's, like every job on documents.
    if (!client.role || *client.role != config::Role::platform) {
        return fail(Errc::forbidden, "only the platform role may extend documents");
    }
    // 2. The body was bounded by api/; 3. the tenant billed exists.
    SIGNET_CHECK(check_known_tenant(context.db, context.db_mutex, context.tenants, request.tenant));
    audit::Entry entry = extend_entry(client, request);
    auto refuse = [&](const Error& error) -> std::unexpected<Error> {
        if (error.code == Errc::unavailable) return std::unexpected(error);
        return record_refusal(context.time.trail, entry, error);
    };
    // 4. Trusted time: without it there is no renewal to make.
    TimestampSource source;
    SIGNET_TRY(source, timestamp_source(context.time));

    // 5. Every signature and time-stamp valid at its best proven time, or nothing is added.
    pdf::SignatureList listed;
    {
        auto read = context.pdf_workers.list_signatures(request.tenant, request.document);
        if (!read) return refuse(read.error());
        listed = std::move(*read);
    }
    validation::Options options;
    if (context.trust.empty()) {
        auto seal_key = context.seal_key.get();
        if (!seal_key) return fail(Errc::unavailable, "no seal key is active, so no default trust anchor for extend");
        options.trust_anchors.push_back(context.revocation.chain_of(*seal_key).back());
    } else {
        for (const auto& anchor : context.trust) options.trust_anchors.push_back(anchor.get());
    }
    options.checker = &context.revocation.checker();
    options.require_revocation = context.revocation.settings().mode == config::RevocationMode::require;
    options.clock = &context.clock;
    std::vector<validation::Verdict> verdicts;
    {
        auto validated = validation::validate(request.document, listed, options);
        if (!validated) return refuse(validated.error());
        verdicts = std::move(*validated);
    }
    if (const std::string why = reasons(verdicts); !why.empty()) {
        return refuse(Error{Errc::invalid_document, "the document is not extended: " + why});
    }

    ExtendResult result;
    for (const auto& verdict : verdicts) {
        if (verdict.document_timestamp) {
            ++result.timestamps;
        } else {
            result.signatures.push_back(SignatureVerdict{verdict.field, verdict.level, verdict.valid});
        }
    }
    // 6. The validation data still missing: the DSS keeps what it holds and adds the rest.
    std::vector<std::uint8_t> document = std::move(request.document);
    const auto data = validation::validation_data(verdicts, listed.fields, context.clock.now());
    if (!data.empty()) {
        auto update = context.pdf_workers.add_dss(request.tenant, document, data);
        if (!update) return refuse(update.error());
        document.insert(document.end(), update->begin(), update->end());
    }
    // 7. The document time-stamp, a key use on record with action "extend".
    const auto now = context.clock.now();
    const Validity any_time{now - std::chrono::hours(24), now + std::chrono::hours(24), std::nullopt, std::nullopt};
    ++result.timestamps;  // the one added below
    // A keyed request's answer commits with the time-stamp's outcome: the final document is
    // made inside that transaction, from the token.
    AlsoCommitStamp keep;
    const evidence::FinishDocument* finish_document = nullptr;
    if (request.keep_answer) {
        keep = [&](const Stamp& made, std::int64_t outcome_seq) -> Status {
            auto finished = (*finish_document)(made.token);
            if (!finished) return std::unexpected(finished.error());
            ExtendResult answer{{finished->begin(), finished->end()}, result.signatures, result.timestamps, made};
            return request.keep_answer(answer, outcome_seq);
        };
    }
    auto extended = evidence::add_document_timestamp(
        context.pdf_workers, request.tenant, std::move(document), source.token_bytes,
        [&](std::span<const std::uint8_t> digest,
            const evidence::FinishDocument& finish) -> Result<std::vector<std::uint8_t>> {
            finish_document = &finish;
            auto made = timestamp_digest(context.time, source, digest, entry, any_time, keep);
            if (!made) return std::unexpected(made.error());
            result.document_timestamp = std::move(*made);
            return result.document_timestamp.token;
        });
    if (!extended) return std::unexpected(extended.error());
    result.document = std::move(*extended);
    return result;
}

nlohmann::json signatures_json(const ExtendResult& result) {
    nlohmann::json signatures = nlohmann::json::array();
    for (const auto& signature : result.signatures) {
        signatures.push_back({{"field", signature.field}, {"level", signature.level}, {"valid", signature.valid}});
    }
    return signatures;
}

std::string extend_response_body(const ExtendResult& result) {
    const auto& info = result.document_timestamp.info;
    const nlohmann::json members = {
        {"signatures", signatures_json(result)},
        {"timestamps", result.timestamps},
        {"timestamp", {{"gen_time", info.gen_time_text}, {"serial", info.serial_hex}, {"tsa", info.tsa}}}};
    return dump_with_base64(members, "document", result.document);
}

}  // namespace signet::daemon
