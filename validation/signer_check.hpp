#pragma once
// The checks of one CMS SignedData that a PAdES signature and an RFC 3161 token share (RFC 5652
// §5): exactly one SignerInfo, its certificate among those the CMS carries, the algorithm
// policy on its digest and signature algorithms, the ESS signing-certificate attribute
// (RFC 5035 §4) that binds the certificate, and the signature itself verified by OpenSSL's
// CMS_verify. The chain is not judged here (chain_check.hpp). Refusals are
// Errc::invalid_certificate or invalid_document sentences.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <openssl/cms.h>
#include <openssl/x509.h>

#include "base/error.hpp"
#include "base/ssl_ptr.hpp"
#include "revocation/revocation_ptr.hpp"
#include "validation/signed_bytes.hpp"

namespace signet::validation {

struct SignerView {
    CMS_SignerInfo* signer_info = nullptr;  // owned by the CMS
    X509* certificate = nullptr;            // owned by `certificates`
    revocation::X509Stack certificates;     // every certificate the CMS carries
};

// The one SignerInfo of `cms` and its certificate. `what` names the CMS in refusals.
Result<SignerView> signer_of(CMS_ContentInfo* cms, const std::string& what);

// The algorithm policy (revocation/algorithm_policy.hpp) on the SignerInfo's digest algorithm
// and signature algorithm, judged with the signer's key.
Status check_signer_algorithms(const SignerView& signer, const std::string& what);

// The signing-certificate(-v2) attribute names the signer's certificate. `required`: its
// absence is refused too (CAdES, ETSI EN 319 122-1 §5.2.2; RFC 3161 §2.4.1 for tokens).
Status check_signing_certificate(const SignerView& signer, bool required, const std::string& what);

// The message-digest signed attribute, empty when the SignerInfo has no signed attributes.
Result<std::vector<std::uint8_t>> signed_message_digest(const SignerView& signer);
// The SignerInfo's digest algorithm, for hashing what it signed.
Result<const EVP_MD*> signer_digest(const SignerView& signer, const std::string& what);

// CMS_verify without the certificate check (the chain is checked at the proven time, not
// now): over `detached` when given, else over the encapsulated content, which is returned.
Result<std::vector<std::uint8_t>> verify_signed_data(CMS_ContentInfo* cms, const Pieces* detached,
                                                     const std::string& what);

}  // namespace signet::validation
