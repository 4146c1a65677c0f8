#pragma once
// The JSON side of the API contract (DESIGN.md): request bodies parsed strictly (wrong types,
// missing or unknown fields are 400 with the field named) and response bodies built.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "archive/extend_job.hpp"
#include "jobs/seal_job.hpp"
#include "jobs/cosign/cosign_job.hpp"
#include "jobs/sign_job.hpp"
#include "preparation/prepare_job.hpp"
#include "base/error.hpp"

namespace signet::daemon {


Result<SealRequest> parse_seal_request(std::string body);
// {"tenant", "document": b64} of POST /v1/extend.
Result<ExtendRequest> parse_extend_request(std::string body);

// "B-B" or "B-T"; bad_request naming `what` ("the field 'level'") otherwise.
Result<config::SignatureLevel> parse_level(const std::string& text, std::string_view what);

// The appearance's rules, the same for the JSON and the raw form of seal and sign
// (raw_request.hpp): a page from 1, a rect of finite numbers with x1 < x2 and y1 < y2. `page_name`
// and `rect_name` name the field or the query parameter in a refusal.
Result<pdf::Appearance> checked_appearance(std::int64_t page, const std::array<double, 4>& rect,
                                           std::string_view page_name, std::string_view rect_name);

// A signature field's name (POST /v1/prepare, "appearance": {"field"}): 1 to 128 printable
// characters and no '.', which would make it a child of another field (ISO 32000-1 §12.7.3.2).
bool valid_field_name(const std::string& name);
// POST /v1/prepare: {"tenant", "actor", "document", "fields": [{"name", "page", "rect", "signer"?}]}.
inline constexpr std::size_t max_prepared_fields = 100;
Result<PrepareDocumentRequest> parse_prepare_request(std::string body);

// An activation code is 6 digits; a longer text is refused before it goes any further.
inline constexpr std::size_t max_otp_bytes = 16;

// POST /v1/sign: "document" or "documents" (at most `max_batch`), "activation": {"otp"}. A
// missing activation leaves `otp` empty: the job refuses it and records the refusal.
Result<SignRequest> parse_sign_request(std::string body, unsigned max_batch);

// POST /v1/cosign: {"tenant", "guest_id", "code", "document" or "documents", "appearance"?,
// "level"?}. A missing code leaves `code` empty: the job refuses it and records the refusal.
Result<CosignRequest> parse_cosign_request(std::string body, unsigned max_batch);

// {"document": b64, "signature": {...}, "audit_seq": N}
std::string seal_response_body(const SealResult& result);

}  // namespace signet::daemon
