#pragma once
// CMS SignedData (RFC 5652) whose signature value is made outside OpenSSL: by an HSM behind a
// callback. What a PAdES signature (pdf/cades.hpp) and an RFC 3161 time-stamp token
// (timestamp/token.hpp) share: the signer's certificate and chain, the signing of one
// SignerInfo's signed attributes through the callback with the result checked against the
// certificate, and the bound on what the signer adds to the encoding.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include <openssl/cms.h>
#include <openssl/x509.h>

#include "base/error.hpp"
#include "base/ssl_ptr.hpp"

namespace signet::cms {

using Certificate = X509Ptr;

// Signs the DER encoding of the signed attributes (a SET OF Attribute, RFC 5652 §5.4) and
// returns the signature value as CMS expects it (PKCS#1 v1.5 for RSA, DER ECDSA-Sig-Value),
// over SHA-256.
using SignCallback =
    std::function<Result<std::vector<std::uint8_t>>(std::span<const std::uint8_t> to_be_signed)>;

struct Signer {
    X509* certificate = nullptr;  // not owned
    std::vector<X509*> chain;     // not owned; issuer first, without the signer
};

// invalid_certificate unless the key is RSA (PKCS#1 v1.5) or EC (ECDSA): the keys signet
// signs with, and so the algorithm identifiers OpenSSL writes.
Status check_key_type(EVP_PKEY* key);

// A SignerInfo for `signer` in `cms` (a SignedData), over SHA-256, with signing-certificate-v2
// (CMS_CADES) and without signing-time; the caller adds content-type and message-digest.
// `extra_flags` are further CMS_add1_signer flags (CMS_NOCERTS: a time-stamp token for a
// request without certReq, RFC 3161 §2.4.1).
Result<CMS_SignerInfo*> add_signer(CMS_ContentInfo* cms, const Signer& signer,
                                   unsigned extra_flags = 0);

// Encodes the SignerInfo's signed attributes, has `sign` sign them, checks the signature with
// the certificate's public key and sets it as the SignerInfo's signature value.
Status sign_signer_info(CMS_SignerInfo* signer_info, X509* certificate, const SignCallback& sign);

// The chain's certificates in `cms`, each once (the signer's own is there already).
Status add_chain(CMS_ContentInfo* cms, const Signer& signer);

Result<std::vector<std::uint8_t>> encode(CMS_ContentInfo* cms);

// What `signer` adds to a SignedData at most: every certificate in full, its issuer name and
// serial number twice (the SignerInfo's IssuerAndSerialNumber, RFC 5652 §5.3, and the
// ESSCertIDv2's IssuerSerial, RFC 5035 §4), the signature value at its largest.
std::size_t signer_size_bound(const Signer& signer);

// Loads PEM certificates (one or many) from memory.
Result<std::vector<Certificate>> load_pem_certificates(std::span<const std::uint8_t> pem);

}  // namespace signet::cms
