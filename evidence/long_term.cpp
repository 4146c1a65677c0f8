#include "evidence/long_term.hpp"

#include <openssl/cms.h>

#include <optional>

#include "base/ssl_ptr.hpp"
#include "base/x509_encoding.hpp"
#include "pdf/ltv/dss.hpp"
#include "revocation/evidence.hpp"
#include "revocation/revocation_ptr.hpp"

namespace signet::evidence {
namespace {

// Adds the statuses of `key`'s chain, fresh where they can be, to `set`.
Status add_key_evidence(RevocationGate& gate, const daemon::ActiveKey& key, const std::string& name,
                        Timestamp gen_time, revocation::EvidenceSet& set, Freshness& freshness) {
    SIGNET_CHECK(revocation::add_certificates(set, gate.chain_of(key)));
    auto fresh = gate.for_evidence(key, gen_time);
    if (!fresh) {
        // The status checked before the key use is all there is (a responder down now): it
        // goes in, and the answer says so.
        freshness.after_timestamp = false;
        freshness.notes.push_back("no revocation status for " + name +
                                  " could be asked after the time-stamp: " + fresh.error().message);
        fresh = gate.before_use(key, name);
        if (!fresh) return std::unexpected(fresh.error());
    }
    if (!fresh->unknown.empty()) {
        freshness.after_timestamp = false;
        freshness.notes.push_back("the revocation status of " + name + " is unknown: " + fresh->unknown);
        return {};
    }
    for (const revocation::RevocationStatus& status : fresh->statuses) {
        SIGNET_CHECK(revocation::add_status(set, status));
        if (status.this_update < std::chrono::floor<std::chrono::seconds>(gen_time)) {
            freshness.after_timestamp = false;
            freshness.notes.push_back("the " + std::string(status.source_kind == revocation::SourceKind::ocsp
                                                               ? "OCSP response"
                                                               : "CRL") +
                                      " from " + status.source + " for " + name + " was issued at " +
                                      format_timestamp(status.this_update) +
                                      ", before the signature time-stamp: extend the document after the next one");
        }
    }
    return {};
}

// An external TSA's token: its certificates go in as they are; their statuses are asked for
// where the token carries the issuer too.
Status add_token_evidence(RevocationGate& gate, std::span<const std::uint8_t> token, Timestamp gen_time,
                          revocation::EvidenceSet& set, Freshness& freshness) {
    const unsigned char* cursor = token.data();
    CmsContentInfo content(d2i_CMS_ContentInfo(nullptr, &cursor, static_cast<long>(token.size())));
    if (!content) return fail(Errc::internal, "the signature time-stamp token no longer decodes");
    revocation::X509Stack certificates(CMS_get1_certs(content.get()));
    std::vector<X509*> all;
    for (int i = 0; i < sk_X509_num(certificates.get()); ++i) all.push_back(sk_X509_value(certificates.get(), i));
    SIGNET_CHECK(revocation::add_certificates(set, all));
    for (X509* certificate : all) {
        if (X509_check_issued(certificate, certificate) == X509_V_OK) continue;  // an anchor
        X509* issuer = nullptr;
        for (X509* candidate : all) {
            if (X509_check_issued(candidate, certificate) == X509_V_OK) issuer = candidate;
        }
        const std::string name = name_text(X509_get_subject_name(certificate));
        if (issuer == nullptr) {
            freshness.after_timestamp = false;
            freshness.notes.push_back("the time-stamp token does not carry the issuer of " + name +
                                      ": its status is not in the DSS");
            continue;
        }
        auto status = gate.checker().check(certificate, issuer, gen_time);
        if (!status) {
            freshness.after_timestamp = false;
            freshness.notes.push_back("no revocation status for the TSA certificate " + name + ": " +
                                      status.error().message);
            continue;
        }
        SIGNET_CHECK(revocation::add_status(set, *status));
    }
    return {};
}

}  // namespace

Result<std::vector<std::uint8_t>> add_validation_data(pdf::WorkerPool& workers, std::string_view tenant, RevocationGate& gate,
                                                      std::vector<std::uint8_t> document,
                                                      const MadeSignature& signature, Freshness& freshness) {
    revocation::EvidenceSet set;
    SIGNET_CHECK(add_key_evidence(gate, *signature.signer, "the signing key " + signature.signer->id_hex,
                                  signature.gen_time, set, freshness));
    if (signature.tsa_key != nullptr) {
        SIGNET_CHECK(add_key_evidence(gate, *signature.tsa_key, "the TSA key " + signature.tsa_key->id_hex,
                                      signature.gen_time, set, freshness));
    } else {
        SIGNET_CHECK(add_token_evidence(gate, signature.timestamp_token, signature.gen_time, set, freshness));
    }
    pdf::ValidationData data;
    data.vri_key = pdf::vri_key(signature.contents);
    data.certificates = std::move(set.certificates);
    data.ocsp_responses = std::move(set.ocsp_responses);
    data.crls = std::move(set.crls);
    data.time = std::chrono::system_clock::now();
    std::vector<std::uint8_t> update;
    SIGNET_TRY(update, workers.add_dss(tenant, document, std::span<const pdf::ValidationData>(&data, 1)));
    document.insert(document.end(), update.begin(), update.end());
    return document;
}

Result<std::vector<std::uint8_t>> add_document_timestamp(pdf::WorkerPool& workers, std::string_view tenant,
                                                         std::vector<std::uint8_t> document,
                                                         std::size_t token_bytes, const DocumentStamp& stamp) {
    pdf::PrepareRequest request;
    request.document_timestamp = true;
    request.contents_size = token_bytes;
    pdf::PreparedDocument prepared;
    SIGNET_TRY(prepared, workers.prepare(tenant, document, request));
    const auto digest = prepared.digest;  // `finish` moves `prepared`
    std::optional<std::vector<std::uint8_t>> finished;
    const FinishDocument finish = [&](std::span<const std::uint8_t> token) -> Result<std::span<const std::uint8_t>> {
        if (!finished) {
            std::vector<std::uint8_t> file;
            SIGNET_TRY(file, pdf::signed_file(std::move(document), std::move(prepared), token));
            finished = std::move(file);
        }
        return std::span<const std::uint8_t>(*finished);
    };
    std::vector<std::uint8_t> token;
    SIGNET_TRY(token, stamp(digest, finish));
    if (auto made = finish(token); !made) return std::unexpected(made.error());
    return std::move(*finished);
}

}  // namespace signet::evidence
