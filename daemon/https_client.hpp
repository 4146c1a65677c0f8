#pragma once
// A small blocking HTTPS client for signetctl: one GET with a client certificate, the server
// verified against a CA file and its name. Beast, as the server.

#include <filesystem>
#include <string>

#include "policy/error.hpp"

namespace signet::daemon {

struct ClientCredentials {
    std::filesystem::path ca;           // the server's CA (PEM)
    std::filesystem::path certificate;  // the client certificate (PEM)
    std::filesystem::path key;          // its private key (PEM)
};

// GET `url` ("https://host:port/path?query"); the body of a 200, else the API's error message.
Result<std::string> https_get(const std::string& url, const ClientCredentials& credentials);

}  // namespace signet::daemon
