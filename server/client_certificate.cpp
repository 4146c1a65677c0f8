#include "server/client_certificate.hpp"

#include <array>

#include <openssl/evp.h>

#include "base/base64.hpp"

namespace signet::daemon {

std::optional<config::ClientIdentity> identify(X509* certificate,
                                       const std::vector<config::ClientMapping>& mappings) {
    if (certificate == nullptr) return std::nullopt;
    config::ClientIdentity identity;
    std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (X509_digest(certificate, EVP_sha256(), digest.data(), &size) != 1) return std::nullopt;
    identity.fingerprint = hex_encode(std::span(digest.data(), size));

    X509_NAME* subject = X509_get_subject_name(certificate);
    int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    // A subject with two CNs is ambiguous: it maps by fingerprint only.
    if (index >= 0 && X509_NAME_get_index_by_NID(subject, NID_commonName, index) < 0) {
        ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
        unsigned char* utf8 = nullptr;
        int length = ASN1_STRING_to_UTF8(&utf8, data);
        if (length >= 0) {
            identity.subject_cn.assign(reinterpret_cast<char*>(utf8),
                                       static_cast<std::size_t>(length));
            OPENSSL_free(utf8);
        }
    }
    // A fingerprint mapping is the more specific one and wins over a CN mapping.
    for (const auto& mapping : mappings) {
        if (!mapping.sha256.empty() && mapping.sha256 == identity.fingerprint) {
            identity.role = mapping.role;
            return identity;
        }
    }
    for (const auto& mapping : mappings) {
        if (!mapping.subject_cn.empty() && !identity.subject_cn.empty() &&
            mapping.subject_cn == identity.subject_cn) {
            identity.role = mapping.role;
            return identity;
        }
    }
    return identity;
}

}  // namespace signet::daemon
