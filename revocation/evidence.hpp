#pragma once
// The evidence that lets a validator check a chain later, without asking anyone: its
// certificates and the OCSP responses and CRLs that gave their statuses, as DER, each once.
// What a PAdES B-LT DSS holds for one signature or time-stamp (pdf/ltv/dss.hpp), gathered
// here for signet's own signatures (jobs) and for the ones `extend` validates.

#include <cstdint>
#include <span>
#include <vector>

#include <openssl/x509.h>

#include "base/error.hpp"
#include "revocation/status.hpp"

namespace signet::revocation {

using Der = std::vector<std::uint8_t>;

struct EvidenceSet {
    std::vector<Der> certificates;
    std::vector<Der> ocsp_responses;
    std::vector<Der> crls;
};

// Adds each certificate, once.
Status add_certificates(EvidenceSet& set, std::span<X509* const> certificates);

// Adds the OCSP response or the CRL of `status`, once. An OCSP response also brings the
// certificates it carries (a delegated responder's), which a validator needs to check its
// signature (NOTES-ltv.md, "What the validation data is").
Status add_status(EvidenceSet& set, const RevocationStatus& status);

}  // namespace signet::revocation
