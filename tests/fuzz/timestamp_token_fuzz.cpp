// An external TSA's answer (timestamp/verify.hpp, check_response) as timestamp/tsa_client.cpp
// checks it: for a SHA-256 imprint and a nonce signet sent, the TSA to chain to make_pki.sh's
// CA, genTime within the TSA certificate's validity; run.sh's seeds are that TSA's answers to
// that request. Then read_token (timestamp/token_info.hpp) on the same bytes, as validation/
// reads the time-stamp tokens found in a PDF.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "tests/fuzz/fuzz_support.hpp"
#include "timestamp/token_info.hpp"
#include "timestamp/verify.hpp"

#include <openssl/obj_mac.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace signet::timestamp;
    static const Expectation expected = [] {
        Expectation expectation;
        expectation.hash_nid = NID_sha256;
        expectation.imprint = signet::fuzz::expected_imprint();
        expectation.nonce = signet::fuzz::expected_nonce;
        expectation.trust = signet::fuzz::pki() / "ca.pem";
        expectation.not_before = std::chrono::system_clock::now() - std::chrono::hours(24 * 365);
        expectation.not_after = std::chrono::system_clock::now() + std::chrono::hours(24 * 365);
        return expectation;
    }();
    const std::span<const std::uint8_t> bytes(data, size);
    (void)check_response(bytes, expected);
    (void)read_token(bytes);
    return 0;
}
