#include "revocation/evidence.hpp"

#include <algorithm>

#include "base/x509_encoding.hpp"
#include "revocation/revocation_ptr.hpp"

namespace signet::revocation {
namespace {

void add_once(std::vector<Der>& list, Der der) {
    if (std::find(list.begin(), list.end(), der) == list.end()) list.push_back(std::move(der));
}

// The certificates an OCSP response carries (RFC 6960 §4.2.1, `certs`).
Result<std::vector<Der>> responder_certificates(const Der& response_der) {
    const unsigned char* cursor = response_der.data();
    OcspResponse response(d2i_OCSP_RESPONSE(nullptr, &cursor, static_cast<long>(response_der.size())));
    if (!response) return fail(Errc::internal, "a stored OCSP response no longer decodes");
    OcspBasicResp basic(OCSP_response_get1_basic(response.get()));
    if (!basic) return fail(Errc::internal, "a stored OCSP response has no basic response");
    std::vector<Der> certificates;
    const STACK_OF(X509)* certs = OCSP_resp_get0_certs(basic.get());
    for (int i = 0; i < sk_X509_num(certs); ++i) {
        std::vector<unsigned char> der;
        SIGNET_TRY(der, to_der(sk_X509_value(certs, i)));
        certificates.emplace_back(der.begin(), der.end());
    }
    return certificates;
}

}  // namespace

Status add_certificates(EvidenceSet& set, std::span<X509* const> certificates) {
    for (X509* certificate : certificates) {
        std::vector<unsigned char> der;
        SIGNET_TRY(der, to_der(certificate));
        add_once(set.certificates, Der(der.begin(), der.end()));
    }
    return {};
}

Status add_status(EvidenceSet& set, const RevocationStatus& status) {
    if (status.evidence_der.empty()) return {};
    if (status.source_kind != SourceKind::ocsp) {
        add_once(set.crls, status.evidence_der);
        return {};
    }
    std::vector<Der> responders;
    SIGNET_TRY(responders, responder_certificates(status.evidence_der));
    for (auto& certificate : responders) add_once(set.certificates, std::move(certificate));
    add_once(set.ocsp_responses, status.evidence_der);
    return {};
}

}  // namespace signet::revocation
