#pragma once
// What the fuzz targets share: the input as text, and the throw-away PKI of make_pki.sh (from
// $SIGNET_FUZZ_PKI as run.sh sets it, or made once in a temporary folder when a target runs
// on its own). Nothing here checks a result: a target only feeds bytes to signet's reader,
// and libFuzzer with ASan and UBSan reports crashes, leaks and undefined behaviour.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "base/ssl_ptr.hpp"

namespace signet::fuzz {

inline std::string text_of(const std::uint8_t* data, std::size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

// The folder of the PKI: ca.pem, seal.pem, tsa.pem, ocsp.pem and their keys.
const std::filesystem::path& pki();
std::string read_file(const std::filesystem::path& file);
// The first certificate of a PEM file; aborts when there is none (a broken set-up, not a find).
X509Ptr read_certificate(const std::filesystem::path& file);

// make_pki.sh's seal certificate and its CA, read once: what a revocation answer is about.
struct SealAndIssuer {
    X509Ptr seal;
    X509Ptr issuer;
};
const SealAndIssuer& seal_and_issuer();
// Now, in whole seconds, as signet's checks of a validity period take it.
std::chrono::sys_seconds now_seconds();

// What make_pki.sh's time-stamp requests ask for: SHA-256("signet fuzz") and this nonce.
std::vector<std::uint8_t> expected_imprint();
inline const std::vector<std::uint8_t> expected_nonce = {0x02, 0x08, 0x01, 0x23, 0x45,
                                                         0x67, 0x89, 0xab, 0xcd, 0xef};

}  // namespace signet::fuzz
