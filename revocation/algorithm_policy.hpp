#pragma once
// Which signatures signet accepts as evidence (certificates, CRLs, OCSP responses, time-stamp
// tokens): no MD2/MD4/MD5 or SHA-1 hash (SHA-1 collisions are practical, SHAttered 2017; ETSI
// TS 119 312 withdraws it for signatures), no RSA key under 2048 bits and no EC key under 256
// bits (TS 119 312 §6, SOG-IS). RSASSA-PSS is judged by the hash in its parameters, which is
// SHA-1 when absent (RFC 4055 §3.1).

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "base/error.hpp"

namespace signet::revocation {

// OK, or invalid_certificate with the reason ("signature hash SHA-1 is refused", "RSA key of
// 1024 bits is refused (minimum 2048)"). `key` (the signer's) may be null: then only the
// algorithm is judged.
Status acceptable_signature(const X509_ALGOR* algorithm, const EVP_PKEY* key);

// The same for a certificate's own signature, judged with its issuer's key (null: unknown).
Status acceptable_certificate_signature(const X509* cert, const EVP_PKEY* issuer_key);

// The key alone: RSA ≥ 2048 bits, EC ≥ 256 bits.
Status acceptable_key(const EVP_PKEY* key);

}  // namespace signet::revocation
