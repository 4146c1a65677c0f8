#include "register/register.hpp"

#include <sstream>

#include "policy/decision.hpp"

namespace signet::daemon {
namespace {

using policy::Delegation;
using policy::DelegationState;

constexpr const char* delegation_columns =
    "SELECT id, tenant, grantee, grantor, rights, expires, state, changed_by, changed_at "
    "FROM delegations ";

std::string join_rights(const std::vector<std::string>& rights) {
    std::string out;
    for (const auto& right : rights) out += (out.empty() ? "" : " ") + right;
    return out;
}

std::vector<std::string> split_rights(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string right; in >> right;) out.push_back(right);
    return out;
}

std::optional<DelegationState> parse_state(const std::string& text) {
    for (auto state : {DelegationState::pending, DelegationState::active,
                       DelegationState::deactivated, DelegationState::ended}) {
        if (policy::to_string(state) == text) return state;
    }
    return std::nullopt;
}

// A row of delegation_columns; a value the schema's CHECKs should have kept out is corruption.
Result<Delegation> read_delegation(const store::Statement& row) {
    Delegation delegation;
    delegation.id = row.column_int(0);
    delegation.tenant = row.column_text(1);
    delegation.grantee = row.column_text(2);
    delegation.grantor = row.column_is_null(3) ? "" : row.column_text(3);
    delegation.rights = split_rights(row.column_text(4));
    auto expires = signet::parse_date(row.column_text(5));
    auto state = parse_state(row.column_text(6));
    if (!expires || !state) {
        return fail(Errc::internal, "delegation #" + std::to_string(delegation.id) +
                                        " in the database has an unreadable expiry or state");
    }
    delegation.expires = *expires;
    delegation.state = *state;
    delegation.changed_by = row.column_text(7);
    delegation.changed_at = signet::Timestamp(std::chrono::seconds(row.column_int(8)));
    return delegation;
}

store::Value text_or_null(const std::string& text) {
    return text.empty() ? store::Value(nullptr) : store::Value(text);
}

}  // namespace

Status Register::put_tenant(const policy::Tenant& tenant) {
    auto existing = load(tenant.id);
    if (!existing) return std::unexpected(existing.error());
    if (*existing && (*existing)->tenant.kind != tenant.kind && !(*existing)->members.empty()) {
        return fail(Errc::conflict, "tenant " + tenant.id + " is a " +
                                        std::string(policy::to_string((*existing)->tenant.kind)) +
                                        " with members; its kind cannot change");
    }
    auto statement = db_.prepare(
        "INSERT INTO tenants (id, kind, name) VALUES (?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, tenant.id).bind(2, std::string(policy::to_string(tenant.kind))).bind(3, tenant.name);
    return statement->run();
}

Result<std::optional<policy::TenantView>> Register::load(const std::string& tenant) {
    auto head = db_.prepare("SELECT kind, name FROM tenants WHERE id = ?");
    if (!head) return std::unexpected(head.error());
    head->bind(1, tenant);
    auto found = head->step();
    if (!found) return std::unexpected(found.error());
    if (!*found) return std::optional<policy::TenantView>{};
    policy::TenantView view;
    auto kind = policy::parse_tenant_kind(head->column_text(0));
    if (!kind) return fail(Errc::internal, "tenant " + tenant + " has an unknown kind in the database");
    view.tenant = policy::Tenant{tenant, *kind, head->column_text(1)};

    auto members = db_.prepare("SELECT person, role, name FROM members WHERE tenant = ? ORDER BY person");
    if (!members) return std::unexpected(members.error());
    members->bind(1, tenant);
    for (;;) {
        auto row = members->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        auto role = policy::parse_role(members->column_text(1));
        if (!role) return fail(Errc::internal, "a member of " + tenant + " has an unknown role in the database");
        view.members.push_back(policy::Member{members->column_text(0), *role, members->column_text(2)});
    }

    auto delegations = db_.prepare(std::string(delegation_columns) + "WHERE tenant = ? ORDER BY id");
    if (!delegations) return std::unexpected(delegations.error());
    delegations->bind(1, tenant);
    for (;;) {
        auto row = delegations->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        auto delegation = read_delegation(*delegations);
        if (!delegation) return std::unexpected(delegation.error());
        view.delegations.push_back(std::move(*delegation));
    }
    return std::optional<policy::TenantView>(std::move(view));
}

Status Register::put_member(const std::string& tenant, const policy::Member& member) {
    auto statement = db_.prepare(
        "INSERT INTO members (tenant, person, role, name) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (tenant, person) DO UPDATE SET role = excluded.role, name = excluded.name");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, tenant)
        .bind(2, member.person)
        .bind(3, std::string(policy::to_string(member.role)))
        .bind(4, member.name);
    return statement->run();
}

Result<std::vector<std::int64_t>> Register::remove_member(const std::string& tenant,
                                                          const std::string& person,
                                                          signet::Timestamp now) {
    auto removal = db_.prepare("DELETE FROM members WHERE tenant = ? AND person = ?");
    if (!removal) return std::unexpected(removal.error());
    removal->bind(1, tenant).bind(2, person);
    SIGNET_CHECK(removal->run());
    if (db_.changes() == 0) return fail(Errc::not_found, person + " is not a member of tenant " + tenant);
    auto ending = db_.prepare(
        "UPDATE delegations SET state = 'ended', changed_by = ?, changed_at = ? "
        "WHERE tenant = ? AND grantee = ? AND state <> 'ended' RETURNING id");
    if (!ending) return std::unexpected(ending.error());
    ending->bind(1, "removed from " + tenant)
        .bind(2, static_cast<std::int64_t>(now.time_since_epoch().count()))
        .bind(3, tenant)
        .bind(4, person);
    std::vector<std::int64_t> ended;
    for (;;) {
        auto row = ending->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) return ended;
        ended.push_back(ending->column_int(0));
    }
}

Result<std::int64_t> Register::insert(const Delegation& delegation) {
    auto statement = db_.prepare(
        "INSERT INTO delegations (tenant, grantee, grantor, rights, expires, state, changed_by, "
        "changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, delegation.tenant)
        .bind(2, delegation.grantee)
        .bind(3, text_or_null(delegation.grantor))
        .bind(4, join_rights(delegation.rights))
        .bind(5, signet::format_date(delegation.expires))
        .bind(6, std::string(policy::to_string(delegation.state)))
        .bind(7, delegation.changed_by)
        .bind(8, static_cast<std::int64_t>(delegation.changed_at.time_since_epoch().count()));
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return fail(Errc::internal, "storing the delegation returned no id");
    return statement->column_int(0);
}

Result<std::optional<Delegation>> Register::delegation(std::int64_t id) {
    auto statement = db_.prepare(std::string(delegation_columns) + "WHERE id = ?");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, id);
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::optional<Delegation>{};
    auto delegation = read_delegation(*statement);
    if (!delegation) return std::unexpected(delegation.error());
    return std::optional<Delegation>(std::move(*delegation));
}

Status Register::update(const Delegation& delegation) {
    auto statement = db_.prepare(
        "UPDATE delegations SET grantor = ?, expires = ?, state = ?, changed_by = ?, changed_at = ? "
        "WHERE id = ?");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, text_or_null(delegation.grantor))
        .bind(2, signet::format_date(delegation.expires))
        .bind(3, std::string(policy::to_string(delegation.state)))
        .bind(4, delegation.changed_by)
        .bind(5, static_cast<std::int64_t>(delegation.changed_at.time_since_epoch().count()))
        .bind(6, delegation.id);
    return statement->run();
}

Status Register::put_logo(const std::string& tenant, const TenantLogo& logo, signet::Timestamp now) {
    auto known = db_.prepare("SELECT 1 FROM tenants WHERE id = ?");
    if (!known) return std::unexpected(known.error());
    known->bind(1, tenant);
    auto row = known->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return fail(Errc::not_found, "tenant " + tenant + " is not registered");
    auto statement = db_.prepare(
        "INSERT INTO tenant_logos (tenant, media_type, image, width, height, sha256, changed_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant) DO UPDATE SET media_type = excluded.media_type, "
        "image = excluded.image, width = excluded.width, height = excluded.height, sha256 = excluded.sha256, "
        "changed_at = excluded.changed_at");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, tenant)
        .bind(2, logo.media_type)
        .bind(3, logo.image)
        .bind(4, static_cast<std::int64_t>(logo.width))
        .bind(5, static_cast<std::int64_t>(logo.height))
        .bind(6, logo.sha256)
        .bind(7, static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()));
    return statement->run();
}

Result<std::optional<TenantLogo>> Register::logo(const std::string& tenant) {
    auto statement = db_.prepare("SELECT media_type, image, width, height, sha256 FROM tenant_logos WHERE tenant = ?");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, tenant);
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::optional<TenantLogo>();
    return std::optional<TenantLogo>(TenantLogo{statement->column_text(0), statement->column_blob(1),
                                                static_cast<unsigned>(statement->column_int(2)),
                                                static_cast<unsigned>(statement->column_int(3)), statement->column_text(4)});
}

Result<bool> Register::remove_logo(const std::string& tenant) {
    auto statement = db_.prepare("DELETE FROM tenant_logos WHERE tenant = ?");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, tenant);
    SIGNET_CHECK(statement->run());
    return db_.changes() > 0;
}

Result<policy::TenantView> authorise_job(store::Database& db, store::DatabaseMutex& db_mutex, const policy::Matrix& matrix,
                                         const signet::Clock& clock, const std::string& tenant,
                                         const std::string& actor, const std::string& action,
                                         const std::optional<std::string>& approved_by) {
    std::lock_guard lock(db_mutex);
    auto view = Register(db).load(tenant);
    if (!view) return std::unexpected(view.error());
    const policy::TenantView* registered = *view ? &**view : nullptr;
    auto decision = policy::decide_with_approval(matrix, registered, actor, action, approved_by, clock.now());
    if (registered == nullptr) decision.reason = "tenant " + tenant + " is not registered on signetd";
    if (decision.verdict == policy::Verdict::allow) return std::move(**view);
    return fail(decision.verdict == policy::Verdict::approval_required ? Errc::approval_required : Errc::forbidden,
                decision.reason);
}

}  // namespace signet::daemon
