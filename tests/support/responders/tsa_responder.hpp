#pragma once
// An independent time-stamping authority for the tests: its own PKI made with devpki, tokens
// made by the real `openssl ts -reply`, served over plain HTTP on 127.0.0.1 (RFC 3161 §3.4),
// one request per connection. Modes make it misbehave the ways an external TSA can.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "tests/support/responders/loopback_http_server.hpp"

namespace signet::test {

// Loopback ports to listen on: the first free one of [first, last]; {0, 0}: the kernel's.
// (Outside the class: GCC cannot use a nested class's member initializers in a default argument.)
struct TsaPorts {
    std::uint16_t first = 0;
    std::uint16_t last = 0;
};

class TsaResponder {
public:
    enum class Mode {
        good,                // a granted TimeStampResp from `openssl ts -reply`
        hang,                // accepts the connection and never answers until destroyed
        garbage,             // 200 application/timestamp-reply with random bytes
        rejection,           // a real TimeStampResp with status rejection (badAlg)
        wrong_imprint,       // a good token, but over other data than the request's (nonce echoed)
        no_eku_signer,       // a token signed by a certificate without extendedKeyUsage
        wrong_content_type,  // a good answer labelled text/plain
        http_error,          // 503 Service Unavailable
    };

    using Ports = TsaPorts;

    // Makes the PKI and the `openssl ts` configuration in `folder` (which must exist and be
    // private to this responder) and starts serving. Throws std::runtime_error on failure.
    explicit TsaResponder(const std::filesystem::path& folder, Mode mode = Mode::good,
                          Ports ports = {});
    ~TsaResponder();
    TsaResponder(const TsaResponder&) = delete;
    TsaResponder& operator=(const TsaResponder&) = delete;

    void set_mode(Mode mode) { mode_ = mode; }
    std::uint16_t port() const { return server_->port(); }
    std::string url() const;  // "http://127.0.0.1:<port>/tsa"
    // The CA that issued both TSA certificates: the trust file for verify.hpp.
    const std::filesystem::path& ca_pem_path() const { return ca_pem_; }
    const std::filesystem::path& tsa_cert_path() const { return tsa_cert_; }
    // The good TSA certificate's common name, part of the token's tsa subject.
    static constexpr const char* tsa_common_name = "signet test TSA";

    // The TimeStampResp the responder sends for `query` in its current mode, without HTTP (hang
    // answers as good). Throws std::runtime_error when openssl fails.
    std::vector<std::uint8_t> answer(std::span<const std::uint8_t> query);
    // POST requests answered or held so far.
    std::size_t requests() const { return requests_; }

private:
    HttpAnswer answer_http(const HttpExchange& exchange);
    std::vector<std::uint8_t> reply_with_openssl(std::span<const std::uint8_t> query,
                                                 const char* section);
    std::vector<std::uint8_t> resign_without_eku(const std::vector<std::uint8_t>& response);

    std::filesystem::path folder_;
    std::filesystem::path ca_pem_;
    std::filesystem::path tsa_cert_;
    std::filesystem::path tsa_key_;
    std::filesystem::path plain_cert_;  // Usage::signing: no extendedKeyUsage
    std::filesystem::path plain_key_;
    std::filesystem::path config_;
    std::atomic<Mode> mode_;
    std::atomic<std::size_t> requests_{0};
    std::mutex openssl_mutex_;  // one `openssl ts -reply` at a time: it rewrites the serial file
    std::size_t file_counter_ = 0;
    std::unique_ptr<LoopbackHttpServer> server_;  // last: it stops serving before the rest goes
};

}  // namespace signet::test
