#pragma once
// A small blocking HTTPS client for signetctl: one request with a client certificate, the server
// verified against a CA file and its name. Beast, as the server.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"

namespace signet::daemon {

struct ClientCredentials {
    std::filesystem::path ca;           // the server's CA (PEM)
    std::filesystem::path certificate;  // the client certificate (PEM)
    std::filesystem::path key;          // its private key (PEM)
};

struct HttpsReply {
    unsigned status = 0;
    std::string body;
};

// A request of signetctl. `url` is "https://host:port/path?query".
struct HttpsRequest {
    std::string method{};  // "GET", "POST", "PUT"
    std::string url{};
    std::string body{};  // sent with `content_type` when not empty
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers{};  // more fields (Idempotency-Key)
    // Told (bytes sent, bytes to send) as the request goes out; may be empty.
    std::function<void(std::size_t, std::size_t)> progress{};
};

// Sends `request`; any status comes back as it is.
Result<HttpsReply> https_call(HttpsRequest request, const ClientCredentials& credentials);

// The API's error sentence in `reply` ("signetd answered 409: ...").
std::string reply_error(const HttpsReply& reply);


}  // namespace signet::daemon
