#pragma once
// What a revocation check found for one certificate, and the evidence it found it in: the whole
// OCSPResponse or the CRL as DER, because a PAdES B-LT update embeds exactly these bytes in the
// document's /DSS (ETSI EN 319 142-1 §5.4, ISO 32000-2 §12.8.4.3).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/time.hpp"

namespace signet::revocation {

enum class CertStatus { good, revoked, unknown };

enum class SourceKind { ocsp, crl_url, crl_file };

constexpr const char* to_string(CertStatus status) {
    switch (status) {
        case CertStatus::good:
            return "good";
        case CertStatus::revoked:
            return "revoked";
        case CertStatus::unknown:
            return "unknown";
    }
    return "unknown";
}

struct RevocationStatus {
    CertStatus status = CertStatus::unknown;
    std::optional<Timestamp> revocation_time;  // revoked only
    int reason = -1;  // RFC 5280 §5.3.1 CRLReason when revoked and given, else -1
    SourceKind source_kind = SourceKind::ocsp;
    std::string source;  // the URL (redacted) or the file it came from
    Timestamp this_update{};
    Timestamp next_update{};  // until when the evidence may be used (see ocsp.hpp without one)
    std::vector<std::uint8_t> evidence_der;  // the OCSPResponse or the CRL, DER
};

// "keyCompromise", ... for an RFC 5280 CRLReason; "unspecified" for -1.
const char* reason_text(int reason);

}  // namespace signet::revocation
