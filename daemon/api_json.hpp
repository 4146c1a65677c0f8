#pragma once
// The JSON side of the API contract (DESIGN.md): request bodies parsed strictly (wrong types,
// missing or unknown fields are 400 with the field named) and response bodies built.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/seal_job.hpp"
#include "daemon/sign_job.hpp"
#include "policy/error.hpp"

namespace signet::daemon {

// {"error": "<code>", "message": "<sentence>"}
std::string error_body(const Error& error);

Result<SealRequest> parse_seal_request(std::string_view body);

// POST /v1/sign: "document" or "documents" (at most `max_batch`), "activation": {"otp"}. A
// missing activation leaves `otp` empty: the job refuses it and records the refusal.
Result<SignRequest> parse_sign_request(std::string_view body, unsigned max_batch);

// {"document": b64, "signature": {...}, "audit_seq": N}
std::string seal_response_body(const SealResult& result);

}  // namespace signet::daemon
