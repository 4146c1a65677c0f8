#pragma once
// The wire between WorkerPool and signet-pdf-worker. A job is the request header frame, then
// the document as a sealed memfd (fd_passing.hpp) that the worker reads; a reply is one header frame, followed by the incremental update when it
// says "ok" (never the original again: the parent has it). A frame is an 8-byte length in host
// byte order (both ends are the same build on the same host) and that many bytes. Every length
// read from the wire is capped before anything is allocated for it: the parent does not trust
// the worker, and the worker does not trust what arrives on its socket either.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "pdf/ltv/dss.hpp"
#include "pdf/ltv/signatures.hpp"
#include "pdf/prepare.hpp"
#include "base/error.hpp"
#include "image/logo_image.hpp"

namespace signet::pdf::worker {

// The socket a worker reads its jobs from (set up by WorkerPool before execve).
inline constexpr int socket_fd = 3;
// A request header is a few numbers and a few short strings.
inline constexpr std::size_t max_header_bytes = 64 * 1024;
// The largest document a worker accepts (the daemon's body limit is 4 GiB of base64 at most).
inline constexpr std::uint64_t max_document_bytes = std::uint64_t{3} << 30;
// Reply messages are one sentence; a longer one is not a sentence.
inline constexpr std::size_t max_message_bytes = 4096;

using Clock = std::chrono::steady_clock;
inline constexpr Clock::time_point no_deadline = Clock::time_point::max();

// Errors from these functions are Errc::unavailable with what happened to the peer ("the
// worker closed the connection", "timed out"): a broken wire, never the document's fault.
Status send_frame(int fd, std::span<const std::uint8_t> payload, Clock::time_point deadline);
// The length of the next frame, refused above `max_size`.
Result<std::uint64_t> receive_length(int fd, std::uint64_t max_size, Clock::time_point deadline);
Status receive_exact(int fd, std::span<std::uint8_t> into, Clock::time_point deadline);
Result<std::vector<std::uint8_t>> receive_frame(int fd, std::uint64_t max_size,
                                                Clock::time_point deadline);

// What a job asks for: the first number of its header.
enum class JobKind : std::uint64_t {
    prepare = 0,          // the header is a PrepareRequest; the reply a PreparedDocument
    add_dss = 1,          // a validation-data frame follows the header; the reply an update
    list_signatures = 2,  // the reply lists the document's signature fields
    add_fields = 3,       // the header lists empty signature fields; the reply an update
    check_logo = 4,       // the "document" is a logo file; the reply its format and size
};
Result<JobKind> decode_kind(std::span<const std::uint8_t> header);
// The header of a job with no parameters (add_dss, list_signatures).
std::vector<std::uint8_t> encode_kind(JobKind kind);

// prepare: the header, then the tenant's logo file as a frame of its own when the appearance
// has one (at most image::max_logo_bytes), then the document. decode_request leaves the logo
// out; `has_logo` says whether its frame follows.
std::vector<std::uint8_t> encode_request(const PrepareRequest& request);
Result<PrepareRequest> decode_request(std::span<const std::uint8_t> header, bool& has_logo);
// Whether a frame follows the header of this job before the document (add_dss's data, a
// prepare's logo).
Result<bool> expects_payload(std::span<const std::uint8_t> header);

// add_fields: the fields in the header; the reply as add_dss's.
inline constexpr std::size_t max_new_fields = 100;
std::vector<std::uint8_t> encode_fields_request(const std::vector<FieldRequest>& fields);
Result<std::vector<FieldRequest>> decode_fields_request(std::span<const std::uint8_t> header);

// check_logo's reply, in one frame: what the worker found the logo to be, or its refusal.
struct LogoInfo {
    image::Format format = image::Format::png;
    unsigned width = 0;
    unsigned height = 0;
};
std::vector<std::uint8_t> encode_logo_reply(const Result<LogoInfo>& result);
Result<Result<LogoInfo>> decode_logo_reply(std::span<const std::uint8_t> reply);

// add_dss: the validation data, as its own frame after the header (certificates and CRLs do not
// fit a header), capped by what B-LT can need.
inline constexpr std::size_t max_validation_items = 1024;
inline constexpr std::size_t max_validation_bytes = std::size_t{64} << 20;  // one CRL, and the frame
std::vector<std::uint8_t> encode_validation_data(std::span<const ValidationData> data);
Result<std::vector<ValidationData>> decode_validation_data(std::span<const std::uint8_t> payload);
// add_dss's reply header: ok (the update follows in the next frame) or the refusal.
std::vector<std::uint8_t> encode_update_reply(const Result<std::vector<std::uint8_t>>& result);
Result<Status> decode_update_reply(std::span<const std::uint8_t> header);

// list_signatures's reply, in one frame: the fields, then the DSS's /VRI keys.
inline constexpr std::size_t max_signature_fields = 1024;
inline constexpr std::size_t max_contents_bytes = 1024 * 1024;  // a /Contents string
inline constexpr std::size_t max_vri_keys = 4096;              // in the DSS, or covered by one time-stamp
std::vector<std::uint8_t> encode_fields_reply(const Result<SignatureList>& result);
// The outer Result fails (Errc::unavailable) when the reply is malformed.
Result<Result<SignatureList>> decode_fields_reply(std::span<const std::uint8_t> reply);

// The reply header: the Placeholder fields of `result` (its update goes in the next frame) or
// its error. Neither the original's size nor the digest is sent: the parent knows the one and
// computes the other over its original and the update it received.
std::vector<std::uint8_t> encode_reply(const Result<PreparedDocument>& result);
// A PreparedDocument with no update, original size or digest yet, or the worker's error. The
// outer Result fails (Errc::unavailable) when the header is malformed; the inner one is the
// worker's answer.
// Only the codes prepare() returns are accepted from a worker.
Result<Result<PreparedDocument>> decode_reply(std::span<const std::uint8_t> header);

}  // namespace signet::pdf::worker
