#pragma once
// The auditors' part of the API (DESIGN.md): entries page by page, the export that
// `signetctl audit verify` checks offline, and exact usage counts for billing.

#include <mutex>
#include <string>
#include <string_view>

#include "json/json_reply.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "store/database.hpp"

namespace signet::daemon {

struct AuditContext {
    store::Database& db;
    store::DatabaseMutex& db_mutex;
    const signet::Clock& clock;
};

// GET /v1/audit?after=SEQ&limit=N → {"entries": [...], "next": SEQ or null}
Result<JsonReply> list_audit(const AuditContext& context, std::string_view target);
// GET /v1/audit/export → NDJSON
Result<std::string> export_audit(const AuditContext& context);
// GET /v1/audit/usage?tenant=&from=YYYY-MM-DD&to=YYYY-MM-DD
Result<JsonReply> audit_usage(const AuditContext& context, std::string_view target);

}  // namespace signet::daemon
