#pragma once
// An RFC 3161 time-stamp token found in a document: a signature time-stamp (the unsigned
// attribute id-aa-signatureTimeStampToken, over the SignerInfo's signature value, ETSI EN 319
// 122-1 §5.3) or a document time-stamp (/SubFilter /ETSI.RFC3161, over the ByteRange, ISO
// 32000-2 §12.8.5). Checked like a signature at its own genTime: the imprint over `covered`
// with the token's hash (SHA-256/384/512), the CMS signature, the TSA certificate's critical
// timeStamping extendedKeyUsage (RFC 3161 §2.3), its chain to the anchors, the algorithm
// policy, the revocation status of the TSA chain.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "base/error.hpp"
#include "base/ssl_ptr.hpp"
#include "base/time.hpp"
#include "validation/chain_check.hpp"
#include "validation/signed_bytes.hpp"

namespace signet::validation {

struct CheckedToken {
    Timestamp gen_time{};  // to the second, rounded down
    std::vector<X509Ptr> chain;
    Revocations revocation;
};

// `stored` is the token as found: its DER, possibly followed by the zero padding of a
// placeholder. `what` names it in refusals ("the signature time-stamp").
Result<CheckedToken> check_token(std::span<const std::uint8_t> stored, const Pieces& covered, X509_STORE* anchors,
                                 const Options& options, const std::string& what);

}  // namespace signet::validation
