#pragma once
// What a signing key's certificate must satisfy (issue 5): at import, that it certifies the
// key, is valid now, chains to a configured signing trust anchor and has a key usage fit for
// the key's purpose; before every signature, that it is still valid, far enough from its end.
// Time always comes from the caller (the daemon's clock), so tests move it instead of waiting.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "pdf/cades.hpp"
#include "base/error.hpp"
#include "policy/key_state.hpp"
#include "base/time.hpp"

namespace signet::daemon {

// A certificate's validity and, when it has the extension, its private key usage period
// (RFC 5280 §4.2.1.4 of RFC 3280, kept by qualified certificate profiles).
struct Validity {
    signet::Timestamp not_before;
    signet::Timestamp not_after;
    std::optional<signet::Timestamp> key_not_before;
    std::optional<signet::Timestamp> key_not_after;

    // The last second the key may sign: the earlier of the two ends.
    signet::Timestamp usable_until() const;
};

Result<Validity> validity_of(const X509* certificate);

// The guard before every signature: unavailable (503), naming `what` ("the seal key 0a1b…"),
// unless `now` is inside the validity (and the key usage period) with at least `min_remaining`
// left.
Status check_usable(const Validity& validity, signet::Timestamp now, std::chrono::seconds min_remaining,
                    const std::string& what);

// A certificate and its chain (issuer first) read from the API's PEM texts; invalid_certificate
// when a text is not exactly one PEM certificate.
struct CertificateSubmission {
    cms::Certificate certificate;
    std::vector<cms::Certificate> chain;
};
Result<CertificateSubmission> read_submission(const std::string& certificate_pem,
                                              const std::vector<std::string>& chain_pems);

// invalid_certificate (422) with the precise reason unless `submission` certifies `key`, is
// valid at `now`, chains to one of the PEM certificates in `trust_anchors` through its chain,
// and has the key usage `purpose` needs: nonRepudiation (contentCommitment) for seal and
// personal keys, digitalSignature or nonRepudiation for the audit key, for the TSA key one
// of those with the critical extendedKeyUsage timeStamping alone (RFC 3161 §2.3), and for the
// guest CA a CA certificate with pathLenConstraint 0 and keyCertSign.
Status check_for_key(const CertificateSubmission& submission, EVP_PKEY* key, policy::KeyPurpose purpose,
                     const std::filesystem::path& trust_anchors, signet::Timestamp now);

// The certificates of the PEM file `trust_anchors` ([keys] signing_trust_anchors); none when
// the path is empty. invalid_config when the file cannot be read or holds no certificate.
Result<std::vector<cms::Certificate>> read_trust_anchors(const std::filesystem::path& trust_anchors);

}  // namespace signet::daemon
