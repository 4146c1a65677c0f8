// Activate, retire and destroy, with the second officer's approval where the key is the seal
// or the audit key (issue 5, item 4).

#include "keys/key_admin.hpp"

#include "base/base64.hpp"

namespace signet::daemon {
namespace {

using nlohmann::json;
using policy::KeyChange;
using policy::KeyPurpose;
using policy::KeyState;

std::string iso(std::int64_t unix_seconds) {
    return signet::format_timestamp(signet::Timestamp(std::chrono::seconds(unix_seconds)));
}

std::int64_t unix_now(const OfficerContext& context) { return context.clock.now().time_since_epoch().count(); }

std::optional<KeyChange> parse_change(std::string_view text) {
    if (text == "activate") return KeyChange::activate;
    if (text == "retire") return KeyChange::retire;
    if (text == "destroy") return KeyChange::destroy;
    return std::nullopt;
}

std::string change_name(KeyChange change) {
    switch (change) {
        case KeyChange::activate: return "activate";
        case KeyChange::retire: return "retire";
        case KeyChange::destroy: return "destroy";
        case KeyChange::import_certificate: break;
    }
    return "import_certificate";
}

KeySlot* slot_of(const OfficerContext& context, KeyPurpose purpose) {
    if (purpose == KeyPurpose::seal) return &context.seal_key;
    if (purpose == KeyPurpose::audit) return &context.audit_key;
    if (purpose == KeyPurpose::tsa) return &context.tsa_key;
    if (purpose == KeyPurpose::guest_ca) return &context.guest_ca_key;
    return nullptr;
}

// What the key register allows now, beyond the state table: the seal, audit and TSA keys always
// have an active key, so the active one is retired only by activating its successor. Guests are
// optional: retiring the active guest CA stops co-signatures until another is activated.
Status check_allowed(const KeyRecord& key, KeyChange change) {
    auto next = policy::next_state(key.state, change);
    if (!next) return std::unexpected(next.error());
    if (change == KeyChange::retire && key.state == KeyState::active && key.purpose != KeyPurpose::personal &&
        key.purpose != KeyPurpose::guest_ca) {
        return fail(Errc::conflict, "the " + std::string(policy::to_string(key.purpose)) + " key " + key.id_hex +
                                        " is the active one; activating its successor retires it");
    }
    return {};
}

// Who asked for a change that a second officer completes.
struct Approval {
    std::int64_t id = 0;
    std::string requested_by;
    std::string requested_by_name;
};

// Makes `change` on `key` with the register, the token and the audit log agreeing, then puts a
// newly active key in its slot. Call with db_mutex held.
Result<JsonReply> apply(const OfficerContext& context, const KeyRecord& key, KeyChange change,
                        const std::optional<Approval>& approval) {
    SIGNET_CHECK(check_allowed(key, change));
    std::optional<ActiveKey> activated;
    std::string retired_predecessor;
    Status committed = commit_with_entries(context, [&]() -> Result<std::vector<audit::Entry>> {
        std::vector<audit::Entry> entries;
        auto entry_for = [&](const std::string& event, const KeyRecord& which) {
            audit::Entry entry = officer_entry(context, event, which);
            if (approval) {
                // The requester acted, the caller approved: both officers are named.
                entry.actor = approval->requested_by_name;
                entry.approver = context.officer.subject_cn;
                entry.detail["approval_id"] = approval->id;
                entry.detail["requested_by"] = approval->requested_by;
            }
            return entry;
        };
        auto set_state = [&](const std::string& id_hex, KeyState state) -> Status {
            auto update = context.db.prepare("UPDATE keys SET state = ? WHERE key_id = ?");
            if (!update) return std::unexpected(update.error());
            update->bind(1, std::string(policy::to_string(state))).bind(2, id_hex);
            return update->run();
        };
        if (change == KeyChange::activate) {
            // The purpose's active key, or for a personal key the person's.
            auto current = context.db.prepare(
                "SELECT key_id FROM keys WHERE purpose = ? AND state = 'active' AND COALESCE(person, '') = ?");
            if (!current) return std::unexpected(current.error());
            current->bind(1, std::string(policy::to_string(key.purpose))).bind(2, key.person);
            auto row = current->step();
            if (!row) return std::unexpected(row.error());
            if (*row) retired_predecessor = current->column_text(0);
        }
        if (!retired_predecessor.empty()) {
            SIGNET_CHECK(set_state(retired_predecessor, KeyState::retired));
            auto predecessor = load_key_record(context.db, retired_predecessor);
            if (!predecessor) return std::unexpected(predecessor.error());
            audit::Entry retired = entry_for("key_retired", *predecessor);
            retired.detail["replaced_by"] = key.id_hex;
            entries.push_back(std::move(retired));
        }
        auto next = policy::next_state(key.state, change);
        if (!next) return std::unexpected(next.error());
        SIGNET_CHECK(set_state(key.id_hex, *next));
        audit::Entry entry = entry_for("key_" + std::string(policy::to_string(change)), key);
        if (!retired_predecessor.empty()) entry.detail["replaces"] = retired_predecessor;
        if (change == KeyChange::activate) {
            // Read back as the daemon will use it: the token holds the key, the certificate is
            // its own and usable now, or nothing changes.
            auto loaded = load_key(context.db, context.token, key.id_hex);
            if (!loaded) return std::unexpected(Error{Errc::conflict, loaded.error().message});
            auto usable = check_usable(loaded->validity, context.clock.now(), context.settings.min_remaining_validity,
                                       "the key " + key.id_hex);
            if (!usable) return std::unexpected(Error{Errc::conflict, usable.error().message});
            entry.certificate_sha256 = loaded->certificate_sha256;
            if (slot_of(context, key.purpose) != nullptr) activated = std::move(*loaded);
        }
        if (approval) {
            auto approve = context.db.prepare(
                "UPDATE approvals SET state = 'approved', approved_by = ?, approved_by_name = ?, approved_at = ? "
                "WHERE id = ? AND state = 'pending'");
            if (!approve) return std::unexpected(approve.error());
            approve->bind(1, context.officer.fingerprint)
                .bind(2, context.officer.subject_cn)
                .bind(3, unix_now(context))
                .bind(4, approval->id);
            SIGNET_CHECK(approve->run());
        }
        entries.push_back(std::move(entry));
        // Last, so that a token failure undoes the register change: a destroyed key is gone
        // from the token before the register says so.
        if (change == KeyChange::destroy) SIGNET_CHECK(context.token.destroy_key_objects(key.id));
        return entries;
    });
    if (!committed) return std::unexpected(committed.error());
    if (activated) slot_of(context, key.purpose)->set(std::move(*activated));
    if (change == KeyChange::retire && key.state == KeyState::active && slot_of(context, key.purpose) != nullptr) {
        slot_of(context, key.purpose)->clear();
    }

    auto now_state = policy::next_state(key.state, change);
    json body{{"key_id", key.id_hex}, {"state", policy::to_string(*now_state)}};
    if (!retired_predecessor.empty()) body["retired"] = retired_predecessor;
    if (approval) body["approval_id"] = approval->id;
    return JsonReply{200, std::move(body)};
}

// An officer's refused attempt at completing a dual-control change is on record as well.
std::unexpected<Error> refuse_approval(const OfficerContext& context, const KeyRecord& key, std::int64_t approval_id,
                                       Error refusal) {
    audit::Entry entry = officer_entry(context, "refusal", key);
    entry.outcome = "refused";
    entry.reason = refusal.message;
    entry.detail["approval_id"] = approval_id;
    Status recorded = commit_with_entries(context, [&]() -> Result<std::vector<audit::Entry>> {
        return std::vector<audit::Entry>{entry};
    });
    if (!recorded) return std::unexpected(recorded.error());
    return std::unexpected(std::move(refusal));
}

}  // namespace

Result<JsonReply> request_key_change(const OfficerContext& context, const std::string& key_id, KeyChange change) {
    std::lock_guard lock(context.db_mutex);
    auto key = load_key_record(context.db, key_id);
    if (!key) return std::unexpected(key.error());
    SIGNET_CHECK(check_allowed(*key, change));
    if (!policy::needs_second_officer(key->purpose, change)) return apply(context, *key, change, std::nullopt);

    const std::int64_t now = unix_now(context);
    const std::int64_t expires = now + context.settings.approval_ttl.count();
    std::int64_t approval_id = 0;
    Status committed = commit_with_entries(context, [&]() -> Result<std::vector<audit::Entry>> {
        auto insert = context.db.prepare(
            "INSERT INTO approvals (key_id, change, requested_by, requested_by_name, requested_at, expires_at, state) "
            "VALUES (?, ?, ?, ?, ?, ?, 'pending') RETURNING id");
        if (!insert) return std::unexpected(insert.error());
        insert->bind(1, key->id_hex)
            .bind(2, change_name(change))
            .bind(3, context.officer.fingerprint)
            .bind(4, context.officer.subject_cn)
            .bind(5, now)
            .bind(6, expires);
        auto row = insert->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) return fail(Errc::internal, "the approval request was not stored");
        approval_id = insert->column_int(0);
        audit::Entry entry = officer_entry(context, "key_change_requested", *key);
        entry.detail["change"] = change_name(change);
        entry.detail["approval_id"] = approval_id;
        entry.detail["expires_at"] = iso(expires);
        return std::vector<audit::Entry>{std::move(entry)};
    });
    if (!committed) return std::unexpected(committed.error());
    return JsonReply{202, json{{"approval_id", approval_id},
                               {"key_id", key->id_hex},
                               {"change", change_name(change)},
                               {"requested_by", context.officer.subject_cn},
                               {"expires_at", iso(expires)}}};
}

Result<JsonReply> approve_key_change(const OfficerContext& context, std::int64_t approval_id) {
    std::lock_guard lock(context.db_mutex);
    auto statement = context.db.prepare(
        "SELECT key_id, change, requested_by, requested_by_name, expires_at, state, COALESCE(approved_by_name, '') "
        "FROM approvals WHERE id = ?");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, approval_id);
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    const std::string name = "approval #" + std::to_string(approval_id);
    if (!*row) return fail(Errc::not_found, "there is no " + name);
    const std::string key_id = statement->column_text(0);
    auto change = parse_change(statement->column_text(1));
    Approval approval{approval_id, statement->column_text(2), statement->column_text(3)};
    const std::int64_t expires = statement->column_int(4);
    const std::string state = statement->column_text(5);
    const std::string approved_by = statement->column_text(6);
    if (!change) return fail(Errc::internal, name + " names an unknown change");
    auto key = load_key_record(context.db, key_id);
    if (!key) return std::unexpected(key.error());

    if (state != "pending") return fail(Errc::conflict, name + " was already approved by " + approved_by);
    if (approval.requested_by == context.officer.fingerprint || approval.requested_by_name == context.officer.subject_cn) {
        return refuse_approval(context, *key, approval_id,
                               Error{Errc::forbidden, name + " was requested by " + approval.requested_by_name +
                                                          "; dual control needs a second, different officer"});
    }
    if (unix_now(context) >= expires) {
        return refuse_approval(context, *key, approval_id,
                               Error{Errc::conflict, name + " expired at " + iso(expires) +
                                                         "; the first officer must request the change again"});
    }
    return apply(context, *key, *change, approval);
}

Result<JsonReply> list_approvals(const OfficerContext& context) {
    std::lock_guard lock(context.db_mutex);
    const std::int64_t now = unix_now(context);
    auto statement = context.db.prepare(
        "SELECT a.id, a.key_id, k.purpose, a.change, a.requested_by_name, a.requested_at, a.expires_at, a.state, "
        "       COALESCE(a.approved_by_name, '') "
        "FROM approvals a JOIN keys k ON k.key_id = a.key_id "
        "WHERE a.requested_at >= ? ORDER BY a.state = 'pending' DESC, a.id DESC");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, now - 30 * 24 * 3600);
    json approvals = json::array();
    for (;;) {
        auto row = statement->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        std::string state = statement->column_text(7);
        const std::int64_t expires = statement->column_int(6);
        if (state == "pending" && now >= expires) state = "expired";
        json item{{"approval_id", statement->column_int(0)}, {"key_id", statement->column_text(1)},
                  {"purpose", statement->column_text(2)},    {"change", statement->column_text(3)},
                  {"requested_by", statement->column_text(4)}, {"requested_at", iso(statement->column_int(5))},
                  {"expires_at", iso(expires)},              {"state", state}};
        if (state == "approved") item["approved_by"] = statement->column_text(8);
        approvals.push_back(std::move(item));
    }
    return JsonReply{200, json{{"approvals", std::move(approvals)}}};
}

}  // namespace signet::daemon
