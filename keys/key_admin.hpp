#pragma once
// The security officers' API (issue 5, DESIGN.md): generate a key in the token and get its
// certification request, import the issued certificate, and activate, retire or destroy a
// key, under dual control for the seal and audit keys. Generation and import are in
// key_admin.cpp, changes and approvals in key_changes.cpp.

#include <cstdint>
#include <string>
#include <string_view>

#include "keys/key_register.hpp"
#include "json/json_reply.hpp"
#include "hsm/csr.hpp"

namespace signet::daemon {

// POST /v1/keys {"purpose", "algorithm", "label", "organization"?} → 201 {"key_id", "csr", ...}
Result<JsonReply> generate_key(const OfficerContext& context, std::string_view body);

// A key pair of `purpose` made in the token and its request for `subject`: the pending row
// and the key_generated entry commit together or the key is deleted again. `person` owns a
// personal key ("" otherwise).
Result<JsonReply> create_key(const OfficerContext& context, policy::KeyPurpose purpose, hsm::KeyAlgorithm algorithm,
                             const std::string& label, const hsm::CsrSubject& subject, const std::string& person);

// PUT /v1/keys/{id}/certificate {"certificate": PEM, "chain": [PEM, ...]} → 200
Result<JsonReply> import_key_certificate(const OfficerContext& context, const std::string& key_id,
                                         std::string_view body);

// POST /v1/keys/{id}/activate|retire|destroy → 202 {"approval_id", ...} when a second officer
// must approve, else 200 with the change made.
Result<JsonReply> request_key_change(const OfficerContext& context, const std::string& key_id,
                                     policy::KeyChange change);

// POST /v1/approvals/{id}/approve → 200 with the change made; only by another officer, before
// the request expires.
Result<JsonReply> approve_key_change(const OfficerContext& context, std::int64_t approval_id);

// GET /v1/approvals → the requests of the last 30 days, pending ones first.
Result<JsonReply> list_approvals(const OfficerContext& context);

}  // namespace signet::daemon
