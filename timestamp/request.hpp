#pragma once
// RFC 3161 TimeStampReq: read one that a client sent (POST /v1/timestamp), and make one for an
// external TSA. Parsing and encoding are OpenSSL's (TS_REQ); what is decided here is which
// requests signet answers with a token, which with a rejection (a TimeStampResp, RFC 3161
// §2.4.2), and which are not requests at all (400).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/error.hpp"

namespace signet::timestamp {

// The message imprint's hash algorithm: SHA-256, SHA-384 or SHA-512 (OpenSSL NIDs).
bool supported_hash(int nid);

struct Request {
    int hash_nid = 0;                               // NID_sha256, NID_sha384 or NID_sha512
    std::vector<std::uint8_t> imprint;              // of the hash's length
    std::optional<std::string> policy_oid;          // reqPolicy, dotted
    std::optional<std::vector<std::uint8_t>> nonce; // the INTEGER's DER, echoed as it came
    bool cert_req = false;
};

// PKIFailureInfo (RFC 3161 §2.4.2): the reasons signet rejects a well-formed request with.
enum class FailureInfo { bad_alg, bad_request, bad_data_format, time_not_available, unaccepted_policy,
                         unaccepted_extension, system_failure };

struct Rejection {
    FailureInfo failure = FailureInfo::bad_request;
    std::string text;  // the TimeStampResp's statusString, for a person
};

// Reads a DER TimeStampReq. bad_request (400) when `der` is not one (trailing bytes
// included); a Rejection when it is one signet does not serve: an unsupported hash (badAlg), an
// imprint of the wrong length (badDataFormat), a reqPolicy other than `accepted_policy`
// (unacceptedPolicy), any extension (unacceptedExtension), a version other than 1 (badRequest).
Result<std::variant<Request, Rejection>> parse_request(std::span<const std::uint8_t> der,
                                                       std::string_view accepted_policy);

// A DER TimeStampReq for an external TSA: certReq true, no policy, `nonce` (the INTEGER's DER,
// a positive 64-bit or larger random number) when given.
Result<std::vector<std::uint8_t>> make_request(int hash_nid, std::span<const std::uint8_t> imprint,
                                               const std::optional<std::vector<std::uint8_t>>& nonce);

// A fresh positive random nonce (64 bits, RFC 3161 §2.4.1's "large random number"), as DER.
Result<std::vector<std::uint8_t>> random_nonce();

}  // namespace signet::timestamp
