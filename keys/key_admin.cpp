#include "keys/key_admin.hpp"

#include <openssl/rand.h>
#include <openssl/x509.h>

#include "base/base64.hpp"
#include "keys/certificate_checks.hpp"
#include "base/x509_encoding.hpp"
#include "json/json_fields.hpp"
#include "hsm/csr.hpp"

namespace signet::daemon {
namespace {

using nlohmann::json;

Result<hsm::KeyId> random_key_id() {
    hsm::KeyId id(16);
    if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1) {
        return fail(Errc::unavailable, "the random generator failed; no key was made");
    }
    return id;
}

std::string common_name(X509* certificate) {
    char text[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, text, sizeof text);
    return text;
}

}  // namespace

Result<JsonReply> generate_key(const OfficerContext& context, std::string_view body) {
    auto fields = JsonFields::parse(body, {"purpose", "algorithm", "label", "organization"});
    if (!fields) return std::unexpected(fields.error());
    std::string purpose_text;
    std::string algorithm_text;
    std::string label;
    SIGNET_TRY(purpose_text, fields->text("purpose"));
    SIGNET_TRY(algorithm_text, fields->text("algorithm"));
    SIGNET_TRY(label, fields->text("label"));
    hsm::CsrSubject subject{label, ""};
    if (fields->has("organization")) SIGNET_TRY(subject.organization, fields->text("organization"));
    auto purpose = policy::parse_key_purpose(purpose_text);
    // Personal keys are made through /v1/persons/{person}/key, bound to their person.
    if (!purpose || *purpose == policy::KeyPurpose::personal) {
        return fail(Errc::bad_request, "the field 'purpose' must be \"seal\", \"audit\", \"tsa\" or \"guest-ca\"");
    }
    auto algorithm = hsm::parse_key_algorithm(algorithm_text);
    if (!algorithm) return std::unexpected(algorithm.error());
    // RSA-2048 is short of the 3072 bits ANSSI's RGS asks of keys used beyond 2030: only a
    // guest's one-hour key may be that small.
    if (*algorithm == hsm::KeyAlgorithm::rsa_2048) {
        return fail(Errc::bad_request, "rsa-2048 is for guests' one-time keys only; a key made here is rsa-3072, "
                                       "rsa-4096, ec-p256 or ec-p384");
    }
    return create_key(context, *purpose, *algorithm, label, subject, "");
}

Result<JsonReply> create_key(const OfficerContext& context, policy::KeyPurpose purpose, hsm::KeyAlgorithm algorithm,
                             const std::string& label, const hsm::CsrSubject& subject, const std::string& person) {
    KeyRecord key;
    SIGNET_TRY(key.id, random_key_id());
    key.id_hex = hex_encode(key.id);
    key.purpose = purpose;
    key.label = label;
    key.algorithm = std::string(hsm::to_string(algorithm));
    key.person = person;

    auto public_key = context.token.generate_key_pair(algorithm, key.id, label);
    if (!public_key) return std::unexpected(public_key.error());
    // From here on a failure takes the new objects out of the token again: no key without its
    // register row and audit entry.
    auto undo = [&](const Error& error) -> std::unexpected<Error> {
        (void)context.token.destroy_key_objects(key.id);
        return std::unexpected(error);
    };
    auto csr = hsm::make_csr(context.token, key.id, public_key->get(), subject);
    if (!csr) return undo(csr.error());

    std::lock_guard lock(context.db_mutex);
    Status committed = commit_with_entries(context, [&]() -> Result<std::vector<audit::Entry>> {
        auto insert = context.db.prepare(
            "INSERT INTO keys (key_id, purpose, label, algorithm, state, created_at, person) "
            "VALUES (?, ?, ?, ?, 'pending', ?, ?)");
        if (!insert) return std::unexpected(insert.error());
        insert->bind(1, key.id_hex)
            .bind(2, std::string(policy::to_string(key.purpose)))
            .bind(3, key.label)
            .bind(4, key.algorithm)
            .bind(5, signet::format_timestamp(context.clock.now()))
            .bind(6, person.empty() ? store::Value(nullptr) : store::Value(person));
        SIGNET_CHECK(insert->run());
        audit::Entry entry = officer_entry(context, "key_generated", key);
        // The request is the one signature a pending key makes: its digest is on record.
        entry.signed_digest_sha256 = sha256_hex(std::span(reinterpret_cast<const std::uint8_t*>(csr->data()), csr->size()));
        return std::vector<audit::Entry>{std::move(entry)};
    });
    if (!committed) return undo(committed.error());
    return JsonReply{201, json{{"key_id", key.id_hex},
                               {"purpose", policy::to_string(key.purpose)},
                               {"algorithm", key.algorithm},
                               {"label", key.label},
                               {"state", "pending"},
                               {"csr", *csr}}};
}

Result<JsonReply> import_key_certificate(const OfficerContext& context, const std::string& key_id,
                                         std::string_view body) {
    auto fields = JsonFields::parse(body, {"certificate", "chain"});
    if (!fields) return std::unexpected(fields.error());
    std::string certificate_pem;
    std::vector<std::string> chain_pems;
    SIGNET_TRY(certificate_pem, fields->pem("certificate"));
    SIGNET_TRY(chain_pems, fields->pems("chain"));
    auto submission = read_submission(certificate_pem, chain_pems);
    if (!submission) return std::unexpected(submission.error());

    std::lock_guard lock(context.db_mutex);
    auto key = load_key_record(context.db, key_id);
    if (!key) return std::unexpected(key.error());
    auto next = policy::next_state(key->state, policy::KeyChange::import_certificate);
    if (!next) return std::unexpected(next.error());
    auto public_key = context.token.public_key(key->id);
    if (!public_key) return std::unexpected(public_key.error());
    SIGNET_CHECK(check_for_key(*submission, public_key->get(), key->purpose, context.settings.signing_trust_anchors,
                               context.clock.now()));

    store::Blob der;
    SIGNET_TRY(der, signet::to_der(submission->certificate.get()));
    std::string chain_text;
    for (const auto& issuer : submission->chain) {
        std::string pem;
        SIGNET_TRY(pem, signet::to_pem(issuer.get()));
        chain_text += pem;
    }

    // The token first: a register row naming a certificate the token lacks would be worse than
    // a certificate object the register does not list yet (a retry replaces it).
    if (key->state == policy::KeyState::ready) {
        SIGNET_CHECK(context.token.destroy_certificates(key->id));
    }
    SIGNET_CHECK(context.token.store_certificate(key->id, key->label, der));
    for (const auto& issuer : submission->chain) {
        store::Blob issuer_der;
        SIGNET_TRY(issuer_der, signet::to_der(issuer.get()));
        SIGNET_CHECK(context.token.store_authority_certificate(common_name(issuer.get()), issuer_der));
    }

    const std::string certificate_sha256 = sha256_hex(der);
    auto validity = validity_of(submission->certificate.get());
    if (!validity) return std::unexpected(validity.error());
    Status committed = commit_with_entries(context, [&]() -> Result<std::vector<audit::Entry>> {
        auto update = context.db.prepare("UPDATE keys SET certificate = ?, chain = ?, state = 'ready' WHERE key_id = ?");
        if (!update) return std::unexpected(update.error());
        update->bind(1, der).bind(2, store::Blob(chain_text.begin(), chain_text.end())).bind(3, key->id_hex);
        SIGNET_CHECK(update->run());
        audit::Entry entry = officer_entry(context, "key_certificate_imported", *key);
        entry.certificate_sha256 = certificate_sha256;
        entry.detail["subject_cn"] = common_name(submission->certificate.get());
        entry.detail["not_after"] = signet::format_timestamp(validity->not_after);
        entry.detail["chain_length"] = submission->chain.size();
        return std::vector<audit::Entry>{std::move(entry)};
    });
    if (!committed) return std::unexpected(committed.error());
    return JsonReply{200, json{{"key_id", key->id_hex},
                               {"state", "ready"},
                               {"certificate_sha256", certificate_sha256},
                               {"not_after", signet::format_timestamp(validity->not_after)}}};
}

}  // namespace signet::daemon
