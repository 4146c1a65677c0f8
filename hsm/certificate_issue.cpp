#include "hsm/certificate_issue.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <ctime>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "base/base64.hpp"
#include "hsm/openssl_util.hpp"

namespace signet::hsm {
namespace {

using NamePtr = std::unique_ptr<X509_NAME, SslDeleter<&X509_NAME_free>>;
using Ia5StringPtr = std::unique_ptr<ASN1_IA5STRING, SslDeleter<&ASN1_IA5STRING_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, SslDeleter<&GENERAL_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, SslDeleter<&GENERAL_NAMES_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, SslDeleter<&BASIC_CONSTRAINTS_free>>;
using AuthorityKeyIdPtr = std::unique_ptr<AUTHORITY_KEYID, SslDeleter<&AUTHORITY_KEYID_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, SslDeleter<&X509_EXTENSION_free>>;

constexpr std::string_view what = "issuing a certificate";
constexpr std::size_t max_common_name = 128;  // characters
constexpr std::size_t max_email = 254;        // RFC 5321 §4.5.3.1.3's path, less its < >
constexpr std::size_t serial_bytes = 16;

Error openssl_failure(std::string_view step) {
    return Error{Errc::internal, openssl_error(std::string(what) + ": " + std::string(step))};
}

// The number of characters of well-formed UTF-8 (RFC 3629: no overlong form, no surrogate,
// nothing above U+10FFFF) without control characters, or nullopt. The name is stored as given,
// so this is the only check it gets; a control character in a name shown to people could fake
// a line break or hide the rest of it.
std::optional<std::size_t> characters(std::string_view text) {
    std::size_t count = 0;
    for (std::size_t at = 0; at < text.size(); ++count) {
        const auto lead = static_cast<std::uint8_t>(text[at]);
        std::size_t length = 1;
        std::uint32_t code = lead;
        std::uint32_t smallest = 0;
        if (lead >= 0xF0U && lead <= 0xF4U) {
            length = 4;
            code = lead & 0x07U;
            smallest = 0x10000U;
        } else if ((lead & 0xF0U) == 0xE0U) {
            length = 3;
            code = lead & 0x0FU;
            smallest = 0x800U;
        } else if ((lead & 0xE0U) == 0xC0U) {
            length = 2;
            code = lead & 0x1FU;
            smallest = 0x80U;
        } else if (lead >= 0x80U) {
            return std::nullopt;
        }
        if (text.size() - at < length) return std::nullopt;
        for (std::size_t next = 1; next < length; ++next) {
            const auto byte = static_cast<std::uint8_t>(text[at + next]);
            if ((byte & 0xC0U) != 0x80U) return std::nullopt;
            code = (code << 6U) | (byte & 0x3FU);
        }
        if (code < smallest || code > 0x10FFFFU || (code >= 0xD800U && code <= 0xDFFFU)) {
            return std::nullopt;
        }
        if (code < 0x20U || (code >= 0x7FU && code < 0xA0U)) return std::nullopt;  // C0, DEL, C1
        at += length;
    }
    return count;
}

Status check_spec(const LeafCertificateSpec& spec) {
    const auto length = characters(spec.common_name);
    if (!length || *length == 0 || *length > max_common_name) {
        return fail(Errc::bad_request,
                    std::string(what) + ": the common name must be UTF-8 of 1 to " +
                        std::to_string(max_common_name) + " characters without control characters");
    }
    const std::string_view email = spec.email;
    const auto printable = [](char c) { return c > ' ' && c < '\x7f'; };
    const std::size_t at = email.rfind('@');
    if (email.empty() || email.size() > max_email ||
        !std::all_of(email.begin(), email.end(), printable) || at == std::string_view::npos ||
        at == 0 || at + 1 == email.size()) {
        return fail(Errc::bad_request,
                    std::string(what) + ": the email address must be local-part@domain in " +
                        "printable ASCII, at most " + std::to_string(max_email) + " characters");
    }
    if (std::chrono::floor<std::chrono::seconds>(spec.not_after) <=
        std::chrono::floor<std::chrono::seconds>(spec.not_before)) {
        return fail(Errc::bad_request,
                    std::string(what) + ": notAfter must be at least a second after notBefore");
    }
    return {};
}

// RFC 5280 §4.2.1.9 and §4.2.1.3: only a CA certificate whose key may sign certificates may
// issue; §4.2.1.2: a CA certificate has a subjectKeyIdentifier, which the leaf's
// authorityKeyIdentifier repeats so that chain builders find the issuer.
Status check_issuer(X509* ca_certificate) {
    const std::string context = std::string(what) + ": the CA certificate";
    const BasicConstraintsPtr constraints(static_cast<BASIC_CONSTRAINTS*>(
        X509_get_ext_d2i(ca_certificate, NID_basic_constraints, nullptr, nullptr)));
    // A malformed extension leaves errors in OpenSSL's queue, which would end up in a later,
    // unrelated message.
    ERR_clear_error();
    if (!constraints || constraints->ca == 0) {
        return fail(Errc::bad_request, context + " is not a CA's (no basicConstraints CA:TRUE)");
    }
    // UINT32_MAX without a keyUsage extension: every use allowed.
    if ((X509_get_key_usage(ca_certificate) & KU_KEY_CERT_SIGN) == 0) {
        return fail(Errc::bad_request, context + "'s keyUsage does not allow keyCertSign");
    }
    if (X509_get0_subject_key_id(ca_certificate) == nullptr) {
        return fail(Errc::bad_request, context + " has no subjectKeyIdentifier");
    }
    if (X509_get0_pubkey(ca_certificate) == nullptr) {
        ERR_clear_error();
        return fail(Errc::bad_request, context + "'s public key is unusable");
    }
    return {};
}

// RFC 5280 §4.1.2.2: a positive INTEGER of at most 20 bytes, unique per CA. 127 random bits make
// a repeat negligible without a register of the serials issued. A zero first byte is drawn
// again, so that the INTEGER always has 16 bytes (DER has no leading zero byte) and is never 0.
Status set_random_serial(X509* certificate) {
    std::array<std::uint8_t, serial_bytes> bytes{};
    do {
        if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
            return fail(Errc::unavailable,
                        openssl_error(std::string(what) + ": the random generator failed"));
        }
        bytes[0] &= 0x7FU;
    } while (bytes[0] == 0);
    if (ASN1_STRING_set(X509_get_serialNumber(certificate), bytes.data(),
                        static_cast<int>(bytes.size())) != 1) {
        return std::unexpected(openssl_failure("setting the serial number"));
    }
    return {};
}

Status set_validity(X509* certificate, const LeafCertificateSpec& spec) {
    const auto seconds = [](std::chrono::system_clock::time_point when) {
        return static_cast<std::time_t>(
            std::chrono::floor<std::chrono::seconds>(when).time_since_epoch().count());
    };
    // ASN1_TIME_set writes UTCTime up to 2049 and GeneralizedTime after, as RFC 5280 §4.1.2.5 asks.
    if (ASN1_TIME_set(X509_getm_notBefore(certificate), seconds(spec.not_before)) == nullptr ||
        ASN1_TIME_set(X509_getm_notAfter(certificate), seconds(spec.not_after)) == nullptr) {
        return std::unexpected(openssl_failure("setting the validity"));
    }
    return {};
}

Status set_subject(X509* certificate, const std::string& common_name) {
    const NamePtr subject(X509_NAME_new());
    // V_ASN1_UTF8STRING, not MBSTRING_UTF8: with the MBSTRING form OpenSSL applies its table's
    // ub-common-name (64 characters) and would refuse the 65 to 128 character names allowed
    // here. The bytes are stored as they are, checked by characters() above.
    if (!subject ||
        X509_NAME_add_entry_by_NID(subject.get(), NID_commonName, V_ASN1_UTF8STRING,
                                   reinterpret_cast<const unsigned char*>(common_name.data()),
                                   static_cast<int>(common_name.size()), -1, 0) != 1 ||
        X509_set_subject_name(certificate, subject.get()) != 1) {
        return std::unexpected(openssl_failure("setting the subject"));
    }
    return {};
}

Status add_extension(X509* certificate, int nid, void* value, bool critical,
                     std::string_view name) {
    if (X509_add1_ext_i2d(certificate, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1) {
        return std::unexpected(openssl_failure("adding " + std::string(name)));
    }
    return {};
}

Status add_extensions(X509* certificate, X509* ca_certificate, const std::string& email) {
    // RFC 5280 §4.2.1.9: critical; cA FALSE is the DEFAULT, so DER leaves it out.
    const BasicConstraintsPtr constraints(BASIC_CONSTRAINTS_new());
    if (!constraints) return std::unexpected(openssl_failure("making basicConstraints"));
    SIGNET_CHECK(add_extension(certificate, NID_basic_constraints, constraints.get(), true,
                               "basicConstraints"));

    // RFC 5280 §4.2.1.3: digitalSignature (bit 0) and nonRepudiation, now contentCommitment
    // (bit 1): the guest commits to what they co-sign.
    const Asn1BitStringPtr usage(ASN1_BIT_STRING_new());
    if (!usage || ASN1_BIT_STRING_set_bit(usage.get(), 0, 1) != 1 ||
        ASN1_BIT_STRING_set_bit(usage.get(), 1, 1) != 1) {
        return std::unexpected(openssl_failure("making keyUsage"));
    }
    SIGNET_CHECK(add_extension(certificate, NID_key_usage, usage.get(), true, "keyUsage"));

    // RFC 5280 §4.2.1.6: not critical, since the subject is not empty.
    Ia5StringPtr address(ASN1_IA5STRING_new());
    GeneralNamePtr name(GENERAL_NAME_new());
    const GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
    if (!address || !name || !names ||
        ASN1_STRING_set(address.get(), email.data(), static_cast<int>(email.size())) != 1) {
        return std::unexpected(openssl_failure("making subjectAltName"));
    }
    GENERAL_NAME_set0_value(name.get(), GEN_EMAIL, address.release());
    if (sk_GENERAL_NAME_push(names.get(), name.get()) == 0) {
        return std::unexpected(openssl_failure("making subjectAltName"));
    }
    static_cast<void>(name.release());  // the stack owns it
    SIGNET_CHECK(
        add_extension(certificate, NID_subject_alt_name, names.get(), false, "subjectAltName"));

    // RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's value.
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    const Asn1OctetStringPtr key_id(ASN1_OCTET_STRING_new());
    if (!key_id || X509_pubkey_digest(certificate, EVP_sha1(), digest.data(), &length) != 1 ||
        ASN1_OCTET_STRING_set(key_id.get(), digest.data(), static_cast<int>(length)) != 1) {
        return std::unexpected(openssl_failure("making subjectKeyIdentifier"));
    }
    SIGNET_CHECK(add_extension(certificate, NID_subject_key_identifier, key_id.get(), false,
                               "subjectKeyIdentifier"));

    // RFC 5280 §4.2.1.1: the issuer's subjectKeyIdentifier, not critical.
    const AuthorityKeyIdPtr authority(AUTHORITY_KEYID_new());
    if (!authority) return std::unexpected(openssl_failure("making authorityKeyIdentifier"));
    authority->keyid = ASN1_OCTET_STRING_dup(X509_get0_subject_key_id(ca_certificate));
    if (authority->keyid == nullptr) {
        return std::unexpected(openssl_failure("making authorityKeyIdentifier"));
    }
    SIGNET_CHECK(add_extension(certificate, NID_authority_key_identifier, authority.get(), false,
                               "authorityKeyIdentifier"));

    // RFC 9608 §2: id-ce-noRevAvail (2.5.29.56), value NULL, not critical. The certificate lives
    // minutes, so no CRL or OCSP answer will ever cover it, and relying parties are told so
    // rather than left to look. OpenSSL 3.0 names the OID (NID_no_rev_avail, from attribute
    // certificates, RFC 5755 §4.3.6) but has no encoder for it: the value is given as DER.
    static constexpr std::array<unsigned char, 2> der_null{0x05, 0x00};
    const Asn1OctetStringPtr null_value(ASN1_OCTET_STRING_new());
    if (!null_value || ASN1_OCTET_STRING_set(null_value.get(), der_null.data(),
                                             static_cast<int>(der_null.size())) != 1) {
        return std::unexpected(openssl_failure("making noRevAvail"));
    }
    const ExtensionPtr no_revocation(
        X509_EXTENSION_create_by_NID(nullptr, NID_no_rev_avail, 0, null_value.get()));
    if (!no_revocation || X509_add_ext(certificate, no_revocation.get(), -1) != 1) {
        return std::unexpected(openssl_failure("adding noRevAvail"));
    }
    return {};
}

// Signs the TBSCertificate with `ca_key` in the token. OpenSSL 3.0 can set a request's signature
// (X509_REQ_set1_signature_algo, X509_REQ_set0_signature) but not a certificate's: its two
// AlgorithmIdentifiers and its signature are written through the pointers its getters return.
// The caller parses the result again and verifies it, so a mistake here cannot go unnoticed.
Status sign_in_token(Token& token, const KeyId& ca_key, X509* certificate,
                     const X509_ALGOR* algorithm) {
    if (X509_ALGOR_copy(const_cast<X509_ALGOR*>(X509_get0_tbs_sigalg(certificate)), algorithm) !=
        1) {
        return std::unexpected(openssl_failure("setting the signature algorithm"));
    }
    unsigned char* encoded = nullptr;
    const int length = i2d_re_X509_tbs(certificate, &encoded);
    const OpensslBytes tbs(encoded);
    if (length <= 0 || !tbs) return std::unexpected(openssl_failure("encoding the TBSCertificate"));

    auto signature = token.sign(
        ca_key, std::span<const std::uint8_t>(tbs.get(), static_cast<std::size_t>(length)));
    if (!signature) {
        return std::unexpected(signature.error().with_context(std::string(what) + ": signing"));
    }

    const ASN1_BIT_STRING* bits = nullptr;
    const X509_ALGOR* outer = nullptr;
    X509_get0_signature(&bits, &outer, certificate);
    if (X509_ALGOR_copy(const_cast<X509_ALGOR*>(outer), algorithm) != 1) {
        return std::unexpected(openssl_failure("setting the signature algorithm"));
    }
    return set_signature_bits(const_cast<ASN1_BIT_STRING*>(bits), *signature);
}

}  // namespace

Result<IssuedCertificate> issue_leaf_certificate(Token& token, const KeyId& ca_key,
                                                 X509* ca_certificate, EVP_PKEY* subject_key,
                                                 const LeafCertificateSpec& spec) {
    if (ca_certificate == nullptr || subject_key == nullptr) {
        return fail(Errc::bad_request, std::string(what) + ": no CA certificate or no subject key");
    }
    SIGNET_CHECK(check_spec(spec));
    SIGNET_CHECK(check_issuer(ca_certificate));
    auto algorithm = signature_algorithm(X509_get0_pubkey(ca_certificate));
    if (!algorithm) return std::unexpected(algorithm.error().with_context(std::string(what)));

    const X509Ptr certificate(X509_new());
    if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1 ||
        X509_set_issuer_name(certificate.get(), X509_get_subject_name(ca_certificate)) != 1 ||
        X509_set_pubkey(certificate.get(), subject_key) != 1) {
        return std::unexpected(openssl_failure("making the certificate"));
    }
    SIGNET_CHECK(set_random_serial(certificate.get()));
    SIGNET_CHECK(set_validity(certificate.get(), spec));
    SIGNET_CHECK(set_subject(certificate.get(), spec.common_name));
    SIGNET_CHECK(add_extensions(certificate.get(), ca_certificate, spec.email));
    SIGNET_CHECK(sign_in_token(token, ca_key, certificate.get(), algorithm->get()));

    auto der = der_encode([&](unsigned char** out) { return i2d_X509(certificate.get(), out); },
                          std::string(what) + ": encoding");
    if (!der) return std::unexpected(der.error());
    // What is handed out is what was parsed back from the DER and verified with the CA
    // certificate's key: the token signed what we built, with the key we think.
    const unsigned char* in = der->data();
    const X509Ptr issued(d2i_X509(nullptr, &in, static_cast<long>(der->size())));
    if (!issued || in != der->data() + der->size()) {
        return std::unexpected(openssl_failure("parsing the issued certificate"));
    }
    if (X509_verify(issued.get(), X509_get0_pubkey(ca_certificate)) != 1) {
        return fail(Errc::invalid_certificate,
                    openssl_error(std::string(what) +
                                  ": the signature does not verify with the CA certificate's key; "
                                  "is the token's key " +
                                  hex_encode(ca_key) + " that certificate's key?"));
    }
    const ASN1_INTEGER* serial = X509_get0_serialNumber(issued.get());
    const auto serial_data = std::span<const std::uint8_t>(
        ASN1_STRING_get0_data(serial), static_cast<std::size_t>(ASN1_STRING_length(serial)));
    return IssuedCertificate{std::move(*der), hex_encode(serial_data)};
}

}  // namespace signet::hsm
