#include "keys/key_register.hpp"

#include "audit/log.hpp"
#include "base/base64.hpp"

namespace signet::daemon {

Result<KeyRecord> load_key_record(store::Database& db, const std::string& id_hex) {
    auto id = hex_decode(id_hex);
    if (!id || id->empty()) return fail(Errc::not_found, "a key id is the key's CKA_ID in hexadecimal");
    auto statement = db.prepare("SELECT purpose, label, algorithm, state, COALESCE(person, '') FROM keys WHERE key_id = ?");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, id_hex);
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return fail(Errc::not_found, "there is no key " + id_hex + " in the key register");
    auto purpose = policy::parse_key_purpose(statement->column_text(0));
    auto state = policy::parse_key_state(statement->column_text(3));
    if (!purpose || !state) return fail(Errc::internal, "the key register holds a malformed row for " + id_hex);
    return KeyRecord{id_hex,   std::move(*id), *purpose, statement->column_text(1), statement->column_text(2),
                     *state, statement->column_text(4)};
}

audit::Entry officer_entry(const OfficerContext& context, const std::string& event, const KeyRecord& key) {
    audit::Entry entry;
    entry.event = event;
    entry.outcome = "done";
    entry.client_fingerprint = context.officer.fingerprint;
    entry.client_role = context.officer.role ? std::string(config::to_string(*context.officer.role)) : "";
    entry.actor = key.person.empty() ? context.officer.subject_cn : key.person;
    entry.key_id = key.id_hex;
    entry.detail = {{"purpose", policy::to_string(key.purpose)}, {"label", key.label}, {"algorithm", key.algorithm}};
    return entry;
}

Status commit_with_entries(const OfficerContext& context,
                           const std::function<Result<std::vector<audit::Entry>>()>& work) {
    std::optional<Error> refusal;
    Status done = context.db.transaction([&]() -> Status {
        auto entries = work();
        if (!entries) {
            refusal = entries.error();
            return std::unexpected(entries.error());
        }
        audit::Log log(context.db, context.clock);
        for (auto& entry : *entries) {
            if (auto appended = log.append(std::move(entry)); !appended) return std::unexpected(appended.error());
        }
        return {};
    });
    if (refusal) return std::unexpected(*refusal);
    if (!done) {
        return fail(Errc::unavailable,
                    "nothing was changed: the audit log cannot be written (" + done.error().message + ")");
    }
    return {};
}

}  // namespace signet::daemon
