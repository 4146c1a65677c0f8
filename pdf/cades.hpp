#pragma once
// The CMS SignedData of a PAdES baseline B-B signature (ETSI EN 319 142-1 §6.3, ETSI EN 319
// 122-1): detached, SHA-256, one SignerInfo whose signed attributes are exactly content-type,
// message-digest and signing-certificate-v2 (no signing-time: the time is the PDF's /M), and
// the signer's certificate and chain; for B-T, the signature time-stamp as its one unsigned
// attribute. The signature value and the token come from callbacks, so the keys can live in an
// HSM that this module never sees.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "base/error.hpp"
#include "cms/signed_data.hpp"

namespace signet::pdf {

// Returns an RFC 3161 TimeStampToken (DER ContentInfo) over the given signature value, the
// contents of the SignerInfo's signature OCTET STRING (ETSI EN 319 122-1 §5.3).
using TimestampCallback =
    std::function<Result<std::vector<std::uint8_t>>(std::span<const std::uint8_t> signature_value)>;

// Builds the DER CMS for a document whose ByteRange SHA-256 is `digest`. With `timestamp`, the
// signature is B-T: the token it returns becomes the SignerInfo's unsigned attribute
// id-aa-signatureTimeStampToken; the signed attributes do not change.
Result<std::vector<std::uint8_t>> build_cades_signature(std::span<const std::uint8_t, 32> digest,
                                                        const cms::Signer& signer,
                                                        const cms::SignCallback& sign,
                                                        const TimestampCallback& timestamp = {});

// The placeholder size to reserve for build_cades_signature's output with this signer and no
// time-stamp: the encoded certificates, the key's largest signature, the fixed structure and a
// margin.
std::size_t signature_size_bound(const cms::Signer& signer);

// What a signature time-stamp token of at most `token_size` bytes adds to that bound: the token
// and its attribute's header.
std::size_t timestamp_attribute_bound(std::size_t token_size);

}  // namespace signet::pdf
