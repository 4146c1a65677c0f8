#include "daemon/sign_job.hpp"

#include "daemon/activation.hpp"
#include "base/base64.hpp"
#include "daemon/key_use.hpp"
#include "daemon/register.hpp"

namespace signet::daemon {
namespace {

using nlohmann::json;

// The actor's active personal key, usable now.
Result<std::shared_ptr<const ActiveKey>> signer_key(const SignContext& context, const std::string& person) {
    std::string key_id;
    {
        std::lock_guard lock(context.keys.db_mutex);
        auto statement = context.keys.db.prepare(
            "SELECT key_id FROM keys WHERE purpose = 'personal' AND person = ? AND state = 'active'");
        if (!statement) return std::unexpected(statement.error());
        statement->bind(1, person);
        auto row = statement->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) {
            return fail(Errc::conflict, person + " has no personal certificate on signetd (enrol a key and import "
                                                 "its certificate first)");
        }
        key_id = statement->column_text(0);
    }
    auto key = context.personal_keys.get(context.keys.db, context.keys.db_mutex, context.keys.token, key_id);
    if (!key) return std::unexpected(key.error());
    auto usable = check_usable((*key)->validity, context.keys.clock.now(), std::chrono::seconds(0),
                               person + "'s personal key " + key_id);
    if (!usable) return fail(Errc::conflict, usable.error().message);
    return key;
}

}  // namespace

Result<std::shared_ptr<const ActiveKey>> PersonalKeys::get(store::Database& db, std::mutex& db_mutex,
                                                           hsm::Token& token, const std::string& key_id) {
    {
        std::lock_guard lock(mutex_);
        if (auto found = keys_.find(key_id); found != keys_.end()) {
            found->second.second = ++clock_;
            return found->second.first;
        }
    }
    std::shared_ptr<const ActiveKey> loaded;
    {
        std::lock_guard lock(db_mutex);
        auto key = load_key(db, token, key_id);
        if (!key) return std::unexpected(key.error());
        loaded = std::make_shared<const ActiveKey>(std::move(*key));
    }
    std::lock_guard lock(mutex_);
    if (keys_.size() >= capacity_) {
        auto oldest = keys_.begin();
        for (auto it = keys_.begin(); it != keys_.end(); ++it) {
            if (it->second.second < oldest->second.second) oldest = it;
        }
        keys_.erase(oldest);
    }
    keys_.insert_or_assign(key_id, std::pair{loaded, ++clock_});
    return loaded;
}

Result<SignResult> run_sign_job(const SignContext& context, SignRequest request) {
    std::vector<std::string> digests;
    for (const auto& document : request.documents) digests.push_back(sha256_hex(document));
    audit::Entry base;
    base.client_fingerprint = context.keys.officer.fingerprint;
    base.client_role = "platform";
    base.tenant = request.tenant;
    base.actor = request.actor;
    base.action = "document.sign";
    base.document_sha256 = digests.size() == 1 ? digests.front() : "";
    auto refuse = [&](const Error& error) -> std::unexpected<Error> {
        audit::Entry entry = base;
        entry.detail = {{"documents", digests}};
        return record_refusal(context.trail, std::move(entry), error);
    };

    // Policy, before anything else.
    auto tenant = authorise_job(context.keys.db, context.keys.db_mutex, context.matrix, context.keys.clock,
                                request.tenant, request.actor, "document.sign", std::nullopt);
    if (!tenant) {
        if (tenant.error().code == Errc::unavailable) return std::unexpected(tenant.error());
        return refuse(tenant.error());
    }
    const std::string signer_name = tenant->member(request.actor)->name;
    // The signer's own key and certificate.
    auto key = signer_key(context, request.actor);
    if (!key) {
        if (key.error().code == Errc::unavailable) return std::unexpected(key.error());
        return refuse(key.error());
    }
    base.key_id = (*key)->id_hex;
    base.certificate_sha256 = (*key)->certificate_sha256;
    // Sole control: the person's code, once, for these documents.
    if (request.otp.empty()) {
        return refuse(Error{Errc::activation_failed,
                            "a personal signature needs the signer's activation code (\"activation\": {\"otp\"})"});
    }
    auto activation = check_activation(context.keys, context.settings, base, request.actor, request.otp, digests);
    if (!activation) return std::unexpected(activation.error());

    // Every document prepared before the first signature: one bad document refuses the batch.
    const auto now = std::chrono::system_clock::now();
    std::vector<pdf::PreparedDocument> prepared;
    for (std::size_t i = 0; i < request.documents.size(); ++i) {
        pdf::PrepareRequest prepare_request;
        prepare_request.signing_time = now;
        if (request.appearance) {
            prepare_request.appearance = request.appearance;
            prepare_request.appearance->lines = {"Signé électroniquement par " + signer_name, tenant->tenant.name,
                                                 appearance_date(now)};
        }
        auto document = prepare_document(context.pdf_workers, request.documents[i], **key, std::move(prepare_request));
        if (!document) {
            Error error = document.error();
            if (request.batch) error.message = "document " + std::to_string(i + 1) + ": " + error.message;
            if (error.code == Errc::unavailable) return std::unexpected(error);
            return refuse(error);
        }
        prepared.push_back(std::move(*document));
    }

    SignResult result;
    result.key_id = (*key)->id_hex;
    result.certificate_sha256 = (*key)->certificate_sha256;
    result.activation_seq = activation->audit_seq;
    for (std::size_t i = 0; i < prepared.size(); ++i) {
        audit::Entry entry = base;
        entry.event = "sign";
        entry.document_sha256 = digests[i];
        entry.detail = {{"activation_seq", activation->audit_seq}};
        auto used = use_key(context.keys.token, context.trail, **key, request.documents[i], std::move(prepared[i]), entry,
                            "signed");
        if (!used) return std::unexpected(used.error());  // no document is returned: all or nothing
        result.documents.push_back(SignedDocument{std::move(used->document), used->digest_sha256, used->audit_seq});
    }
    return result;
}

std::string sign_response_body(bool batch, const SignResult& result) {
    auto one = [&](const SignedDocument& document) {
        return json{{"document", base64_encode(document.document)},
                    {"signature",
                     {{"key_id", result.key_id},
                      {"certificate_sha256", result.certificate_sha256},
                      {"digest_sha256", document.digest_sha256}}},
                    {"audit_seq", document.audit_seq}};
    };
    if (!batch) {
        json body = one(result.documents.front());
        body["activation_seq"] = result.activation_seq;
        return body.dump();
    }
    json documents = json::array();
    for (const auto& document : result.documents) documents.push_back(one(document));
    return json{{"documents", std::move(documents)}, {"activation_seq", result.activation_seq}}.dump();
}

}  // namespace signet::daemon
