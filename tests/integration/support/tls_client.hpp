#pragma once
// A TLS connection to signetd that the test drives byte by byte (curl cannot): keep-alive
// across a reload, a client that sends half a request and stalls, raw reads until the server
// closes.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

namespace signet::test {

class TlsClient {
public:
    // Connects to 127.0.0.1:`port` and completes the handshake with the dev-init client
    // certificate `client` ("platform", "auditor", ...) from `pki`.
    TlsClient(const std::filesystem::path& pki, std::uint16_t port, const std::string& client);
    ~TlsClient();
    TlsClient(const TlsClient&) = delete;
    TlsClient& operator=(const TlsClient&) = delete;

    void write(const std::string& bytes);
    // A GET on this connection; returns the status (0 when the connection is gone).
    int get(const std::string& path);
    // Waits up to `limit` for the server to close the connection; true when it did.
    bool closed_within(std::chrono::seconds limit);
    // What the server sends until it closes the connection, or until `limit`.
    std::string read_all_within(std::chrono::seconds limit);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace signet::test
