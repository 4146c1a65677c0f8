#pragma once
// The HTTP side of the tests' independent responders (tsa_responder.hpp, ocsp_responder.hpp): a
// server on 127.0.0.1 only, on its own thread, one request per connection (Connection: close),
// bounded requests and reads, and a way to hang like a stuck server. What it answers is the
// responder's, through a handler.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/unique_fd.hpp"

namespace signet::test {

struct HttpExchange {
    std::string method;  // "GET", "POST", ...
    std::string path;    // the request target, query included
    std::string body;    // POST only
};

struct HttpAnswer {
    std::string status = "200 OK";
    std::string content_type = "text/plain";
    std::string body;
};

class LoopbackHttpServer {
public:
    // Asked before a connection is read: true keeps it open and unread until the server goes
    // (a hung server).
    using Hold = std::function<bool()>;
    // The answer to a request read in full. An exception closes the connection unanswered.
    using Handler = std::function<HttpAnswer(const HttpExchange&)>;

    // Listens on a free port of [first, last] (first == 0: one the kernel picks) and serves
    // until destroyed. Throws std::runtime_error when no port can be had.
    LoopbackHttpServer(std::uint16_t first, std::uint16_t last, Handler handler, Hold hold = {});
    ~LoopbackHttpServer();
    LoopbackHttpServer(const LoopbackHttpServer&) = delete;
    LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

    std::uint16_t port() const { return port_; }

private:
    void serve();
    void handle(UniqueFd connection);
    std::optional<HttpExchange> read_request(int fd);

    Handler handler_;
    Hold hold_;
    UniqueFd listener_;
    UniqueFd wake_read_;  // the destructor writes to wake_write_ to end serve() and any read
    UniqueFd wake_write_;
    std::uint16_t port_ = 0;
    std::vector<UniqueFd> held_;  // the hung connections, closed on destruction
    std::thread thread_;
};

// A loopback port in [first, last] with nothing listening on it now: for "connection refused".
std::uint16_t unused_port(std::uint16_t first, std::uint16_t last);

}  // namespace signet::test
