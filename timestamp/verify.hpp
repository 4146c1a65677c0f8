#pragma once
// The checks an external TSA's answer passes before its token goes into a signature (DESIGN.md,
// "Time-stamping"): the response is granted and holds a token; the token answers this request
// (imprint, nonce); its signature verifies with the TSA certificate it carries; that
// certificate has the critical extendedKeyUsage timeStamping and nothing else, and chains to
// `trust`; genTime lies inside [not_before, not_after] (the signer certificate's validity).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <vector>

#include <openssl/x509.h>

#include "base/error.hpp"
#include "timestamp/token_info.hpp"

namespace signet::timestamp {

struct Expectation {
    int hash_nid = 0;
    std::vector<std::uint8_t> imprint;
    std::optional<std::vector<std::uint8_t>> nonce;  // DER INTEGER; the token must echo it
    std::filesystem::path trust;                     // PEM CA certificates the TSA must chain to
    std::chrono::system_clock::time_point not_before;
    std::chrono::system_clock::time_point not_after;
};

struct CheckedToken {
    std::vector<std::uint8_t> token;  // DER ContentInfo, as the TSA made it
    TokenInfo info;
};

// The token of the TimeStampResp `response` once every check passed; invalid_certificate
// (for a token that fails a check) or bad_request (for a response that is not one, or not
// granted) with a sentence naming the check otherwise. The caller names the TSA.
Result<CheckedToken> check_response(std::span<const std::uint8_t> response, const Expectation& expected);

// invalid_certificate unless `certificate` has extendedKeyUsage timeStamping only, marked
// critical (RFC 3161 §2.3): shared with the import check of signet's own TSA certificates.
Status check_tsa_certificate_usage(X509* certificate);

}  // namespace signet::timestamp
