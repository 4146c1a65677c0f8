#include "devpki/dev_pki.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <functional>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "base/openssl_error.hpp"

namespace signet::devpki {
namespace {

Status add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) return openssl_failure(Errc::internal, "building extension " + value);
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (ok != 1) return openssl_failure(Errc::internal, "adding extension " + value);
    return {};
}

std::string join_sans(const CertificateSpec& spec) {
    std::string sans;
    for (const auto& name : spec.dns_names) sans += (sans.empty() ? "DNS:" : ",DNS:") + name;
    for (const auto& ip : spec.ip_addresses) sans += (sans.empty() ? "IP:" : ",IP:") + ip;
    return sans;
}

Status add_usage_extensions(X509* cert, X509* issuer, const CertificateSpec& spec) {
    struct Ext {
        int nid;
        std::string value;
    };
    std::vector<Ext> exts;
    switch (spec.usage) {
        case Usage::ca:
            exts = {{NID_basic_constraints, "critical,CA:TRUE"},
                    {NID_key_usage, "critical,keyCertSign,cRLSign"}};
            break;
        case Usage::guest_ca:
            exts = {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                    {NID_key_usage, "critical,keyCertSign,cRLSign"}};
            break;
        case Usage::tls_server:
            exts = {{NID_basic_constraints, "critical,CA:FALSE"},
                    {NID_key_usage, "critical,digitalSignature"},
                    {NID_ext_key_usage, "serverAuth"}};
            if (auto sans = join_sans(spec); !sans.empty()) {
                exts.push_back({NID_subject_alt_name, sans});
            }
            break;
        case Usage::tls_client:
            exts = {{NID_basic_constraints, "critical,CA:FALSE"},
                    {NID_key_usage, "critical,digitalSignature"},
                    {NID_ext_key_usage, "clientAuth"}};
            break;
        case Usage::signing:
            exts = {{NID_basic_constraints, "critical,CA:FALSE"},
                    {NID_key_usage, "critical,digitalSignature,nonRepudiation"}};
            break;
        case Usage::time_stamping:
            exts = {{NID_basic_constraints, "critical,CA:FALSE"},
                    {NID_key_usage, "critical,digitalSignature"},
                    {NID_ext_key_usage, "critical,timeStamping"}};
            break;
        case Usage::time_stamping_noncritical:
            exts = {{NID_basic_constraints, "critical,CA:FALSE"},
                    {NID_key_usage, "critical,digitalSignature"},
                    {NID_ext_key_usage, "timeStamping"}};
            break;
    }
    exts.push_back({NID_subject_key_identifier, "hash"});
    if (issuer != nullptr) exts.push_back({NID_authority_key_identifier, "keyid:always"});
    if (!spec.ocsp_url.empty()) exts.push_back({NID_info_access, "OCSP;URI:" + spec.ocsp_url});
    if (!spec.crl_url.empty()) exts.push_back({NID_crl_distribution_points, "URI:" + spec.crl_url});
    for (const auto& ext : exts) {
        if (auto status = add_extension(cert, issuer != nullptr ? issuer : cert, ext.nid, ext.value);
            !status) {
            return status;
        }
    }
    return {};
}

Status write_pem(const std::filesystem::path& path, mode_t mode,
                 const std::function<int(BIO*)>& write) {
    // O_EXCL: dev-init must never overwrite a key or certificate that is already there.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        return fail(Errc::conflict, "cannot create " + path.string() + ": " +
                                        std::string(std::strerror(errno)));
    }
    Bio bio(BIO_new_fd(fd, BIO_CLOSE));
    if (!bio) {
        ::close(fd);
        return openssl_failure(Errc::internal, "opening " + path.string());
    }
    if (write(bio.get()) != 1 || BIO_flush(bio.get()) != 1) {
        return openssl_failure(Errc::internal, "writing " + path.string());
    }
    return {};
}

}  // namespace

Result<Key> generate_key(std::string_view algorithm) {
    EVP_PKEY* key = nullptr;
    if (algorithm == "rsa-2048" || algorithm == "rsa-3072") {
        unsigned bits = algorithm == "rsa-2048" ? 2048U : 3072U;
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits));
    } else if (algorithm == "ec-p256" || algorithm == "ec-p384") {
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC",
                                algorithm == "ec-p256" ? "P-256" : "P-384");
    } else {
        return fail(Errc::bad_request, "unknown key algorithm '" + std::string(algorithm) +
                                           "' (expected rsa-2048, rsa-3072, ec-p256 or ec-p384)");
    }
    if (key == nullptr) return openssl_failure(Errc::internal, "generating a key");
    return Key(key);
}

Result<Cert> issue(const CertificateSpec& spec, EVP_PKEY* subject_key, X509* issuer,
                   EVP_PKEY* issuer_key) {
    Cert cert(X509_new());
    if (!cert) return openssl_failure(Errc::internal, "allocating a certificate");
    std::array<unsigned char, 16> serial_bytes{};
    if (RAND_bytes(serial_bytes.data(), serial_bytes.size()) != 1) {
        return openssl_failure(Errc::internal, "drawing a serial number");
    }
    serial_bytes[0] &= 0x7F;  // RFC 5280 §4.1.2.2: a positive INTEGER of at most 20 octets
    std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(
        BN_bin2bn(serial_bytes.data(), static_cast<int>(serial_bytes.size()), nullptr), BN_free);
    X509_NAME* name = X509_get_subject_name(cert.get());
    bool ok = serial && X509_set_version(cert.get(), 2) == 1 &&
              BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr &&
              X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
              X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                              static_cast<long>(spec.valid_days) * 86400L) != nullptr &&
              X509_NAME_add_entry_by_txt(
                  name, "O", MBSTRING_UTF8,
                  reinterpret_cast<const unsigned char*>(spec.organization.c_str()), -1, -1,
                  0) == 1 &&
              X509_NAME_add_entry_by_txt(
                  name, "CN", MBSTRING_UTF8,
                  reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1,
                  0) == 1 &&
              X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer)
                                                                 : name) == 1 &&
              X509_set_pubkey(cert.get(), subject_key) == 1;
    if (!ok) return openssl_failure(Errc::internal, "filling in the certificate");
    if (auto status = add_usage_extensions(cert.get(), issuer, spec); !status) {
        return std::unexpected(status.error());
    }
    if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) {
        return openssl_failure(Errc::internal, "signing the certificate");
    }
    return cert;
}

Status write_certificate(const std::filesystem::path& path, X509* cert) {
    return write_pem(path, 0644, [cert](BIO* bio) { return PEM_write_bio_X509(bio, cert); });
}

Status write_private_key(const std::filesystem::path& path, EVP_PKEY* key) {
    return write_pem(path, 0600, [key](BIO* bio) {
        return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    });
}

Result<Cert> read_certificate(const std::filesystem::path& path) {
    Bio bio(BIO_new_file(path.c_str(), "rb"));
    if (!bio) return openssl_failure(Errc::invalid_config, "cannot read " + path.string());
    Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) return openssl_failure(Errc::invalid_config, path.string() + " holds no PEM certificate");
    return cert;
}

Result<Key> read_private_key(const std::filesystem::path& path) {
    Bio bio(BIO_new_file(path.c_str(), "rb"));
    if (!bio) return openssl_failure(Errc::invalid_config, "cannot read " + path.string());
    Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) return openssl_failure(Errc::invalid_config, path.string() + " holds no PEM private key");
    return key;
}

Result<std::string> sha256_fingerprint(X509* cert) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (X509_digest(cert, EVP_sha256(), digest.data(), &size) != 1) {
        return openssl_failure(Errc::internal, "hashing a certificate");
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < size; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0x0F];
    }
    return out;
}

}  // namespace signet::devpki
