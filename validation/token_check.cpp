#include "validation/token_check.hpp"

#include <chrono>
#include <climits>

#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/ts.h>

#include "base/openssl_error.hpp"
#include "timestamp/request.hpp"
#include "timestamp/token_info.hpp"
#include "timestamp/ts_ptr.hpp"
#include "timestamp/verify.hpp"
#include "validation/signer_check.hpp"

namespace signet::validation {
namespace {

// RFC 3161 §2.4.2: the imprint is the hash of exactly the covered bytes, with the algorithm the
// token names; signet accepts the SHA-2 hashes it asks for itself (timestamp/request.hpp).
Status check_imprint(TS_TST_INFO* info, const Pieces& covered, const std::string& what) {
    TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info);
    const ASN1_OBJECT* oid = nullptr;
    X509_ALGOR_get0(&oid, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
    const int nid = OBJ_obj2nid(oid);
    if (!timestamp::supported_hash(nid)) {
        const char* name = OBJ_nid2sn(nid);
        return fail(Errc::invalid_certificate, what + "'s imprint uses " + (name != nullptr ? name : "an unknown hash") +
                                                   " where SHA-256, SHA-384 or SHA-512 is required");
    }
    std::vector<std::uint8_t> expected;
    SIGNET_TRY(expected, digest_of(covered, EVP_get_digestbynid(nid)));
    const ASN1_OCTET_STRING* message = TS_MSG_IMPRINT_get_msg(imprint);
    const std::span<const std::uint8_t> found(ASN1_STRING_get0_data(message),
                                              static_cast<std::size_t>(ASN1_STRING_length(message)));
    if (!std::equal(found.begin(), found.end(), expected.begin(), expected.end())) {
        return fail(Errc::invalid_document,
                    what + "'s imprint does not match the bytes it covers: they were changed after it was made");
    }
    return {};
}

}  // namespace

Result<CheckedToken> check_token(std::span<const std::uint8_t> stored, const Pieces& covered, X509_STORE* anchors,
                                 const Options& options, const std::string& what) {
    StoredCms token;
    SIGNET_TRY(token, stored_cms(stored, what));
    if (OBJ_obj2nid(CMS_get0_eContentType(token.cms.get())) != NID_id_smime_ct_TSTInfo) {
        return fail(Errc::invalid_document, what + " is not an RFC 3161 token: its content is not a TSTInfo");
    }
    SignerView signer;
    SIGNET_TRY(signer, signer_of(token.cms.get(), what));
    SIGNET_CHECK(check_signer_algorithms(signer, what));
    SIGNET_CHECK(check_signing_certificate(signer, true, what));
    std::vector<std::uint8_t> content;
    SIGNET_TRY(content, verify_signed_data(token.cms.get(), nullptr, what));

    const unsigned char* cursor = content.data();
    timestamp::TsTstInfo info(d2i_TS_TST_INFO(nullptr, &cursor, static_cast<long>(content.size())));
    if (!info || cursor != content.data() + content.size()) {
        return openssl_failure(Errc::invalid_document, what + "'s TSTInfo cannot be read");
    }
    SIGNET_CHECK(check_imprint(info.get(), covered, what));
    timestamp::TokenInfo read;
    SIGNET_TRY(read, timestamp::read_token(stored.first(token.length)));

    CheckedToken checked;
    checked.gen_time = std::chrono::floor<std::chrono::seconds>(read.gen_time);
    if (checked.gen_time > options.clock->now()) {
        return fail(Errc::invalid_certificate, what + "'s genTime " + read.gen_time_text + " is in the future");
    }
    if (auto usage = timestamp::check_tsa_certificate_usage(signer.certificate); !usage) {
        return fail(Errc::invalid_certificate, what + ": " + usage.error().message);
    }
    const std::string role = what + "'s TSA certificate";
    SIGNET_TRY(checked.chain, verified_chain(anchors, signer.certificate, signer.certificates.get(), checked.gen_time, role));
    SIGNET_TRY(checked.revocation, check_revocation(checked.chain, checked.gen_time, true, options, role));
    return checked;
}

}  // namespace signet::validation
