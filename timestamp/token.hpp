#pragma once
// signetd's own time-stamp tokens (RFC 3161 §2.4.2, RFC 5816): a TSTInfo encapsulated in a CMS
// SignedData whose SignerInfo carries content-type (id-ct-TSTInfo), message-digest and
// signing-certificate-v2 naming the TSA certificate, signed through a callback by the TSA key
// in the HSM (cms/signed_data.hpp). The TimeStampResp around it, granted or rejected.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "cms/signed_data.hpp"
#include "timestamp/request.hpp"
#include "timestamp/token_info.hpp"

namespace signet::timestamp {

struct TokenFields {
    std::string policy_oid;                          // dotted; required
    std::vector<std::uint8_t> serial;                // big-endian magnitude, positive, 1..20 bytes
    std::chrono::system_clock::time_point gen_time;  // encoded to the second, UTC
    std::chrono::seconds accuracy{1};                // 0: no accuracy field
    int hash_nid = 0;
    std::vector<std::uint8_t> imprint;
    std::optional<std::vector<std::uint8_t>> nonce;  // the request's INTEGER DER, echoed
    bool include_certificates = true;                // certReq: the TSA certificate and chain
};

// The token (DER ContentInfo) for `fields`, signed by `tsa` through `sign` (SHA-256 over the
// signed attributes, as for CAdES). ordering is false and no tsa name is set.
Result<std::vector<std::uint8_t>> issue_token(const TokenFields& fields, const cms::Signer& tsa,
                                              const cms::SignCallback& sign);

// What read_token would say of the token issue_token makes of `fields` for `tsa`, without
// parsing it again: the fields are the issuer's own.
TokenInfo issued_info(const TokenFields& fields, X509* tsa);

// The most bytes issue_token can return for `tsa` with certificates included, a 20-byte serial
// and nonce, a SHA-512 imprint and a policy OID of up to 64 bytes: what a PDF placeholder
// reserves for a signature time-stamp of the internal TSA.
std::size_t token_size_bound(const cms::Signer& tsa);

// TimeStampResp DER: status granted with `token`, or status rejection with the failure info.
Result<std::vector<std::uint8_t>> granted_response(std::span<const std::uint8_t> token);
Result<std::vector<std::uint8_t>> rejection_response(const Rejection& rejection);

}  // namespace signet::timestamp
