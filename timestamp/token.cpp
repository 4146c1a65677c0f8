#include "timestamp/token.hpp"

#include <algorithm>
#include <climits>
#include <ctime>
#include <memory>
#include <optional>

#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>

#include "base/openssl_error.hpp"
#include "base/ssl_ptr.hpp"
#include "base/time.hpp"
#include "base/x509_encoding.hpp"
#include "timestamp/ts_ptr.hpp"

namespace signet::timestamp {
namespace {

using Asn1Object = std::unique_ptr<ASN1_OBJECT, SslDeleter<&ASN1_OBJECT_free>>;
using Asn1OctetString = std::unique_ptr<ASN1_OCTET_STRING, SslDeleter<&ASN1_OCTET_STRING_free>>;
using Asn1GeneralizedTime =
    std::unique_ptr<ASN1_GENERALIZEDTIME, SslDeleter<&ASN1_GENERALIZEDTIME_free>>;
using Asn1Utf8String = std::unique_ptr<ASN1_UTF8STRING, SslDeleter<&ASN1_UTF8STRING_free>>;
using BioChain = std::unique_ptr<BIO, SslDeleter<&BIO_free_all>>;
using TsAccuracy = std::unique_ptr<TS_ACCURACY, SslDeleter<&TS_ACCURACY_free>>;
using TsStatusInfo = std::unique_ptr<TS_STATUS_INFO, SslDeleter<&TS_STATUS_INFO_free>>;

struct Utf8StackDeleter {
    void operator()(STACK_OF(ASN1_UTF8STRING) * stack) const {
        sk_ASN1_UTF8STRING_pop_free(stack, ASN1_UTF8STRING_free);
    }
};
using Utf8Stack = std::unique_ptr<STACK_OF(ASN1_UTF8STRING), Utf8StackDeleter>;

// PKIStatusInfo (RFC 3161 §2.4.2), field for field as OpenSSL's TS_STATUS_INFO: OpenSSL 3.0
// exports no setter for its failInfo and statusString (only TS_RESP_CTX, which signs), so a
// rejection's status is encoded with this template and read back as a TS_STATUS_INFO.
struct PkiStatusInfo {
    ASN1_INTEGER* status;
    STACK_OF(ASN1_UTF8STRING) * text;
    ASN1_BIT_STRING* failure_info;
};
// clang-format off
ASN1_SEQUENCE(PkiStatusInfo) = {
    ASN1_SIMPLE(PkiStatusInfo, status, ASN1_INTEGER),
    ASN1_SEQUENCE_OF_OPT(PkiStatusInfo, text, ASN1_UTF8STRING),
    ASN1_OPT(PkiStatusInfo, failure_info, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(PkiStatusInfo)
    // clang-format on

    std::size_t hash_length(int nid) {
    const EVP_MD* md = supported_hash(nid) ? EVP_get_digestbynid(nid) : nullptr;
    int size = md != nullptr ? EVP_MD_get_size(md) : 0;
    return size > 0 ? static_cast<std::size_t>(size) : 0;
}

template <class T>
Result<std::vector<std::uint8_t>> to_der(T* object, int (*i2d)(const T*, unsigned char**),
                                         const char* what) {
    int length = i2d(object, nullptr);
    if (length <= 0) return openssl_failure(Errc::internal, std::string("encoding the ") + what);
    std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
    unsigned char* out = der.data();
    if (i2d(object, &out) != length) {
        return openssl_failure(Errc::internal, std::string("encoding the ") + what);
    }
    return der;
}

Result<Asn1Integer> integer_from_der(std::span<const std::uint8_t> der) {
    const unsigned char* in = der.data();
    Asn1Integer integer(d2i_ASN1_INTEGER(nullptr, &in, static_cast<long>(der.size())));
    if (!integer || in != der.data() + der.size()) {
        return openssl_failure(Errc::internal, "the nonce is not one DER INTEGER");
    }
    return integer;
}

Status set_imprint(TS_TST_INFO* tst_info, int hash_nid, std::span<const std::uint8_t> imprint) {
    TsMsgImprint message_imprint(TS_MSG_IMPRINT_new());
    X509Algor algorithm(X509_ALGOR_new());
    if (!message_imprint || !algorithm) {
        return openssl_failure(Errc::internal, "allocating the message imprint");
    }
    // Parameters NULL, as `openssl ts` writes them (RFC 5754 §2 allows NULL or absent; RFC 3161
    // §2.4.2 asks for the request's imprint, which verifiers compare by OID and value).
    std::vector<std::uint8_t> digest(imprint.begin(), imprint.end());
    if (X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(hash_nid), V_ASN1_NULL, nullptr) != 1 ||
        TS_MSG_IMPRINT_set_algo(message_imprint.get(), algorithm.get()) != 1 ||
        TS_MSG_IMPRINT_set_msg(message_imprint.get(), digest.data(),
                               static_cast<int>(digest.size())) != 1 ||
        TS_TST_INFO_set_msg_imprint(tst_info, message_imprint.get()) != 1) {
        return openssl_failure(Errc::internal, "setting the message imprint");
    }
    return {};
}

Status set_serial(TS_TST_INFO* tst_info, std::span<const std::uint8_t> serial) {
    // RFC 3161 §2.4.2: a positive integer of at most 160 bits.
    if (serial.empty() || serial.size() > 20 ||
        std::all_of(serial.begin(), serial.end(), [](std::uint8_t b) { return b == 0; })) {
        return fail(Errc::internal, "a time-stamp serial number is 1 to 20 bytes and not zero");
    }
    // Through a BIGNUM so that the INTEGER is DER's minimal positive form: leading zero bytes
    // dropped, a 0x00 added when the top bit is set.
    BigNum number(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
    Asn1Integer integer(number ? BN_to_ASN1_INTEGER(number.get(), nullptr) : nullptr);
    if (!integer || TS_TST_INFO_set_serial(tst_info, integer.get()) != 1) {
        return openssl_failure(Errc::internal, "setting the serial number");
    }
    return {};
}

Status set_time(TS_TST_INFO* tst_info, const TokenFields& fields) {
    // To the second and in UTC ("YYYYMMDDhhmmssZ", RFC 3161 §2.4.2); finer than the accuracy
    // would claim a precision the clock does not have.
    auto seconds = std::chrono::floor<std::chrono::seconds>(fields.gen_time).time_since_epoch();
    Asn1GeneralizedTime time(
        ASN1_GENERALIZEDTIME_set(nullptr, static_cast<time_t>(seconds.count())));
    if (!time || TS_TST_INFO_set_time(tst_info, time.get()) != 1) {
        return openssl_failure(Errc::internal, "setting the time-stamp's genTime");
    }
    if (fields.accuracy.count() < 0) {
        return fail(Errc::internal, "a time-stamp accuracy cannot be negative");
    }
    if (fields.accuracy.count() > 0) {
        TsAccuracy accuracy(TS_ACCURACY_new());
        Asn1Integer value(ASN1_INTEGER_new());
        if (!accuracy || !value ||
            ASN1_INTEGER_set_int64(value.get(), fields.accuracy.count()) != 1 ||
            TS_ACCURACY_set_seconds(accuracy.get(), value.get()) != 1 ||
            TS_TST_INFO_set_accuracy(tst_info, accuracy.get()) != 1) {
            return openssl_failure(Errc::internal, "setting the time-stamp's accuracy");
        }
    }
    return {};
}

Result<std::vector<std::uint8_t>> encode_tst_info(const TokenFields& fields) {
    if (!supported_hash(fields.hash_nid) || fields.imprint.size() != hash_length(fields.hash_nid)) {
        return fail(Errc::internal,
                    "a time-stamp imprint is a SHA-256, SHA-384 or SHA-512 digest of its length");
    }
    Asn1Object policy(OBJ_txt2obj(fields.policy_oid.c_str(), 1));
    if (!policy) {
        return openssl_failure(Errc::invalid_config,
                               "the TSA policy \"" + fields.policy_oid + "\" is not a dotted OID");
    }
    TsTstInfo tst_info(TS_TST_INFO_new());
    if (!tst_info) return openssl_failure(Errc::internal, "allocating the TSTInfo");
    if (TS_TST_INFO_set_version(tst_info.get(), 1) != 1 ||
        TS_TST_INFO_set_policy_id(tst_info.get(), policy.get()) != 1) {
        return openssl_failure(Errc::internal, "setting the TSTInfo's version and policy");
    }
    SIGNET_CHECK(set_imprint(tst_info.get(), fields.hash_nid, fields.imprint));
    SIGNET_CHECK(set_serial(tst_info.get(), fields.serial));
    SIGNET_CHECK(set_time(tst_info.get(), fields));
    // ordering stays at its DEFAULT FALSE, so it is not encoded (X.690 §11.5); no tsa name.
    if (fields.nonce) {
        Asn1Integer nonce;
        SIGNET_TRY(nonce, integer_from_der(*fields.nonce));
        if (TS_TST_INFO_set_nonce(tst_info.get(), nonce.get()) != 1) {
            return openssl_failure(Errc::internal, "setting the nonce");
        }
    }
    return to_der<TS_TST_INFO>(tst_info.get(), i2d_TS_TST_INFO, "TSTInfo");
}

// Exactly content-type, message-digest and signing-certificate-v2 (RFC 3161 §2.4.2 with
// RFC 5816 §2.2.1); anything else is a broken invariant of this file.
Status check_signed_attributes(CMS_SignerInfo* si) {
    const int expected[] = {NID_pkcs9_contentType, NID_pkcs9_messageDigest,
                            NID_id_smime_aa_signingCertificateV2};
    if (CMS_signed_get_attr_count(si) != 3) {
        return fail(Errc::internal, "the token's SignerInfo has " +
                                        std::to_string(CMS_signed_get_attr_count(si)) +
                                        " signed attributes instead of 3");
    }
    for (int nid : expected) {
        if (CMS_signed_get_attr_by_NID(si, nid, -1) < 0) {
            return fail(Errc::internal, std::string("the token's SignerInfo lacks the ") +
                                            OBJ_nid2ln(nid) + " attribute");
        }
    }
    return {};
}

int failure_bit(FailureInfo failure) {
    switch (failure) {
        case FailureInfo::bad_alg:
            return TS_INFO_BAD_ALG;
        case FailureInfo::bad_request:
            return TS_INFO_BAD_REQUEST;
        case FailureInfo::bad_data_format:
            return TS_INFO_BAD_DATA_FORMAT;
        case FailureInfo::time_not_available:
            return TS_INFO_TIME_NOT_AVAILABLE;
        case FailureInfo::unaccepted_policy:
            return TS_INFO_UNACCEPTED_POLICY;
        case FailureInfo::unaccepted_extension:
            return TS_INFO_UNACCEPTED_EXTENSION;
        case FailureInfo::system_failure:
            return TS_INFO_SYSTEM_FAILURE;
    }
    return TS_INFO_SYSTEM_FAILURE;
}

Result<TsStatusInfo> rejection_status(const Rejection& rejection) {
    Asn1Integer status(ASN1_INTEGER_new());
    Asn1BitString failure_info(ASN1_BIT_STRING_new());
    Utf8Stack text(sk_ASN1_UTF8STRING_new_null());
    if (!status || !failure_info || !text ||
        ASN1_INTEGER_set(status.get(), TS_STATUS_REJECTION) != 1 ||
        ASN1_BIT_STRING_set_bit(failure_info.get(), failure_bit(rejection.failure), 1) != 1) {
        return openssl_failure(Errc::internal, "building the rejection status");
    }
    if (!rejection.text.empty()) {
        if (rejection.text.size() > static_cast<std::size_t>(INT_MAX)) {
            return fail(Errc::internal, "the rejection text is too long");
        }
        Asn1Utf8String line(ASN1_UTF8STRING_new());
        if (!line ||
            ASN1_STRING_set(line.get(), rejection.text.data(),
                            static_cast<int>(rejection.text.size())) != 1 ||
            sk_ASN1_UTF8STRING_push(text.get(), line.get()) <= 0) {
            return openssl_failure(Errc::internal, "setting the rejection text");
        }
        line.release();  // the stack owns it now
    }
    PkiStatusInfo view{status.get(), rejection.text.empty() ? nullptr : text.get(),
                       failure_info.get()};
    unsigned char* der = nullptr;
    int length =
        ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(&view), &der, ASN1_ITEM_rptr(PkiStatusInfo));
    OpensslBytes owned(der);
    if (length <= 0 || der == nullptr) {
        return openssl_failure(Errc::internal, "encoding the rejection status");
    }
    const unsigned char* in = der;
    TsStatusInfo info(d2i_TS_STATUS_INFO(nullptr, &in, length));
    if (!info) return openssl_failure(Errc::internal, "reading back the rejection status");
    return info;
}

Result<std::vector<std::uint8_t>> encode_response(TS_STATUS_INFO* status, Pkcs7 token,
                                                  TsTstInfo tst_info) {
    TsResp response(TS_RESP_new());
    if (!response || TS_RESP_set_status_info(response.get(), status) != 1) {
        return openssl_failure(Errc::internal, "building the TimeStampResp");
    }
    if (token) TS_RESP_set_tst_info(response.get(), token.release(), tst_info.release());
    return to_der<TS_RESP>(response.get(), i2d_TS_RESP, "TimeStampResp");
}

// A DER tag and definite length (X.690 §8.1.3): short form below 128, else the long form.
std::vector<std::uint8_t> der_header(std::uint8_t tag, std::size_t length) {
    std::vector<std::uint8_t> header{tag};
    if (length < 0x80) {
        header.push_back(static_cast<std::uint8_t>(length));
        return header;
    }
    std::vector<std::uint8_t> octets;
    for (std::size_t rest = length; rest != 0; rest >>= 8) octets.insert(octets.begin(), static_cast<std::uint8_t>(rest));
    header.push_back(static_cast<std::uint8_t>(0x80 | octets.size()));
    header.insert(header.end(), octets.begin(), octets.end());
    return header;
}

// The contents of `der` when it is exactly one SEQUENCE with a definite length; nullopt else.
std::optional<std::span<const std::uint8_t>> der_body(std::span<const std::uint8_t> der) {
    if (der.size() < 2 || der[0] != 0x30) return std::nullopt;
    std::size_t length = der[1];
    std::size_t header = 2;
    if (length & 0x80) {
        const std::size_t octets = length & 0x7f;
        if (octets == 0 || octets > sizeof(std::size_t) || der.size() < 2 + octets) return std::nullopt;
        length = 0;
        for (std::size_t i = 0; i < octets; ++i) length = (length << 8) | der[2 + i];
        header += octets;
    }
    if (der.size() - header != length) return std::nullopt;
    return der.subspan(header);
}

}  // namespace

Result<std::vector<std::uint8_t>> issue_token(const TokenFields& fields, const cms::Signer& tsa,
                                              const cms::SignCallback& sign) {
    std::vector<std::uint8_t> tst_info;
    SIGNET_TRY(tst_info, encode_tst_info(fields));

    CmsContentInfo cms(CMS_ContentInfo_new());
    if (!cms || CMS_SignedData_init(cms.get()) != 1) {
        return openssl_failure(Errc::internal, "creating the CMS SignedData");
    }
    // RFC 3161 §2.4.2: the TSTInfo is the encapsulated content (not detached), typed
    // id-ct-TSTInfo.
    if (CMS_set1_eContentType(cms.get(), OBJ_nid2obj(NID_id_smime_ct_TSTInfo)) != 1) {
        return openssl_failure(Errc::internal, "setting the eContentType");
    }
    ASN1_OCTET_STRING** content = CMS_get0_content(cms.get());
    Asn1OctetString econtent(ASN1_OCTET_STRING_new());
    if (content == nullptr || !econtent ||
        ASN1_OCTET_STRING_set(econtent.get(), tst_info.data(), static_cast<int>(tst_info.size())) !=
            1) {
        return openssl_failure(Errc::internal, "setting the encapsulated TSTInfo");
    }
    ASN1_OCTET_STRING_free(*content);
    *content = econtent.release();

    // certReq false: RFC 3161 §2.4.1 says the certificates field must then be absent, so the
    // signer's certificate is not added either; the ESS identifier still names it.
    auto si = cms::add_signer(cms.get(), tsa, fields.include_certificates ? 0u : CMS_NOCERTS);
    if (!si) return std::unexpected(si.error());
    // RFC 5652 §11.1/§11.2: content-type must equal the eContentType; message-digest is the
    // digest of the eContent octets, with the SignerInfo's digest algorithm (SHA-256).
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    if (EVP_Digest(tst_info.data(), tst_info.size(), digest, &digest_length, EVP_sha256(),
                   nullptr) != 1) {
        return openssl_failure(Errc::internal, "hashing the TSTInfo");
    }
    if (CMS_signed_add1_attr_by_NID(*si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                    OBJ_nid2obj(NID_id_smime_ct_TSTInfo), -1) != 1) {
        return openssl_failure(Errc::internal, "adding the content-type attribute");
    }
    if (CMS_signed_add1_attr_by_NID(*si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, digest,
                                    static_cast<int>(digest_length)) != 1) {
        return openssl_failure(Errc::internal, "adding the message-digest attribute");
    }
    SIGNET_CHECK(check_signed_attributes(*si));
    SIGNET_CHECK(cms::sign_signer_info(*si, tsa.certificate, sign));
    if (fields.include_certificates) SIGNET_CHECK(cms::add_chain(cms.get(), tsa));
    // RFC 5652 §5.1: version 3, the eContentType not being id-data. OpenSSL fixes the version
    // up only when it starts reading the content (CMS_dataInit), which signing through a
    // callback never does; the BIO chain it returns is not used.
    BioChain unused(CMS_dataInit(cms.get(), nullptr));
    if (!unused) return openssl_failure(Errc::internal, "settling the SignedData's version");
    return cms::encode(cms.get());
}

TokenInfo issued_info(const TokenFields& fields, X509* tsa) {
    TokenInfo info;
    info.serial_hex = serial_hex(fields.serial);
    // The token says the time to the second (encode_tst_info).
    const auto seconds = std::chrono::floor<std::chrono::seconds>(fields.gen_time);
    info.gen_time = seconds;
    info.gen_time_text = signet::format_timestamp(seconds);
    info.tsa = tsa != nullptr ? name_text(X509_get_subject_name(tsa)) : "";
    info.policy_oid = fields.policy_oid;
    return info;
}

std::size_t token_size_bound(const cms::Signer& tsa) {
    if (tsa.certificate == nullptr) return 0;
    // What does not depend on the TSA: the TSTInfo at its largest (SHA-512 imprint, 20-byte
    // serial and nonce, 64-byte policy OID, accuracy, genTime: about 230 bytes), the
    // eContentType, the three signed attributes' fixed parts, the algorithm identifiers and
    // the SEQUENCE/SET headers: about 490 bytes measured for RSA and EC keys (token_test.cpp).
    // The margin leaves room for longer length fields and longer OIDs in the certificates'
    // algorithm identifiers.
    constexpr std::size_t fixed_structure = 1024;
    return cms::signer_size_bound(tsa) + fixed_structure;
}

Result<std::vector<std::uint8_t>> granted_response(std::span<const std::uint8_t> token) {
    // The token goes out exactly as it was signed and audited: the response is written around
    // its bytes rather than re-encoded from a parse (which cost signetd two fifths of a token's
    // CPU, OpenSSL 3 decoding every embedded certificate's key). What is checked is its shape:
    // one DER SEQUENCE, all of `token`, opening with the OID of SignedData.
    static constexpr std::uint8_t signed_data_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};
    auto body = der_body(token);
    if (!body || body->size() < sizeof signed_data_oid ||
        !std::equal(std::begin(signed_data_oid), std::end(signed_data_oid), body->begin())) {
        return fail(Errc::internal, "the time-stamp token is not one DER ContentInfo of SignedData");
    }
    TsStatusInfo status(TS_STATUS_INFO_new());
    if (!status || TS_STATUS_INFO_set_status(status.get(), TS_STATUS_GRANTED) != 1) {
        return openssl_failure(Errc::internal, "building the granted status");
    }
    std::vector<std::uint8_t> status_der;
    SIGNET_TRY(status_der, to_der(status.get(), i2d_TS_STATUS_INFO, "the granted status"));
    // TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken }
    std::vector<std::uint8_t> response = der_header(0x30, status_der.size() + token.size());
    response.insert(response.end(), status_der.begin(), status_der.end());
    response.insert(response.end(), token.begin(), token.end());
    return response;
}

Result<std::vector<std::uint8_t>> rejection_response(const Rejection& rejection) {
    TsStatusInfo status;
    SIGNET_TRY(status, rejection_status(rejection));
    return encode_response(status.get(), nullptr, nullptr);
}

}  // namespace signet::timestamp
