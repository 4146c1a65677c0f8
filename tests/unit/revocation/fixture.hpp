#pragma once
// The revocation tests' world: a fresh PKI (ocsp_responder.hpp) whose AIA and CDP point at a
// loopback responder in the port range the tests may use, 19400-19499.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <openssl/pem.h>

#include "base/ssl_ptr.hpp"
#include "base/time.hpp"
#include "revocation/status.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/responders/ocsp_responder.hpp"

namespace signet::revocation {

// For Boost.Test's messages.
inline std::ostream& operator<<(std::ostream& out, CertStatus status) {
    return out << to_string(status);
}

}  // namespace signet::revocation

namespace signet::test {

inline constexpr std::uint16_t first_port = 19400;
inline constexpr std::uint16_t last_port = 19499;

inline X509Ptr load_cert(const std::filesystem::path& path) {
    const std::string pem = read_file(path);
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) throw std::runtime_error("cannot read " + path.string());
    return cert;
}

inline std::vector<std::uint8_t> bytes_of(const std::string& text) {
    return {text.begin(), text.end()};
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

inline Timestamp real_now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

struct RevocationWorld {
    TempDir dir{"signet-revocation"};
    OcspResponder responder{dir.path(), first_port, last_port};
    TestPki pki{dir / "pki", responder.port()};
    X509Ptr ca = load_cert(pki.ca_cert);
    X509Ptr leaf = load_cert(pki.leaf);
    X509Ptr leaf2 = load_cert(pki.leaf2);
    X509Ptr leaf_cdp = load_cert(pki.leaf_cdp);
    X509Ptr leaf_none = load_cert(pki.leaf_none);

    RevocationWorld() { responder.configure(pki, pki.responder_cert, pki.responder_key); }
};

}  // namespace signet::test
