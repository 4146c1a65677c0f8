// validation_data(): what the verdicts proved, as the DSS update of PAdES B-LT stores it (ETSI
// EN 319 142-1 §5.4.2; ISO 32000-2 §12.8.4.3).

#include <algorithm>

#include "revocation/evidence.hpp"
#include "validation/validation.hpp"

namespace signet::validation {

std::vector<pdf::ValidationData> validation_data(std::span<const Verdict> verdicts,
                                                 std::span<const pdf::SignatureField> fields, Timestamp now) {
    std::vector<pdf::ValidationData> data;
    for (const Verdict& verdict : verdicts) {
        if (!verdict.valid) continue;
        const auto field = std::find_if(fields.begin(), fields.end(),
                                        [&](const pdf::SignatureField& candidate) { return candidate.name == verdict.field; });
        if (field == fields.end()) continue;
        // Evidence that no longer encodes is left out rather than failing the rest: the
        // verdicts were made from these very objects.
        revocation::EvidenceSet set;
        std::vector<X509*> certificates;
        for (const X509Ptr& certificate : verdict.chain) certificates.push_back(certificate.get());
        for (const X509Ptr& certificate : verdict.timestamp_chain) certificates.push_back(certificate.get());
        (void)revocation::add_certificates(set, certificates);
        for (const revocation::RevocationStatus& status : verdict.statuses) (void)revocation::add_status(set, status);
        pdf::ValidationData item;
        item.vri_key = pdf::vri_key(field->contents);
        item.time = std::chrono::system_clock::time_point(now.time_since_epoch());
        item.certificates = std::move(set.certificates);
        item.ocsp_responses = std::move(set.ocsp_responses);
        item.crls = std::move(set.crls);
        data.push_back(std::move(item));
    }
    return data;
}

}  // namespace signet::validation
