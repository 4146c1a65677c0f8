#include "validation/validation.hpp"

#include <algorithm>
#include <optional>
#include <string_view>

#include <openssl/cms.h>

#include "validation/chain_check.hpp"
#include "validation/signed_bytes.hpp"
#include "validation/signer_check.hpp"
#include "validation/token_check.hpp"

namespace signet::validation {
namespace {

constexpr std::string_view cades_detached = "ETSI.CAdES.detached";
constexpr std::string_view pkcs7_detached = "adbe.pkcs7.detached";
constexpr std::string_view rfc3161 = "ETSI.RFC3161";

struct Context {
    std::span<const std::uint8_t> document;
    const Options& options;
    X509_STORE* anchors = nullptr;
};

// A failure of the call rather than of one signature: a status that "require" mode needs and
// cannot get, or OpenSSL failing. Everything else is a reason in the verdict.
bool ends_the_call(const Error& error) { return error.code == Errc::unavailable || error.code == Errc::internal; }

// Where the revision a field signs ends: a later revision's time-stamp covers it when its own
// ByteRange ends further on.
std::uint64_t end_of(const pdf::SignatureField& field) {
    return static_cast<std::uint64_t>(field.byte_range[2]) + static_cast<std::uint64_t>(field.byte_range[3]);
}

bool has_key(const std::vector<std::string>& keys, const std::string& key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string unknown_sub_filter(const pdf::SignatureField& field) {
    return "the /SubFilter " + shown(field.sub_filter, "(unreadable)") + " is not one signet validates (" +
           std::string(cades_detached) + ", " + std::string(pkcs7_detached) + ", " + std::string(rfc3161) + ")";
}

std::string joined(const std::string& first, const std::string& second) {
    if (first.empty()) return second;
    return second.empty() ? first : first + "; " + second;
}

Status check_document_timestamp(const Context& context, const pdf::SignatureField& field, Verdict& verdict) {
    Pieces covered;
    SIGNET_TRY(covered, signed_pieces(context.document, field));
    CheckedToken token;
    SIGNET_TRY(token, check_token(field.contents, covered, context.anchors, context.options, "the document time-stamp"));
    verdict.proven_time = token.gen_time;
    verdict.chain = std::move(token.chain);
    verdict.statuses = std::move(token.revocation.statuses);
    verdict.note = token.revocation.note;
    return {};
}

// The signature time-stamp (ETSI EN 319 122-1 §5.3), when the SignerInfo has one: its token is
// over the SignerInfo's signature value. Its genTime becomes the proven time.
Result<std::optional<CheckedToken>> signature_timestamp(const Context& context, const SignerView& signer) {
    // The first one: EN 319 122-1 allows several, and signet (like most producers) adds one.
    const int position = CMS_unsigned_get_attr_by_NID(signer.signer_info, NID_id_smime_aa_timeStampToken, -1);
    if (position < 0) return std::optional<CheckedToken>();
    X509_ATTRIBUTE* attribute = CMS_unsigned_get_attr(signer.signer_info, position);
    const ASN1_TYPE* value = attribute == nullptr ? nullptr : X509_ATTRIBUTE_get0_type(attribute, 0);
    if (value == nullptr || ASN1_TYPE_get(value) != V_ASN1_SEQUENCE) {
        return fail(Errc::invalid_document, "the signature time-stamp attribute does not hold a token");
    }
    const ASN1_STRING* token = value->value.sequence;
    const ASN1_OCTET_STRING* signature_value = CMS_SignerInfo_get0_signature(signer.signer_info);
    const Pieces covered{std::span<const std::uint8_t>(ASN1_STRING_get0_data(signature_value),
                                                       static_cast<std::size_t>(ASN1_STRING_length(signature_value))),
                         {}};
    CheckedToken checked;
    SIGNET_TRY(checked, check_token(std::span<const std::uint8_t>(ASN1_STRING_get0_data(token),
                                                                  static_cast<std::size_t>(ASN1_STRING_length(token))),
                                    covered, context.anchors, context.options, "the signature time-stamp"));
    return std::optional<CheckedToken>(std::move(checked));
}

// A PAdES signature (ETSI EN 319 142-1 §6.3) or a PKCS#7 detached one (ISO 32000-1 §12.8.3.3):
// the CMS over the ByteRange, then its chain at the proven time. `covered_since` is the
// genTime of the earliest valid document time-stamp over it.
Status check_signature(const Context& context, const pdf::SignatureField& field, std::optional<Timestamp> covered_since,
                       Verdict& verdict, bool& timestamped) {
    const std::string what = "the signature";
    // What proves its time so far; a signature time-stamp, once checked, proves better.
    verdict.proven_time = covered_since.value_or(context.options.clock->now());
    Pieces signed_bytes;
    SIGNET_TRY(signed_bytes, signed_pieces(context.document, field));
    StoredCms stored;
    SIGNET_TRY(stored, stored_cms(field.contents, what));
    if (CMS_is_detached(stored.cms.get()) != 1) {
        return fail(Errc::invalid_document, "the signature's CMS encapsulates content: a PDF signature is detached");
    }
    SignerView signer;
    SIGNET_TRY(signer, signer_of(stored.cms.get(), what));
    SIGNET_CHECK(check_signer_algorithms(signer, what));
    const EVP_MD* md = nullptr;
    SIGNET_TRY(md, signer_digest(signer, what));
    std::vector<std::uint8_t> signed_digest;
    SIGNET_TRY(signed_digest, signed_message_digest(signer));
    if (!signed_digest.empty()) {
        std::vector<std::uint8_t> actual;
        SIGNET_TRY(actual, digest_of(signed_bytes, md));
        if (actual != signed_digest) {
            return fail(Errc::invalid_document,
                        "the document was changed after it was signed: the bytes the /ByteRange covers do not match "
                        "the signature's message-digest");
        }
    }
    SIGNET_CHECK(check_signing_certificate(signer, field.sub_filter == cades_detached, what));
    std::vector<std::uint8_t> unused;
    SIGNET_TRY(unused, verify_signed_data(stored.cms.get(), &signed_bytes, what));

    std::optional<CheckedToken> token;
    SIGNET_TRY(token, signature_timestamp(context, signer));
    if (token) verdict.proven_time = token->gen_time;
    std::vector<X509Ptr> chain;
    SIGNET_TRY(chain, verified_chain(context.anchors, signer.certificate, signer.certificates.get(), verdict.proven_time,
                                     "the signer certificate"));
    Revocations own;
    SIGNET_TRY(own, check_revocation(chain, verdict.proven_time, token.has_value() || covered_since.has_value(),
                                     context.options, "the signer certificate"));
    verdict.chain = std::move(chain);
    verdict.statuses = std::move(own.statuses);
    verdict.note = own.note;
    if (token) {
        timestamped = true;
        verdict.timestamp_chain = std::move(token->chain);
        for (auto& status : token->revocation.statuses) verdict.statuses.push_back(std::move(status));
        verdict.note = joined(verdict.note, token->revocation.note);
    }
    return {};
}

// A check's outcome in its verdict: valid, or invalid with the refusal as the reason.
Status settle(Verdict& verdict, const Status& checked) {
    if (checked) {
        verdict.valid = true;
        return {};
    }
    if (ends_the_call(checked.error())) return std::unexpected(checked.error());
    verdict.valid = false;
    verdict.reason = checked.error().message;
    return {};
}

// EN 319 142-1 §6: B-T by a signature time-stamp or a document time-stamp over the signature;
// B-LT when the DSS has its /VRI; B-LTA when a document time-stamp covers a DSS that had it.
std::string level_of(const pdf::SignatureList& listed, const std::vector<Verdict>& verdicts, std::size_t index,
                     bool timestamped) {
    const pdf::SignatureField& field = listed.fields[index];
    bool covered = false;
    bool archived = false;
    const std::string key = pdf::vri_key(field.contents);
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
        if (!verdicts[i].document_timestamp || !verdicts[i].valid) continue;
        covered = covered || end_of(listed.fields[i]) > end_of(field);
        archived = archived || has_key(listed.fields[i].covered_vri_keys, key);
    }
    if (!timestamped && !covered) return "B-B";
    if (!has_key(listed.vri_keys, key)) return "B-T";
    return archived ? "B-LTA" : "B-LT";
}

}  // namespace

Result<std::vector<Verdict>> validate(std::span<const std::uint8_t> document, const pdf::SignatureList& listed,
                                      const Options& options) {
    if (listed.fields.empty()) return fail(Errc::invalid_document, "the document has no signature to extend");
    if (options.checker == nullptr || options.clock == nullptr || options.trust_anchors.empty()) {
        return fail(Errc::internal, "validation needs trust anchors, a revocation checker and a clock");
    }
    revocation::X509Store anchors;
    SIGNET_TRY(anchors, anchor_store(options.trust_anchors));
    const Context context{document, options, anchors.get()};
    const std::size_t count = listed.fields.size();
    std::vector<Verdict> verdicts(count);
    for (std::size_t i = 0; i < count; ++i) {
        const pdf::SignatureField& field = listed.fields[i];
        verdicts[i].field = field.name;
        verdicts[i].document_timestamp = field.document_timestamp || field.sub_filter == rfc3161;
    }
    // Document time-stamps first: they prove when the signatures they cover existed.
    for (std::size_t i = 0; i < count; ++i) {
        Verdict& verdict = verdicts[i];
        if (!verdict.document_timestamp) continue;
        verdict.level = "timestamp";
        if (listed.fields[i].sub_filter != rfc3161) {
            verdict.reason = unknown_sub_filter(listed.fields[i]);
            continue;
        }
        SIGNET_CHECK(settle(verdict, check_document_timestamp(context, listed.fields[i], verdict)));
    }
    std::vector<bool> timestamped(count, false);
    for (std::size_t i = 0; i < count; ++i) {
        Verdict& verdict = verdicts[i];
        const pdf::SignatureField& field = listed.fields[i];
        if (verdict.document_timestamp) continue;
        if (field.sub_filter != cades_detached && field.sub_filter != pkcs7_detached) {
            verdict.level = "unknown";
            verdict.reason = unknown_sub_filter(field);
            continue;
        }
        std::optional<Timestamp> covered_since;
        for (std::size_t j = 0; j < count; ++j) {
            if (!verdicts[j].document_timestamp || !verdicts[j].valid || end_of(listed.fields[j]) <= end_of(field)) continue;
            if (!covered_since || verdicts[j].proven_time < *covered_since) covered_since = verdicts[j].proven_time;
        }
        bool has_timestamp = false;
        SIGNET_CHECK(settle(verdict, check_signature(context, field, covered_since, verdict, has_timestamp)));
        timestamped[i] = has_timestamp;
    }
    for (std::size_t i = 0; i < count; ++i) {
        if (verdicts[i].level.empty()) verdicts[i].level = level_of(listed, verdicts, i, timestamped[i]);
    }
    return verdicts;
}

}  // namespace signet::validation
