#include "persons/enrolment.hpp"

#include "audit/log.hpp"
#include "base/base64.hpp"
#include "persons/activation.hpp"
#include "json/json_fields.hpp"
#include "keys/key_admin.hpp"
#include "persons/totp.hpp"

namespace signet::daemon {
namespace {

using nlohmann::json;

// The person's name as a tenant registered it (the first tenant that has them), for the
// request's subject; not_found when no tenant has them as a member.
Result<std::string> registered_name(store::Database& db, const std::string& person) {
    auto statement = db.prepare("SELECT name FROM members WHERE person = ? ORDER BY tenant LIMIT 1");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, person);
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return fail(Errc::not_found, person + " is not a member of any tenant registered on signetd");
    return statement->column_text(0);
}

// The person's key in `states` (newest first), if any.
Result<std::optional<KeyRecord>> person_key(store::Database& db, const std::string& person, const char* states) {
    auto statement = db.prepare(std::string("SELECT key_id FROM keys WHERE purpose = 'personal' AND person = ? "
                                            "AND state IN ") + states + " ORDER BY created_at DESC LIMIT 1");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, person);
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::optional<KeyRecord>();
    auto key = load_key_record(db, statement->column_text(0));
    if (!key) return std::unexpected(key.error());
    return std::optional<KeyRecord>(std::move(*key));
}

audit::Entry person_entry(const OfficerContext& context, const std::string& event, const std::string& person) {
    audit::Entry entry;
    entry.event = event;
    entry.outcome = "done";
    entry.client_fingerprint = context.officer.fingerprint;
    entry.client_role = context.officer.role ? std::string(config::to_string(*context.officer.role)) : "";
    entry.actor = person;
    return entry;
}

}  // namespace

const hsm::KeyId& seed_key_id() {
    static const hsm::KeyId id{'s', 'i', 'g', 'n', 'e', 't', '-', 'o', 't', 'p', '-', 's', 'e', 'e', 'd', 's'};
    return id;
}

std::string seed_context(const std::string& person) { return "person:" + person; }

Result<JsonReply> enrol_person_key(const OfficerContext& context, const std::string& person, std::string_view body) {
    SIGNET_CHECK(check_text(person, "the person id"));
    auto fields = JsonFields::parse(body.empty() ? std::string_view("{}") : body, {"algorithm"});
    if (!fields) return std::unexpected(fields.error());
    std::string algorithm_text = "rsa-3072";
    if (fields->has("algorithm")) SIGNET_TRY(algorithm_text, fields->text("algorithm"));
    if (algorithm_text != "rsa-3072" && algorithm_text != "ec-p256") {
        return fail(Errc::bad_request, "the field 'algorithm' must be \"rsa-3072\" or \"ec-p256\"");
    }
    auto algorithm = hsm::parse_key_algorithm(algorithm_text);
    if (!algorithm) return std::unexpected(algorithm.error());

    std::string name;
    std::optional<KeyRecord> waiting;
    {
        std::lock_guard lock(context.db_mutex);
        SIGNET_TRY(name, registered_name(context.db, person));
        SIGNET_TRY(waiting, person_key(context.db, person, "('pending', 'ready')"));
    }
    if (waiting) {
        // A request nobody certified (lost, refused by the CA) is replaced, not kept beside.
        auto replaced = request_key_change(context, waiting->id_hex, policy::KeyChange::destroy);
        if (!replaced) return std::unexpected(replaced.error());
    }
    return create_key(context, policy::KeyPurpose::personal, *algorithm, "personal " + person, hsm::CsrSubject{name, ""},
                      person);
}

Result<JsonReply> import_person_certificate(const OfficerContext& context, const std::string& person,
                                            std::string_view body) {
    SIGNET_CHECK(check_text(person, "the person id"));
    std::optional<KeyRecord> waiting;
    {
        std::lock_guard lock(context.db_mutex);
        SIGNET_TRY(waiting, person_key(context.db, person, "('pending', 'ready')"));
    }
    if (!waiting) {
        return fail(Errc::not_found, person + " has no key waiting for a certificate; make one with POST /v1/persons/" +
                                         person + "/key");
    }
    auto imported = import_key_certificate(context, waiting->id_hex, body);
    if (!imported) return std::unexpected(imported.error());
    // A personal key needs no second officer: it becomes the person's key at once.
    auto activated = request_key_change(context, waiting->id_hex, policy::KeyChange::activate);
    if (!activated) return std::unexpected(activated.error());
    json reply = imported->body;
    reply["state"] = activated->body.at("state");
    if (activated->body.contains("retired")) reply["retired"] = activated->body.at("retired");
    return JsonReply{200, std::move(reply)};
}

Result<JsonReply> enrol_otp(const OfficerContext& context, const config::Signing& settings, const std::string& person,
                            std::string_view body) {
    SIGNET_CHECK(check_text(person, "the person id"));
    auto fields = JsonFields::parse(body.empty() ? std::string_view("{}") : body, {"otp"});
    if (!fields) return std::unexpected(fields.error());
    bool enrolled = false;
    {
        std::lock_guard lock(context.db_mutex);
        SIGNET_CHECK(registered_name(context.db, person));
        auto statement = context.db.prepare("SELECT otp_seed IS NOT NULL FROM persons WHERE person = ?");
        if (!statement) return std::unexpected(statement.error());
        statement->bind(1, person);
        auto row = statement->step();
        if (!row) return std::unexpected(row.error());
        enrolled = *row && statement->column_int(0) != 0;
    }
    if (enrolled) {
        // Only the holder of the current authenticator (or an officer's reset) replaces it:
        // otherwise the platform could enrol a device of its own and sign in the person's name.
        if (!fields->has("otp")) {
            return fail(Errc::activation_failed, person + " has an authenticator; replacing it needs a current code "
                                                         "from it (\"otp\") or an officer's reset");
        }
        std::string code;
        SIGNET_TRY(code, fields->text("otp"));
        SIGNET_CHECK(check_activation(context, settings, person_entry(context, "otp_change", person), person, code, {}));
    }

    bool seed_key_made = false;
    SIGNET_TRY(seed_key_made, context.token.ensure_wrapping_key(seed_key_id(), "signet TOTP seeds"));
    auto seed = new_totp_seed();
    if (!seed) return std::unexpected(seed.error());
    auto sealed = context.token.seal_secret(seed_key_id(), *seed, seed_context(person));
    if (!sealed) return std::unexpected(sealed.error());
    auto uri = otpauth_uri(*seed, settings.otp_issuer, person);
    if (!uri) return std::unexpected(uri.error());

    std::lock_guard lock(context.db_mutex);
    Status committed = commit_with_entries(context, [&]() -> Result<std::vector<audit::Entry>> {
        auto upsert = context.db.prepare(
            "INSERT INTO persons (person, otp_seed, otp_enrolled_at, otp_last_step, failures, locked_until) "
            "VALUES (?, ?, ?, NULL, 0, NULL) ON CONFLICT (person) DO UPDATE SET otp_seed = excluded.otp_seed, "
            "otp_enrolled_at = excluded.otp_enrolled_at, otp_last_step = NULL, failures = 0, locked_until = NULL");
        if (!upsert) return std::unexpected(upsert.error());
        upsert->bind(1, person).bind(2, *sealed).bind(3, signet::format_timestamp(context.clock.now()));
        SIGNET_CHECK(upsert->run());
        std::vector<audit::Entry> entries{person_entry(context, enrolled ? "otp_replaced" : "otp_enrolled", person)};
        if (seed_key_made) {
            // The first enrolment made the HSM key that seals every seed: a key, so on record.
            audit::Entry made = person_entry(context, "key_generated", person);
            made.key_id = hex_encode(seed_key_id());
            made.detail = {{"purpose", "totp_seeds"}, {"algorithm", "aes-256"}};
            entries.insert(entries.begin(), std::move(made));
        }
        return entries;
    });
    if (!committed) return std::unexpected(committed.error());
    return JsonReply{201, json{{"otpauth_uri", *uri}}};
}

Result<JsonReply> reset_otp(const OfficerContext& context, const std::string& person) {
    SIGNET_CHECK(check_text(person, "the person id"));
    std::lock_guard lock(context.db_mutex);
    Status committed = commit_with_entries(context, [&]() -> Result<std::vector<audit::Entry>> {
        auto update = context.db.prepare(
            "UPDATE persons SET otp_seed = NULL, otp_enrolled_at = NULL, otp_last_step = NULL, failures = 0, "
            "locked_until = NULL WHERE person = ?");
        if (!update) return std::unexpected(update.error());
        update->bind(1, person);
        SIGNET_CHECK(update->run());
        if (context.db.changes() == 0) return fail(Errc::not_found, person + " has no authenticator to reset");
        audit::Entry entry = person_entry(context, "otp_reset", person);
        entry.approver = context.officer.subject_cn;  // the officer who decided it
        return std::vector<audit::Entry>{std::move(entry)};
    });
    if (!committed) return std::unexpected(committed.error());
    return JsonReply{200, json{{"person", person}, {"otp", "reset"}}};
}

Result<JsonReply> person_status(const OfficerContext& context, const std::string& person) {
    SIGNET_CHECK(check_text(person, "the person id"));
    std::lock_guard lock(context.db_mutex);
    json body{{"person", person}, {"key_id", nullptr}, {"key_state", nullptr}, {"otp_enrolled", false},
              {"failures", 0},    {"locked_until", nullptr}};
    auto key = person_key(context.db, person, "('pending', 'ready', 'active')");
    if (!key) return std::unexpected(key.error());
    auto active = person_key(context.db, person, "('active')");
    if (!active) return std::unexpected(active.error());
    const auto& shown = *active ? *active : *key;
    if (shown) {
        body["key_id"] = shown->id_hex;
        body["key_state"] = policy::to_string(shown->state);
    }
    auto statement = context.db.prepare(
        "SELECT otp_seed IS NOT NULL, failures, locked_until FROM persons WHERE person = ?");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, person);
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    if (*row) {
        body["otp_enrolled"] = statement->column_int(0) != 0;
        body["failures"] = statement->column_int(1);
        if (!statement->column_is_null(2) && statement->column_int(2) > context.clock.now().time_since_epoch().count()) {
            body["locked_until"] =
                signet::format_timestamp(signet::Timestamp(std::chrono::seconds(statement->column_int(2))));
        }
    }
    if (!shown && !*row) return fail(Errc::not_found, "signetd knows no key and no authenticator of " + person);
    return JsonReply{200, std::move(body)};
}

}  // namespace signet::daemon
