#include "register/register_requests.hpp"

#include "audit/log.hpp"
#include "json/json_fields.hpp"
#include "register/register.hpp"
#include "policy/decision.hpp"
#include "policy/lifecycle.hpp"

namespace signet::daemon {
namespace {

using nlohmann::json;

json delegation_json(const policy::Delegation& delegation, signet::Timestamp now) {
    return json{{"id", delegation.id},
                {"tenant", delegation.tenant},
                {"grantor", delegation.grantor.empty() ? json(nullptr) : json(delegation.grantor)},
                {"grantee", delegation.grantee},
                {"rights", delegation.rights},
                {"expires", signet::format_date(delegation.expires)},
                {"status", std::string(policy::status_at(delegation, now))}};
}

// The registered tenant, or 404.
Result<policy::TenantView> existing_tenant(Register& register_, const std::string& tenant) {
    auto view = register_.load(tenant);
    if (!view) return std::unexpected(view.error());
    if (!*view) return fail(Errc::not_found, "tenant " + tenant + " is not registered");
    return std::move(**view);
}

// The delegation with its tenant, or 404.
struct DelegationInTenant {
    policy::Delegation delegation;
    policy::TenantView tenant;
};

Result<DelegationInTenant> existing_delegation(Register& register_, std::int64_t id) {
    auto delegation = register_.delegation(id);
    if (!delegation) return std::unexpected(delegation.error());
    if (!*delegation) return fail(Errc::not_found, "there is no delegation #" + std::to_string(id));
    auto tenant = existing_tenant(register_, (*delegation)->tenant);
    if (!tenant) return std::unexpected(tenant.error());
    return DelegationInTenant{std::move(**delegation), std::move(*tenant)};
}

Result<policy::DelegationTerms> read_terms(const JsonFields& fields) {
    policy::DelegationTerms terms;
    SIGNET_TRY(terms.grantee, fields.text("grantee"));
    SIGNET_TRY(terms.rights, fields.texts("rights"));
    SIGNET_TRY(terms.expires, fields.date("expires"));
    return terms;
}

// Runs `work` with the register under the database mutex.
template <class F>
Result<JsonReply> with_register(const RegisterContext& context, F&& work) {
    std::lock_guard lock(context.db_mutex);
    Register register_(context.db);
    return work(register_);
}

// The audit entry of a change to the register: `event` with its details.
struct Change {
    std::string event;
    std::string tenant;
    std::string actor;  // the person acting (grantor, ...) or the person concerned
    json detail;
};

// Runs `work`, which changes the register and says what it changed, and appends that change
// to the audit log, in one transaction: if the entry cannot be written nothing changes (503).
template <class F>
Result<JsonReply> change_register(const RegisterContext& context, F&& work) {
    return with_register(context, [&](Register& register_) -> Result<JsonReply> {
        Result<JsonReply> reply = fail(Errc::internal, "no reply");
        bool refused = false;
        Status done = context.db.transaction([&]() -> Status {
            Change change;
            reply = work(register_, change);
            if (!reply) {
                refused = true;
                return std::unexpected(reply.error());
            }
            audit::Entry entry;
            entry.event = change.event;
            entry.outcome = "done";
            entry.tenant = change.tenant;
            entry.actor = change.actor;
            entry.client_fingerprint = context.client_fingerprint;
            entry.client_role = context.client_role;
            entry.detail = std::move(change.detail);
            auto appended = audit::Log(context.db, context.clock).append(std::move(entry));
            if (!appended) return std::unexpected(appended.error());
            return {};
        });
        if (refused) return reply;
        if (!done) {
            // The transaction could not begin, the entry could not be written or the commit
            // failed: in each case nothing changed.
            return fail(Errc::unavailable, "nothing was changed: the audit log cannot be written (" +
                                               done.error().message + ")");
        }
        return reply;
    });
}

}  // namespace

Result<JsonReply> put_tenant(const RegisterContext& context, const std::string& tenant, std::string_view body) {
    SIGNET_CHECK(check_text(tenant, "the tenant id"));
    auto fields = JsonFields::parse(body, {"kind", "name"});
    if (!fields) return std::unexpected(fields.error());
    std::string kind_text;
    std::string name;
    SIGNET_TRY(kind_text, fields->text("kind"));
    SIGNET_TRY(name, fields->text("name"));
    auto kind = policy::parse_tenant_kind(kind_text);
    if (!kind) return fail(Errc::bad_request, "the field 'kind' must be \"cabinet\" or \"croec\"");
    return change_register(context, [&](Register& register_, Change& change) -> Result<JsonReply> {
        SIGNET_CHECK(register_.put_tenant(policy::Tenant{tenant, *kind, name}));
        json stored{{"id", tenant}, {"kind", kind_text}, {"name", name}};
        change = Change{"tenant_registered", tenant, "", stored};
        return JsonReply{200, std::move(stored)};
    });
}

Result<JsonReply> put_member(const RegisterContext& context, const std::string& tenant,
                             const std::string& person, std::string_view body) {
    SIGNET_CHECK(check_text(person, "the person id"));
    auto fields = JsonFields::parse(body, {"role", "name"});
    if (!fields) return std::unexpected(fields.error());
    std::string role_text;
    std::string name;
    SIGNET_TRY(role_text, fields->text("role"));
    SIGNET_TRY(name, fields->text("name"));
    auto role = policy::parse_role(role_text);
    if (!role) {
        return fail(Errc::bad_request, "the field 'role' must be one of ec, president, "
                                       "secretary_general, collaborator, permanent");
    }
    return change_register(context, [&](Register& register_, Change& change) -> Result<JsonReply> {
        auto view = existing_tenant(register_, tenant);
        if (!view) return std::unexpected(view.error());
        if (policy::tenant_kind_of(*role) != view->tenant.kind) {
            return fail(Errc::bad_request, "the role " + role_text + " does not exist in a " +
                                               std::string(policy::to_string(view->tenant.kind)));
        }
        SIGNET_CHECK(register_.put_member(tenant, policy::Member{person, *role, name}));
        json stored{{"tenant", tenant}, {"person", person}, {"role", role_text}, {"name", name}};
        change = Change{"member_registered", tenant, person, stored};
        return JsonReply{200, std::move(stored)};
    });
}

Result<JsonReply> remove_member(const RegisterContext& context, const std::string& tenant,
                                const std::string& person) {
    return change_register(context, [&](Register& register_, Change& change) -> Result<JsonReply> {
        SIGNET_CHECK(existing_tenant(register_, tenant));
        auto ended = register_.remove_member(tenant, person, context.clock.now());
        if (!ended) return std::unexpected(ended.error());
        json stored{{"tenant", tenant}, {"person", person}, {"ended_delegations", *ended}};
        change = Change{"member_removed", tenant, person, stored};
        return JsonReply{200, std::move(stored)};
    });
}

Result<JsonReply> grant_delegation(const RegisterContext& context, const std::string& tenant,
                                   std::string_view body) {
    auto fields = JsonFields::parse(body, {"grantor", "grantee", "rights", "expires"});
    if (!fields) return std::unexpected(fields.error());
    std::string grantor;
    SIGNET_TRY(grantor, fields->text("grantor"));
    auto terms = read_terms(*fields);
    if (!terms) return std::unexpected(terms.error());
    return change_register(context, [&](Register& register_, Change& change) -> Result<JsonReply> {
        auto view = existing_tenant(register_, tenant);
        if (!view) return std::unexpected(view.error());
        const auto now = context.clock.now();
        SIGNET_CHECK(policy::check_grant(context.matrix, *view, grantor, *terms, now));
        policy::Delegation delegation{0, tenant, terms->grantee, grantor, terms->rights, terms->expires,
                                      policy::DelegationState::active, grantor, now};
        SIGNET_TRY(delegation.id, register_.insert(delegation));
        change = Change{"delegation_granted", tenant, grantor, delegation_json(delegation, now)};
        return JsonReply{201, delegation_json(delegation, now)};
    });
}

Result<JsonReply> request_delegation(const RegisterContext& context, const std::string& tenant,
                                     std::string_view body) {
    auto fields = JsonFields::parse(body, {"grantee", "rights", "expires"});
    if (!fields) return std::unexpected(fields.error());
    auto terms = read_terms(*fields);
    if (!terms) return std::unexpected(terms.error());
    return change_register(context, [&](Register& register_, Change& change) -> Result<JsonReply> {
        auto view = existing_tenant(register_, tenant);
        if (!view) return std::unexpected(view.error());
        const auto now = context.clock.now();
        SIGNET_CHECK(policy::check_request(context.matrix, *view, *terms, now));
        policy::Delegation delegation{0, tenant, terms->grantee, "", terms->rights, terms->expires,
                                      policy::DelegationState::pending, terms->grantee, now};
        SIGNET_TRY(delegation.id, register_.insert(delegation));
        change = Change{"delegation_requested", tenant, terms->grantee, delegation_json(delegation, now)};
        return JsonReply{201, delegation_json(delegation, now)};
    });
}

Result<JsonReply> list_delegations(const RegisterContext& context, const std::string& tenant) {
    return with_register(context, [&](Register& register_) -> Result<JsonReply> {
        auto view = existing_tenant(register_, tenant);
        if (!view) return std::unexpected(view.error());
        const auto now = context.clock.now();
        json list = json::array();
        for (const auto& delegation : view->delegations) list.push_back(delegation_json(delegation, now));
        return JsonReply{200, json{{"delegations", std::move(list)}}};
    });
}

Result<JsonReply> accept_delegation(const RegisterContext& context, std::int64_t id, std::string_view body) {
    auto fields = JsonFields::parse(body, {"grantor"});
    if (!fields) return std::unexpected(fields.error());
    std::string grantor;
    SIGNET_TRY(grantor, fields->text("grantor"));
    return change_register(context, [&](Register& register_, Change& change) -> Result<JsonReply> {
        auto found = existing_delegation(register_, id);
        if (!found) return std::unexpected(found.error());
        const auto now = context.clock.now();
        SIGNET_CHECK(policy::check_accept(context.matrix, found->tenant, found->delegation, grantor, now));
        policy::Delegation& delegation = found->delegation;
        delegation.grantor = grantor;
        delegation.state = policy::DelegationState::active;
        delegation.changed_by = grantor;
        delegation.changed_at = now;
        SIGNET_CHECK(register_.update(delegation));
        change = Change{"delegation_accepted", delegation.tenant, grantor, delegation_json(delegation, now)};
        return JsonReply{200, delegation_json(delegation, now)};
    });
}

Result<JsonReply> patch_delegation(const RegisterContext& context, std::int64_t id, std::string_view body) {
    auto fields = JsonFields::parse(body, {"by", "active", "expires"});
    if (!fields) return std::unexpected(fields.error());
    std::string by;
    SIGNET_TRY(by, fields->text("by"));
    if (fields->has("active") == fields->has("expires")) {
        return fail(Errc::bad_request, "a change names exactly one of 'active' and 'expires'");
    }
    return change_register(context, [&](Register& register_, Change& change) -> Result<JsonReply> {
        auto found = existing_delegation(register_, id);
        if (!found) return std::unexpected(found.error());
        const auto now = context.clock.now();
        policy::Delegation& delegation = found->delegation;
        if (fields->has("active")) {
            bool active = false;
            SIGNET_TRY(active, fields->boolean("active"));
            SIGNET_CHECK(policy::check_set_active(context.matrix, found->tenant, delegation, by, active, now));
            delegation.state = active ? policy::DelegationState::active : policy::DelegationState::deactivated;
            change.event = active ? "delegation_reactivated" : "delegation_deactivated";
        } else {
            signet::Date expires;
            SIGNET_TRY(expires, fields->date("expires"));
            SIGNET_CHECK(policy::check_prolong(context.matrix, found->tenant, delegation, by, expires, now));
            delegation.expires = expires;
            change.event = "delegation_prolonged";
        }
        delegation.changed_by = by;
        delegation.changed_at = now;
        SIGNET_CHECK(register_.update(delegation));
        change.tenant = delegation.tenant;
        change.actor = by;
        change.detail = delegation_json(delegation, now);
        return JsonReply{200, delegation_json(delegation, now)};
    });
}

Result<JsonReply> authorize(const RegisterContext& context, std::string_view body) {
    auto fields = JsonFields::parse(body, {"tenant", "actor", "action"});
    if (!fields) return std::unexpected(fields.error());
    std::string tenant;
    std::string actor;
    std::string action;
    SIGNET_TRY(tenant, fields->text("tenant"));
    SIGNET_TRY(actor, fields->text("actor"));
    SIGNET_TRY(action, fields->text("action"));
    if (!context.matrix.has_action(action)) {
        return fail(Errc::bad_request, "\"" + action + "\" is not an action of the rights matrix");
    }
    return with_register(context, [&](Register& register_) -> Result<JsonReply> {
        auto view = register_.load(tenant);
        if (!view) return std::unexpected(view.error());
        auto decision = policy::decide(context.matrix, *view ? &**view : nullptr, actor, action,
                                       context.clock.now());
        if (!*view) decision.reason = "tenant " + tenant + " is not registered on signetd";
        return JsonReply{200, json{{"decision", std::string(policy::to_string(decision.verdict))},
                                   {"reason", decision.reason},
                                   {"approvers", decision.approvers}}};
    });
}

Result<JsonReply> put_logo(const RegisterContext& context, const std::string& tenant, const TenantLogo& logo) {
    SIGNET_CHECK(check_text(tenant, "the tenant id"));
    return change_register(context, [&](Register& register_, Change& change) -> Result<JsonReply> {
        SIGNET_CHECK(register_.put_logo(tenant, logo, context.clock.now()));
        change = Change{"logo_registered", tenant, "",
                        json{{"media_type", logo.media_type}, {"bytes", logo.image.size()}, {"width", logo.width},
                             {"height", logo.height}, {"sha256", logo.sha256}}};
        return JsonReply{204, json()};
    });
}

Result<JsonReply> delete_logo(const RegisterContext& context, const std::string& tenant) {
    return change_register(context, [&](Register& register_, Change& change) -> Result<JsonReply> {
        bool removed = false;
        SIGNET_TRY(removed, register_.remove_logo(tenant));
        if (!removed) return fail(Errc::not_found, "tenant " + tenant + " has no logo");
        change = Change{"logo_removed", tenant, "", json::object()};
        return JsonReply{204, json()};
    });
}

}  // namespace signet::daemon
