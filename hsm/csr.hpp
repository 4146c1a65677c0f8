#pragma once
// A PKCS#10 certification request (RFC 2986) for a key pair in the token, signed inside the
// token by that key: the only use a pending key may make. The request's signature is made over
// the DER CertificationRequestInfo with the same mechanisms as every other signature
// (Token::sign), so RSA keys give sha256WithRSAEncryption and EC keys ecdsa-with-SHA256.

#include <string>

#include "hsm/token.hpp"

namespace signet::hsm {

struct CsrSubject {
    std::string common_name;
    std::string organization;  // may be empty
};

// The request in PEM. `public_key` is the key pair's public half (from generate_key_pair).
Result<std::string> make_csr(Token& token, const KeyId& id, EVP_PKEY* public_key, const CsrSubject& subject);

}  // namespace signet::hsm
