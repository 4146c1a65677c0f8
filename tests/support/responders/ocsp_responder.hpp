#pragma once
// An independent revocation service for the tests: a small PKI made by the `openssl` command
// (req, ca, ca -revoke, ca -gencrl), OCSP answers made by the real `openssl ocsp` from the CA's
// index.txt (offline: -reqin/-respout, one run per request), and a loopback HTTP server on
// 127.0.0.1 that carries them (RFC 6960 A.1, POST and GET) and serves the CRL. Not
// `openssl ocsp -port`: OpenSSL 3.0 binds it to every interface and it stops serving after a
// connection that closes without a request.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>

#include "tests/support/responders/loopback_http_server.hpp"

namespace signet::test {

// The PKI, in `folder`: a CA (with index.txt, so `openssl ca` and `openssl ocsp` share it), an
// unrelated CA, a delegated OCSP responder (EKU OCSPSigning), a certificate without that EKU,
// and leaves: `leaf` and `leaf2` with AIA (OCSP) and CDP, `leaf_cdp` with a CDP only, `leaf_none`
// with neither. URLs point at http://127.0.0.1:<port>/ocsp and /ca.crl.
class TestPki {
public:
    TestPki(const std::filesystem::path& folder, std::uint16_t port);

    std::filesystem::path ca_cert, ca_key, other_ca_cert, other_ca_key;
    std::filesystem::path responder_cert, responder_key;  // EKU OCSPSigning, issued by the CA
    std::filesystem::path plain_cert, plain_key;          // issued by the CA, no EKU
    std::filesystem::path leaf, leaf2, leaf_cdp, leaf_none;

    std::string ocsp_url() const;
    std::string crl_url() const;
    // `openssl ca -revoke` with a CRLReason ("keyCompromise", ...).
    void revoke(const std::filesystem::path& cert, const std::string& reason);
    // `openssl ca -gencrl` of the CA (or of the unrelated CA), valid for `hours`.
    void make_crl(const std::filesystem::path& out, int hours, bool other_ca = false);
    std::filesystem::path index() const;

private:
    void make_ca(const std::string& name, const std::string& common_name);
    std::filesystem::path issue(const std::string& name, const std::string& extensions);

    std::filesystem::path folder_;
    std::uint16_t port_;
};

class OcspResponder {
public:
    enum class Mode { good, hang };

    // Listens on the first free port of [first, last] on 127.0.0.1 and serves until destroyed.
    OcspResponder(const std::filesystem::path& work, std::uint16_t first, std::uint16_t last);
    ~OcspResponder();
    OcspResponder(const OcspResponder&) = delete;
    OcspResponder& operator=(const OcspResponder&) = delete;

    std::uint16_t port() const { return server_.port(); }
    // What `openssl ocsp` answers with: index and CA, signer, nextUpdate in minutes (0: none).
    void configure(const TestPki& pki, const std::filesystem::path& signer_cert,
                   const std::filesystem::path& signer_key, int next_update_minutes = 60);
    // The same for another CA: its `openssl ca` index (see index_line) and certificate.
    void configure(const std::filesystem::path& index, const std::filesystem::path& ca_cert,
                   const std::filesystem::path& signer_cert, const std::filesystem::path& signer_key,
                   int next_update_minutes = 60);
    void set_crl(const std::filesystem::path& crl);  // served at /ca.crl; empty: 404
    void set_mode(Mode mode) { mode_ = mode; }
    void set_delay(std::chrono::milliseconds delay) { delay_ms_ = delay.count(); }

    std::size_t ocsp_requests() const { return ocsp_requests_; }
    std::size_t ocsp_get_requests() const { return ocsp_get_requests_; }
    std::size_t crl_requests() const { return crl_requests_; }

private:
    HttpAnswer answer(const HttpExchange& exchange);
    std::string answer_ocsp(const std::string& request_der);

    std::filesystem::path work_;
    std::mutex mutex_;  // the configuration below
    std::filesystem::path index_, ca_, signer_cert_, signer_key_, crl_;
    int next_update_minutes_ = 60;
    std::atomic<Mode> mode_{Mode::good};
    std::atomic<long> delay_ms_{0};
    std::atomic<std::size_t> ocsp_requests_{0}, ocsp_get_requests_{0}, crl_requests_{0};
    std::size_t counter_ = 0;
    LoopbackHttpServer server_;  // last: it stops serving before the rest goes
};

// A line of an `openssl ca` index (index.txt) for the PEM certificate `cert`: valid, or
// revoked now with the CRLReason `revoked_reason` ("keyCompromise"). For CAs that `openssl ca`
// did not make, such as signetctl dev-init's, so that `openssl ocsp -index` can answer for them.
std::string index_line(const std::filesystem::path& cert, const std::string& revoked_reason = "");

}  // namespace signet::test
