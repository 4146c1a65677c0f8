#pragma once
// The delegation register's part of the API (DESIGN.md): tenants, members, delegations and
// requests, and POST /v1/authorize. Each handler reads, checks with policy/ and writes under
// the database mutex, so that two requests cannot both pass a check on the same old state;
// every change is an audit entry in the same transaction (no change without its entry).

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "base/time.hpp"
#include "base/error.hpp"
#include "json/json_reply.hpp"
#include "register/register.hpp"
#include "policy/matrix.hpp"
#include "store/database.hpp"

namespace signet::daemon {

struct RegisterContext {
    store::Database& db;
    store::DatabaseMutex& db_mutex;
    const policy::Matrix& matrix;
    const signet::Clock& clock;
    std::string client_fingerprint;  // the caller, for the audit entries of changes
    std::string client_role;
};

Result<JsonReply> put_tenant(const RegisterContext& context, const std::string& tenant, std::string_view body);
Result<JsonReply> put_member(const RegisterContext& context, const std::string& tenant,
                             const std::string& person, std::string_view body);
Result<JsonReply> remove_member(const RegisterContext& context, const std::string& tenant,
                                const std::string& person);
Result<JsonReply> grant_delegation(const RegisterContext& context, const std::string& tenant,
                                   std::string_view body);
Result<JsonReply> request_delegation(const RegisterContext& context, const std::string& tenant,
                                     std::string_view body);
Result<JsonReply> list_delegations(const RegisterContext& context, const std::string& tenant);
Result<JsonReply> accept_delegation(const RegisterContext& context, std::int64_t id, std::string_view body);
Result<JsonReply> patch_delegation(const RegisterContext& context, std::int64_t id, std::string_view body);
Result<JsonReply> authorize(const RegisterContext& context, std::string_view body);

// PUT /v1/tenants/{tenant}/logo once a PDF worker has checked the image; DELETE (not_found
// when there is none). Both on record in the audit log, with the image's digest.
Result<JsonReply> put_logo(const RegisterContext& context, const std::string& tenant, const TenantLogo& logo);
Result<JsonReply> delete_logo(const RegisterContext& context, const std::string& tenant);

}  // namespace signet::daemon
