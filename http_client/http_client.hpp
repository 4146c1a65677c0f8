#pragma once
// One HTTP exchange over http:// or https:// with libcurl, for the clients of the product (TSAs,
// OCSP responders, CRL distribution points): bounded in time and in size, never following a
// redirect, and with every URL shown to a person through redact_url().

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace signet::http_client {

struct HttpOptions {
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds total_timeout{10000};
    std::size_t max_response_bytes = 64 * 1024;
    std::filesystem::path https_ca;  // PEM CAs for https servers; empty: the system's
};

struct HttpResponse {
    long status = 0;           // the HTTP status code
    std::string content_type;  // "" when the server sent none
    std::vector<std::uint8_t> body;
};

// True for "http://..." and "https://..." (scheme case-insensitive): the only schemes we speak.
bool is_http_url(std::string_view url);

// The URL as messages and the audit show it: without a user name or password (RFC 3986 §3.2.1),
// which a configuration may carry for a server that wants HTTP authentication.
std::string redact_url(std::string_view url);

// True when `content_type` is `media_type`, ignoring case, surrounding blanks and parameters
// (";charset=...", RFC 2045 §5.1).
bool media_type_is(std::string_view content_type, std::string_view media_type);

// POST `body` labelled `content_type`. Any HTTP status is a response; unavailable (503) when
// there is none: the URL is not http(s), the connection or the transfer failed or timed out,
// or the answer is larger than options.max_response_bytes. Messages do not repeat the URL: the
// caller names it (redacted) with what it was doing.
Result<HttpResponse> post(const std::string& url, std::string_view content_type,
                          std::span<const std::uint8_t> body, const HttpOptions& options);

// GET, with the same rules as post().
Result<HttpResponse> get(const std::string& url, const HttpOptions& options);

// "HTTP status N" unless the status is 200, "the answer's Content-Type is X, not Y" unless it
// is `media_type`: the checks every client of ours makes on an answer.
Status expect_ok(const HttpResponse& response, std::string_view media_type);

}  // namespace signet::http_client
