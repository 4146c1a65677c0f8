#pragma once
// Log lines on stderr, one JSON object per line ({"time", "level", "message", "request_id",
// ...}), which journald collects. Never pass a secret or a document here: messages name things
// (files, keys by id, clients by fingerprint), not their contents.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace signet::daemon {

void log_info(std::string_view message);
void log_error(std::string_view message);
// A line with extra fields (an access line: method, path, status, milliseconds, ...).
void log_fields(bool error, std::string_view message, nlohmann::json fields);

// A new random request id: 16 hexadecimal digits.
std::string new_request_id();

// The request this thread works for, added to every line it logs while the scope lives. The
// job pool carries it from the I/O thread that accepted a request to the thread that runs it.
class RequestScope {
public:
    explicit RequestScope(std::string request_id);
    ~RequestScope();
    RequestScope(const RequestScope&) = delete;
    RequestScope& operator=(const RequestScope&) = delete;

private:
    std::string previous_;
};

// The current thread's request id; empty outside a request.
const std::string& current_request_id();

}  // namespace signet::daemon
