#include "timestamp/request.hpp"

#include <algorithm>
#include <climits>
#include <iterator>
#include <memory>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "base/openssl_error.hpp"
#include "base/ssl_ptr.hpp"
#include "timestamp/ts_ptr.hpp"

namespace signet::timestamp {
namespace {


std::size_t hash_length(int nid) {
    switch (nid) {
        case NID_sha256:
            return 32;
        case NID_sha384:
            return 48;
        case NID_sha512:
            return 64;
        default:
            return 0;
    }
}

Rejection reject(FailureInfo failure, std::string text) {
    return Rejection{failure, std::move(text)};
}

// The dotted form of an OID: a name would depend on OpenSSL's table, and the configured policy
// is dotted.
std::string dotted(const ASN1_OBJECT* object) {
    char small[128];
    int length = OBJ_obj2txt(small, sizeof small, object, 1);
    if (length <= 0) return {};
    if (static_cast<std::size_t>(length) < sizeof small)
        return std::string(small, static_cast<std::size_t>(length));
    std::string text(static_cast<std::size_t>(length) + 1, '\0');
    OBJ_obj2txt(text.data(), length + 1, object, 1);
    text.resize(static_cast<std::size_t>(length));
    return text;
}

Result<std::vector<std::uint8_t>> integer_der(const ASN1_INTEGER* integer) {
    int length = i2d_ASN1_INTEGER(integer, nullptr);
    if (length <= 0) return openssl_failure(Errc::internal, "encoding the nonce");
    std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
    unsigned char* out = der.data();
    if (i2d_ASN1_INTEGER(integer, &out) != length) {
        return openssl_failure(Errc::internal, "encoding the nonce");
    }
    return der;
}

// The algorithm's parameters must be absent or NULL (RFC 5754 §2 allows both for SHA-2);
// anything else is not the algorithm signet knows under that OID.
bool null_or_absent_parameters(const X509_ALGOR* algorithm) {
    int type = 0;
    const void* value = nullptr;
    X509_ALGOR_get0(nullptr, &type, &value, algorithm);
    return type == V_ASN1_UNDEF || type == V_ASN1_NULL;
}

}  // namespace

bool supported_hash(int nid) { return hash_length(nid) != 0; }

Result<std::variant<Request, Rejection>> parse_request(std::span<const std::uint8_t> der,
                                                       std::string_view accepted_policy) {
    if (der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX)) {
        return fail(Errc::bad_request, "the body is not an RFC 3161 TimeStampReq");
    }
    const unsigned char* in = der.data();
    TsReq request(d2i_TS_REQ(nullptr, &in, static_cast<long>(der.size())));
    if (!request) {
        return openssl_failure(Errc::bad_request, "the body is not a DER RFC 3161 TimeStampReq");
    }
    // DER has one encoding per value: bytes after the request are not part of it, and a body
    // that carries them is not a TimeStampReq.
    if (in != der.data() + der.size()) {
        return fail(Errc::bad_request, "the body has " +
                                           std::to_string(der.data() + der.size() - in) +
                                           " bytes after the TimeStampReq");
    }

    if (TS_REQ_get_version(request.get()) != 1) {
        return reject(FailureInfo::bad_request, "only version 1 TimeStampReqs are served");
    }
    TS_MSG_IMPRINT* imprint = TS_REQ_get_msg_imprint(request.get());
    X509_ALGOR* algorithm = imprint != nullptr ? TS_MSG_IMPRINT_get_algo(imprint) : nullptr;
    ASN1_OCTET_STRING* digest = imprint != nullptr ? TS_MSG_IMPRINT_get_msg(imprint) : nullptr;
    if (algorithm == nullptr || digest == nullptr) {
        return fail(Errc::bad_request, "the TimeStampReq has no message imprint");
    }
    const ASN1_OBJECT* algorithm_oid = nullptr;
    X509_ALGOR_get0(&algorithm_oid, nullptr, nullptr, algorithm);
    int hash_nid = OBJ_obj2nid(algorithm_oid);
    if (!supported_hash(hash_nid) || !null_or_absent_parameters(algorithm)) {
        return reject(FailureInfo::bad_alg, "the message imprint's hash algorithm " +
                                                dotted(algorithm_oid) +
                                                " is not served; use SHA-256, SHA-384 or SHA-512");
    }
    auto digest_length = static_cast<std::size_t>(ASN1_STRING_length(digest));
    if (digest_length != hash_length(hash_nid)) {
        return reject(FailureInfo::bad_data_format,
                      "the message imprint has " + std::to_string(digest_length) + " bytes where " +
                          OBJ_nid2sn(hash_nid) + " has " + std::to_string(hash_length(hash_nid)));
    }

    Request parsed;
    parsed.hash_nid = hash_nid;
    const unsigned char* digest_bytes = ASN1_STRING_get0_data(digest);
    parsed.imprint.assign(digest_bytes, digest_bytes + digest_length);

    if (const ASN1_OBJECT* policy = TS_REQ_get_policy_id(request.get())) {
        std::string text = dotted(policy);
        if (text != accepted_policy) {
            return reject(FailureInfo::unaccepted_policy, "the requested policy " + text +
                                                              " is not this TSA's (" +
                                                              std::string(accepted_policy) + ")");
        }
        parsed.policy_oid = std::move(text);
    }
    // RFC 3161 §2.4.1: a TSA must reject a request with an extension it does not recognise;
    // signet recognises none.
    if (TS_REQ_get_ext_count(request.get()) > 0) {
        return reject(FailureInfo::unaccepted_extension,
                      "the TimeStampReq has extensions; this TSA supports none");
    }
    if (const ASN1_INTEGER* nonce = TS_REQ_get_nonce(request.get())) {
        std::vector<std::uint8_t> nonce_der;
        SIGNET_TRY(nonce_der, integer_der(nonce));
        parsed.nonce = std::move(nonce_der);
    }
    parsed.cert_req = TS_REQ_get_cert_req(request.get()) != 0;
    return parsed;
}

Result<std::vector<std::uint8_t>> make_request(
    int hash_nid, std::span<const std::uint8_t> imprint,
    const std::optional<std::vector<std::uint8_t>>& nonce) {
    if (!supported_hash(hash_nid)) {
        return fail(Errc::internal,
                    "time-stamp requests are made with SHA-256, SHA-384 or SHA-512");
    }
    if (imprint.size() != hash_length(hash_nid)) {
        return fail(Errc::internal, "the message imprint does not have the hash's length");
    }
    TsReq request(TS_REQ_new());
    TsMsgImprint message_imprint(TS_MSG_IMPRINT_new());
    X509Algor algorithm(X509_ALGOR_new());
    if (!request || !message_imprint || !algorithm) {
        return openssl_failure(Errc::internal, "allocating the TimeStampReq");
    }
    // Parameters NULL, as `openssl ts -query` writes them.
    if (X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(hash_nid), V_ASN1_NULL, nullptr) != 1 ||
        TS_MSG_IMPRINT_set_algo(message_imprint.get(), algorithm.get()) != 1) {
        return openssl_failure(Errc::internal, "setting the message imprint's algorithm");
    }
    // TS_MSG_IMPRINT_set_msg copies, but takes a non-const pointer.
    std::vector<std::uint8_t> digest(imprint.begin(), imprint.end());
    if (TS_MSG_IMPRINT_set_msg(message_imprint.get(), digest.data(),
                               static_cast<int>(digest.size())) != 1 ||
        TS_REQ_set_msg_imprint(request.get(), message_imprint.get()) != 1 ||
        TS_REQ_set_version(request.get(), 1) != 1 ||
        // The certificates in the token let a verifier check it without the TSA's certificate
        // on hand, and PAdES B-T tokens must be verifiable from the document alone.
        TS_REQ_set_cert_req(request.get(), 1) != 1) {
        return openssl_failure(Errc::internal, "building the TimeStampReq");
    }
    if (nonce) {
        const unsigned char* in = nonce->data();
        Asn1Integer integer(d2i_ASN1_INTEGER(nullptr, &in, static_cast<long>(nonce->size())));
        if (!integer || in != nonce->data() + nonce->size()) {
            return openssl_failure(Errc::internal, "the nonce is not one DER INTEGER");
        }
        if (TS_REQ_set_nonce(request.get(), integer.get()) != 1) {
            return openssl_failure(Errc::internal, "setting the nonce");
        }
    }
    int length = i2d_TS_REQ(request.get(), nullptr);
    if (length <= 0) return openssl_failure(Errc::internal, "encoding the TimeStampReq");
    std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
    unsigned char* out = der.data();
    if (i2d_TS_REQ(request.get(), &out) != length) {
        return openssl_failure(Errc::internal, "encoding the TimeStampReq");
    }
    return der;
}

Result<std::vector<std::uint8_t>> random_nonce() {
    std::uint8_t bytes[8];
    // Positive (top bit clear, so no sign byte is needed) and non-zero: some TSAs treat a zero
    // nonce as absent. A zero draw is a 2^-63 event; drawing again costs nothing.
    do {
        if (RAND_bytes(bytes, sizeof bytes) != 1) {
            return openssl_failure(Errc::unavailable, "drawing a random nonce");
        }
        bytes[0] &= 0x7f;
    } while (
        std::all_of(std::begin(bytes), std::end(bytes), [](std::uint8_t b) { return b == 0; }));
    BigNum number(BN_bin2bn(bytes, sizeof bytes, nullptr));
    if (!number) return openssl_failure(Errc::internal, "converting the nonce");
    Asn1Integer integer(BN_to_ASN1_INTEGER(number.get(), nullptr));
    if (!integer) return openssl_failure(Errc::internal, "converting the nonce");
    return integer_der(integer.get());
}

}  // namespace signet::timestamp
