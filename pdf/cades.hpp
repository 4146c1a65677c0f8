#pragma once
// The CMS SignedData of a PAdES baseline B-B signature (ETSI EN 319 142-1 §6.3, ETSI EN 319
// 122-1): detached, SHA-256, one SignerInfo whose signed attributes are exactly content-type,
// message-digest and signing-certificate-v2 (no signing-time: the time is the PDF's /M), and
// the signer's certificate and chain. The signature value comes from a callback, so the key can
// live in an HSM that this module never sees.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include <openssl/x509.h>

#include "base/error.hpp"

namespace signet::pdf {

struct X509Deleter {
    void operator()(X509* cert) const { X509_free(cert); }
};
using Certificate = std::unique_ptr<X509, X509Deleter>;

// Signs the DER encoding of the signed attributes (a SET OF Attribute, RFC 5652 §5.4) and
// returns the signature value as CMS expects it (PKCS#1 v1.5 for RSA, DER ECDSA-Sig-Value).
using SignCallback =
    std::function<Result<std::vector<std::uint8_t>>(std::span<const std::uint8_t> to_be_signed)>;

struct Signer {
    X509* certificate = nullptr;     // not owned
    std::vector<X509*> chain;        // not owned; issuer first, without the signer
};

// Builds the DER CMS for a document whose ByteRange SHA-256 is `digest`.
Result<std::vector<std::uint8_t>> build_cades_signature(std::span<const std::uint8_t, 32> digest,
                                                        const Signer& signer,
                                                        const SignCallback& sign);

// The placeholder size to reserve for build_cades_signature's output with this signer: the
// encoded certificates, the key's largest signature, the fixed structure and a margin.
std::size_t signature_size_bound(const Signer& signer);

// Loads PEM certificates (one or many) from memory or a file.
Result<std::vector<Certificate>> load_pem_certificates(std::span<const std::uint8_t> pem);

}  // namespace signet::pdf
