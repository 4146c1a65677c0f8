#pragma once
// A TLS connection to signetd that the test drives byte by byte (curl cannot): keep-alive
// across a reload, a client that sends half a request and stalls, raw reads until the server
// closes. Also whole requests on one kept-alive connection, for load that a curl process per
// request (a handshake and a process each) would make cost more than the server's work.

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace signet::test {

// One request's answer on a kept-alive connection.
struct TlsAnswer {
    int status = 0;             // 0: no answer (the connection broke, or the time limit passed)
    std::string body;
    std::string error;          // why there is no answer: "end of stream", "stream truncated", ...
    bool connection_open = false;  // false: the server closed it or it broke; open another
};

class TlsClient {
    struct Impl;

public:
    // Connects to 127.0.0.1:`port` and completes the handshake with the dev-init client
    // certificate `client` ("platform", "auditor", ...) from `pki`.
    TlsClient(const std::filesystem::path& pki, std::uint16_t port, const std::string& client);
    ~TlsClient();
    TlsClient(const TlsClient&) = delete;
    TlsClient& operator=(const TlsClient&) = delete;

    // As the constructor, but within `limit` and saying why instead of throwing: for tests to
    // which a node that is down or going away is an expected outcome, not a failure.
    static std::expected<std::unique_ptr<TlsClient>, std::string> open(const std::filesystem::path& pki,
                                                                       std::uint16_t port, const std::string& client,
                                                                       std::chrono::seconds limit);

    void write(const std::string& bytes);
    // A GET on this connection; returns the status (0 when the connection is gone).
    int get(const std::string& path);
    // A request on this connection (kept alive, HTTP/1.1) with `headers` added to Host and
    // Content-Length, its answer read within `limit`. Once an answer says !connection_open,
    // the client is done: make a new one.
    TlsAnswer request(const std::string& method, const std::string& path, const std::string& body,
                      const std::vector<std::pair<std::string, std::string>>& headers, std::chrono::seconds limit);
    // Waits up to `limit` for the server to close the connection; true when it did.
    bool closed_within(std::chrono::seconds limit);
    // What the server sends until it closes the connection, or until `limit`.
    std::string read_all_within(std::chrono::seconds limit);

    // What open() makes: only this class can name Impl.
    explicit TlsClient(std::unique_ptr<Impl> impl);

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace signet::test
