#include "timestamp/verify.hpp"

#include <climits>
#include <cstddef>
#include <string>
#include <utility>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/openssl_error.hpp"
#include "base/ssl_ptr.hpp"
#include "base/time.hpp"
#include "timestamp/ts_ptr.hpp"

namespace signet::timestamp {
namespace {

using TsVerifyCtxPtr = std::unique_ptr<TS_VERIFY_CTX, SslDeleter<&TS_VERIFY_CTX_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, SslDeleter<&X509_STORE_free>>;
using ExtendedKeyUsagePtr =
    std::unique_ptr<EXTENDED_KEY_USAGE, SslDeleter<&EXTENDED_KEY_USAGE_free>>;

struct X509StackFree {
    // PKCS7_get0_signers returns a new stack of certificates it does not own.
    void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }
};
using SignerStack = std::unique_ptr<STACK_OF(X509), X509StackFree>;

std::string status_name(long status) {
    switch (status) {
        case TS_STATUS_GRANTED:
            return "granted";
        case TS_STATUS_GRANTED_WITH_MODS:
            return "grantedWithMods";
        case TS_STATUS_REJECTION:
            return "rejection";
        case TS_STATUS_WAITING:
            return "waiting";
        case TS_STATUS_REVOCATION_WARNING:
            return "revocationWarning";
        case TS_STATUS_REVOCATION_NOTIFICATION:
            return "revocationNotification";
        default:
            return "unknown status " + std::to_string(status);
    }
}

// PKIStatusInfo (RFC 3161 §2.4.2): the statusString texts and the failInfo bits, for a person.
std::string status_detail(const TS_STATUS_INFO* info) {
    std::string detail;
    if (const STACK_OF(ASN1_UTF8STRING)* texts = TS_STATUS_INFO_get0_text(info)) {
        for (int i = 0; i < sk_ASN1_UTF8STRING_num(texts); ++i) {
            const ASN1_UTF8STRING* text = sk_ASN1_UTF8STRING_value(texts, i);
            if (!detail.empty()) detail += "; ";
            detail += '"';
            detail.append(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                          static_cast<std::size_t>(ASN1_STRING_length(text)));
            detail += '"';
        }
    }
    static constexpr std::pair<int, const char*> failures[] = {
        {TS_INFO_BAD_ALG, "badAlg"},
        {TS_INFO_BAD_REQUEST, "badRequest"},
        {TS_INFO_BAD_DATA_FORMAT, "badDataFormat"},
        {TS_INFO_TIME_NOT_AVAILABLE, "timeNotAvailable"},
        {TS_INFO_UNACCEPTED_POLICY, "unacceptedPolicy"},
        {TS_INFO_UNACCEPTED_EXTENSION, "unacceptedExtension"},
        {TS_INFO_ADD_INFO_NOT_AVAILABLE, "addInfoNotAvailable"},
        {TS_INFO_SYSTEM_FAILURE, "systemFailure"},
    };
    if (const ASN1_BIT_STRING* bits = TS_STATUS_INFO_get0_failure_info(info)) {
        std::string names;
        for (const auto& [bit, name] : failures) {
            if (ASN1_BIT_STRING_get_bit(bits, bit))
                names += names.empty() ? name : std::string(", ") + name;
        }
        if (!names.empty())
            detail += (detail.empty() ? "" : "; ") + std::string("failure info ") + names;
    }
    return detail;
}

std::unexpected<Error> refuse(const std::string& sentence) {
    return openssl_failure(Errc::invalid_certificate, sentence);
}

// Which of OpenSSL's checks failed, from the reason it queued last (ts_rsp_verify.c), so the
// message names the check rather than only quoting OpenSSL.
std::string failed_check() {
    const unsigned long code = ERR_peek_last_error();
    if (ERR_GET_LIB(code) != ERR_LIB_TS) return "the token does not verify";
    switch (ERR_GET_REASON(code)) {
        case TS_R_MESSAGE_IMPRINT_MISMATCH:
            return "the token's imprint does not match the request";
        case TS_R_NONCE_MISMATCH:
            return "the token's nonce does not match the request's";
        case TS_R_NONCE_NOT_RETURNED:
            return "the token does not echo the request's nonce";
        case TS_R_UNSUPPORTED_VERSION:
            return "the token's TSTInfo version is not 1";
        case TS_R_CERTIFICATE_VERIFY_ERROR: {
            // ts_verify_cert puts X509_verify_cert's reason in the error's data, not its code.
            const char* data = nullptr;
            int flags = 0;
            ERR_peek_last_error_data(&data, &flags);
            std::string sentence = "the TSA certificate is not trusted";
            if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && *data != '\0')
                sentence += std::string(": ") + data;
            return sentence;
        }
        case TS_R_ESS_SIGNING_CERTIFICATE_ERROR:
            return "the token's signing-certificate attribute does not name the TSA certificate";
        case TS_R_SIGNATURE_FAILURE:
            return "the token's signature does not verify";
        case TS_R_THERE_MUST_BE_ONE_SIGNER:
        case TS_R_NO_CONTENT:
        case TS_R_WRONG_CONTENT_TYPE:
        case TS_R_BAD_PKCS7_TYPE:
        case TS_R_DETACHED_CONTENT:
            return "the token is not a signed TSTInfo";
        case TS_R_TSA_NAME_MISMATCH:
        case TS_R_TSA_UNTRUSTED:
            return "the token's TSA name is not its signer";
        default:
            return "the token does not verify";
    }
}

// The request the token must answer, as OpenSSL's verifier takes it (TS_REQ_to_TS_VERIFY_CTX is
// the one way OpenSSL 3.0 has to set the expected hash algorithm and nonce).
Result<TsReq> expected_request(const Expectation& expected) {
    TsReq request(TS_REQ_new());
    TsMsgImprint imprint(TS_MSG_IMPRINT_new());
    X509Algor algorithm(X509_ALGOR_new());
    if (!request || !imprint || !algorithm || TS_REQ_set_version(request.get(), 1) != 1 ||
        X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(expected.hash_nid), V_ASN1_NULL, nullptr) !=
            1 ||
        TS_MSG_IMPRINT_set_algo(imprint.get(), algorithm.get()) != 1 ||
        expected.imprint.size() > static_cast<std::size_t>(INT_MAX) ||
        TS_MSG_IMPRINT_set_msg(imprint.get(), const_cast<unsigned char*>(expected.imprint.data()),
                               static_cast<int>(expected.imprint.size())) != 1 ||
        TS_REQ_set_msg_imprint(request.get(), imprint.get()) != 1) {
        return openssl_failure(Errc::internal, "preparing the token check");
    }
    if (expected.nonce) {
        const unsigned char* cursor = expected.nonce->data();
        Asn1Integer nonce(
            d2i_ASN1_INTEGER(nullptr, &cursor, static_cast<long>(expected.nonce->size())));
        if (!nonce || cursor != expected.nonce->data() + expected.nonce->size()) {
            return openssl_failure(Errc::internal, "the expected nonce is not a DER INTEGER");
        }
        if (TS_REQ_set_nonce(request.get(), nonce.get()) != 1) {
            return openssl_failure(Errc::internal, "preparing the token check");
        }
    }
    return request;
}

Result<X509StorePtr> trust_store(const std::filesystem::path& trust) {
    X509StorePtr store(X509_STORE_new());
    if (!store) return openssl_failure(Errc::internal, "allocating a certificate store");
    if (X509_STORE_load_file(store.get(), trust.c_str()) != 1) {
        return openssl_failure(Errc::invalid_config,
                               "cannot read the TSA trust anchors " + trust.string());
    }
    return store;
}

// The token's signer certificate, found by the SignerInfo's issuer and serial number among the
// certificates the token carries (we sent certReq, RFC 3161 §2.4.1).
Result<X509*> signer_certificate(PKCS7* token) {
    SignerStack signers(PKCS7_get0_signers(token, nullptr, 0));
    if (!signers || sk_X509_num(signers.get()) != 1) {
        return refuse("the token does not carry its TSA certificate");
    }
    return sk_X509_value(signers.get(), 0);
}

std::string text_of(std::chrono::system_clock::time_point when) {
    return format_timestamp(std::chrono::floor<std::chrono::seconds>(when));
}

}  // namespace

Status check_tsa_certificate_usage(X509* certificate) {
    if (certificate == nullptr) return fail(Errc::invalid_certificate, "no TSA certificate");
    const int position = X509_get_ext_by_NID(certificate, NID_ext_key_usage, -1);
    if (position < 0) {
        return fail(
            Errc::invalid_certificate,
            "the TSA certificate has no extendedKeyUsage; RFC 3161 §2.3 requires timeStamping");
    }
    if (X509_get_ext_by_NID(certificate, NID_ext_key_usage, position) >= 0) {
        return fail(Errc::invalid_certificate,
                    "the TSA certificate has two extendedKeyUsage extensions");
    }
    X509_EXTENSION* extension = X509_get_ext(certificate, position);
    if (X509_EXTENSION_get_critical(extension) != 1) {
        return fail(Errc::invalid_certificate,
                    "the TSA certificate's extendedKeyUsage is not critical (RFC 3161 §2.3)");
    }
    ExtendedKeyUsagePtr usages(static_cast<EXTENDED_KEY_USAGE*>(X509V3_EXT_d2i(extension)));
    if (!usages) {
        return openssl_failure(Errc::invalid_certificate,
                               "the TSA certificate's extendedKeyUsage cannot be read");
    }
    if (sk_ASN1_OBJECT_num(usages.get()) != 1 ||
        OBJ_obj2nid(sk_ASN1_OBJECT_value(usages.get(), 0)) != NID_time_stamp) {
        return fail(
            Errc::invalid_certificate,
            "the TSA certificate's extendedKeyUsage must be timeStamping only (RFC 3161 §2.3)");
    }
    int critical = 0;
    Asn1BitString key_usage(static_cast<ASN1_BIT_STRING*>(
        X509_get_ext_d2i(certificate, NID_key_usage, &critical, nullptr)));
    if (critical == -2)
        return fail(Errc::invalid_certificate, "the TSA certificate has two keyUsage extensions");
    if (critical >= 0 && !key_usage) {
        return openssl_failure(Errc::invalid_certificate,
                               "the TSA certificate's keyUsage cannot be read");
    }
    // Bits 0 and 1 of KeyUsage (RFC 5280 §4.2.1.3): a token is a signature.
    if (key_usage && !ASN1_BIT_STRING_get_bit(key_usage.get(), 0) &&
        !ASN1_BIT_STRING_get_bit(key_usage.get(), 1)) {
        return fail(
            Errc::invalid_certificate,
            "the TSA certificate's keyUsage allows neither digitalSignature nor nonRepudiation");
    }
    return {};
}

Result<CheckedToken> check_response(std::span<const std::uint8_t> response,
                                    const Expectation& expected) {
    ERR_clear_error();
    if (response.empty() || response.size() > static_cast<std::size_t>(LONG_MAX)) {
        return fail(Errc::bad_request,
                    "the answer is not a TimeStampResp: it is empty or too large");
    }
    const unsigned char* cursor = response.data();
    TsResp answer(d2i_TS_RESP(nullptr, &cursor, static_cast<long>(response.size())));
    if (!answer || cursor != response.data() + response.size()) {
        return openssl_failure(Errc::bad_request, "the answer is not a DER TimeStampResp");
    }
    const TS_STATUS_INFO* status_info = TS_RESP_get_status_info(answer.get());
    const long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(status_info));
    if (status != TS_STATUS_GRANTED && status != TS_STATUS_GRANTED_WITH_MODS) {
        const std::string detail = status_detail(status_info);
        return fail(Errc::bad_request, "the TSA did not grant a token: status " +
                                           status_name(status) +
                                           (detail.empty() ? "" : " (" + detail + ")"));
    }
    PKCS7* token = TS_RESP_get_token(answer.get());
    TS_TST_INFO* tst = TS_RESP_get_tst_info(answer.get());
    if (token == nullptr || tst == nullptr) {
        return fail(Errc::bad_request, "the TSA granted a token but the answer does not hold one");
    }

    // Checked before OpenSSL's verifier, which compares algorithms only as part of the imprint.
    const X509_ALGOR* algorithm = TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(tst));
    const ASN1_OBJECT* algorithm_oid = nullptr;
    X509_ALGOR_get0(&algorithm_oid, nullptr, nullptr, algorithm);
    if (OBJ_obj2nid(algorithm_oid) != expected.hash_nid) {
        return fail(Errc::invalid_certificate, std::string("the token's imprint uses ") +
                                                   OBJ_nid2sn(OBJ_obj2nid(algorithm_oid)) +
                                                   ", not " + OBJ_nid2sn(expected.hash_nid) +
                                                   " as requested");
    }

    // signet's own reading of RFC 3161 §2.3 first: OpenSSL refuses such a certificate too, but
    // only as an "unsupported certificate purpose" of the chain.
    X509* signer = nullptr;
    SIGNET_TRY(signer, signer_certificate(token));
    if (auto usage = check_tsa_certificate_usage(signer); !usage)
        return std::unexpected(usage.error());

    TsReq request;
    SIGNET_TRY(request, expected_request(expected));
    X509StorePtr store;
    SIGNET_TRY(store, trust_store(expected.trust));
    TsVerifyCtxPtr context(TS_REQ_to_TS_VERIFY_CTX(request.get(), nullptr));
    if (!context) return openssl_failure(Errc::internal, "preparing the token check");
    int flags = TS_VFY_VERSION | TS_VFY_SIGNER | TS_VFY_SIGNATURE | TS_VFY_IMPRINT;
    if (expected.nonce) flags |= TS_VFY_NONCE;
    TS_VERIFY_CTX_set_flags(context.get(), flags);
    // The context owns the store from here (TS_VERIFY_CTX_cleanup frees it). The certificates
    // the token carries are the untrusted chain: TS_RESP_verify_signature adds them itself.
    TS_VERIFY_CTX_set_store(context.get(), store.release());
    if (TS_RESP_verify_response(context.get(), answer.get()) != 1) {
        const std::string check = failed_check();
        return refuse(check);
    }

    CheckedToken checked;
    unsigned char* der = nullptr;
    const int length = i2d_PKCS7(token, &der);
    OpensslBytes owned(der);
    if (length <= 0) return openssl_failure(Errc::internal, "encoding the token");
    checked.token.assign(der, der + length);
    SIGNET_TRY(checked.info, read_token(checked.token));

    if (checked.info.gen_time < expected.not_before || checked.info.gen_time > expected.not_after) {
        return fail(Errc::invalid_certificate, "the token's genTime " + checked.info.gen_time_text +
                                                   " is outside the allowed window " +
                                                   text_of(expected.not_before) + " to " +
                                                   text_of(expected.not_after));
    }
    return checked;
}

}  // namespace signet::timestamp
