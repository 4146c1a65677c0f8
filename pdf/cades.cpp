#include "pdf/cades.hpp"

#include <climits>
#include <string>

#include <openssl/cms.h>
#include <openssl/objects.h>

#include "base/openssl_error.hpp"
#include "base/ssl_ptr.hpp"

namespace signet::pdf {
namespace {

// Exactly content-type, message-digest and signing-certificate-v2 (ETSI EN 319 122-1 §5.2,
// baseline B-B as PAdES uses it); anything else is a broken invariant of this file.
Status check_signed_attributes(CMS_SignerInfo* si) {
    const int expected[] = {NID_pkcs9_contentType, NID_pkcs9_messageDigest,
                            NID_id_smime_aa_signingCertificateV2};
    if (CMS_signed_get_attr_count(si) != 3) {
        return fail(Errc::internal, "the CMS SignerInfo has " +
                                        std::to_string(CMS_signed_get_attr_count(si)) +
                                        " signed attributes instead of 3");
    }
    for (int nid : expected) {
        if (CMS_signed_get_attr_by_NID(si, nid, -1) < 0) {
            return fail(Errc::internal, std::string("the CMS SignerInfo lacks the ") +
                                            OBJ_nid2ln(nid) + " attribute");
        }
    }
    return {};
}

// B-T (ETSI EN 319 122-1 §5.3): the token over the signature value, as the unsigned attribute
// id-aa-signatureTimeStampToken whose one value is the token's ContentInfo, DER as received.
Status add_signature_timestamp(CMS_SignerInfo* si, const TimestampCallback& timestamp) {
    const ASN1_OCTET_STRING* value = CMS_SignerInfo_get0_signature(si);
    auto token = timestamp(std::span<const std::uint8_t>(ASN1_STRING_get0_data(value),
                                                         static_cast<std::size_t>(ASN1_STRING_length(value))));
    if (!token) return std::unexpected(token.error());
    if (token->empty() || token->size() > static_cast<std::size_t>(INT_MAX)) {
        return fail(Errc::internal, "the time-stamp token is empty");
    }
    if (CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE,
                                      token->data(), static_cast<int>(token->size())) != 1) {
        return openssl_failure(Errc::internal, "adding the signature time-stamp attribute");
    }
    return {};
}

}  // namespace

Result<std::vector<std::uint8_t>> build_cades_signature(std::span<const std::uint8_t, 32> digest,
                                                        const cms::Signer& signer,
                                                        const cms::SignCallback& sign,
                                                        const TimestampCallback& timestamp) {
    CmsContentInfo cms(CMS_ContentInfo_new());
    if (!cms || CMS_SignedData_init(cms.get()) != 1) {
        return openssl_failure(Errc::internal, "creating the CMS SignedData");
    }
    auto si = cms::add_signer(cms.get(), signer);
    if (!si) return std::unexpected(si.error());

    // RFC 5652 §5.3/§11.1: with signed attributes present, content-type (id-data, the
    // eContentType of a detached PAdES signature, ETSI EN 319 142-1 §6.3) and message-digest
    // (here the SHA-256 of the ByteRange) are mandatory.
    if (CMS_signed_add1_attr_by_NID(*si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                    OBJ_nid2obj(NID_pkcs7_data), -1) != 1) {
        return openssl_failure(Errc::internal, "adding the content-type attribute");
    }
    if (CMS_signed_add1_attr_by_NID(*si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, digest.data(),
                                    static_cast<int>(digest.size())) != 1) {
        return openssl_failure(Errc::internal, "adding the message-digest attribute");
    }
    if (auto ok = check_signed_attributes(*si); !ok) return std::unexpected(ok.error());
    if (auto ok = cms::sign_signer_info(*si, signer.certificate, sign); !ok) {
        return std::unexpected(ok.error());
    }
    if (timestamp) {
        if (auto ok = add_signature_timestamp(*si, timestamp); !ok) return std::unexpected(ok.error());
    }
    if (auto ok = cms::add_chain(cms.get(), signer); !ok) return std::unexpected(ok.error());
    // Detached (ETSI EN 319 142-1 §6.3: the signed data is the ByteRange, not in the CMS).
    if (CMS_set_detached(cms.get(), 1) != 1) {
        return openssl_failure(Errc::internal, "making the CMS detached");
    }
    return cms::encode(cms.get());
}

std::size_t signature_size_bound(const cms::Signer& signer) {
    if (signer.certificate == nullptr) return 0;
    // What does not vary: OIDs, algorithm identifiers, the three attributes' fixed parts and
    // the SEQUENCE/SET headers: about 250 bytes measured (cades_test.cpp); twice that leaves
    // room for longer length fields and stays well within 2 KB of the real size.
    constexpr std::size_t fixed_structure = 512;
    return cms::signer_size_bound(signer) + fixed_structure;
}

std::size_t timestamp_attribute_bound(std::size_t token_size) {
    // [1] IMPLICIT SET OF Attribute, the Attribute SEQUENCE, its OID (13 bytes) and SET: four
    // headers of at most 5 bytes each, and the OBJECT IDENTIFIER.
    constexpr std::size_t attribute_overhead = 4 * 5 + 13;
    return token_size + attribute_overhead;
}

}  // namespace signet::pdf
