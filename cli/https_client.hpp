#pragma once
// A small blocking HTTPS client for signetctl: one request with a client certificate, the server
// verified against a CA file and its name. Beast, as the server.

#include <filesystem>
#include <string>

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

// `method` ("GET", "POST", "PUT") on `url` ("https://host:port/path?query") with `body` of
// `content_type` when `body` is not empty; any status comes back as it is.
Result<HttpsReply> https_call(const std::string& method, const std::string& url, const std::string& body,
                              const ClientCredentials& credentials,
                              const std::string& content_type = "application/json");

// The API's error sentence in `reply` ("signetd answered 409: ...").
std::string reply_error(const HttpsReply& reply);

// GET `url`; the body of a 200, else the API's error message.
Result<std::string> https_get(const std::string& url, const ClientCredentials& credentials);

}  // namespace signet::daemon
