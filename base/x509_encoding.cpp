#include "base/x509_encoding.hpp"

#include <openssl/pem.h>

#include "base/openssl_error.hpp"
#include "base/ssl_ptr.hpp"

namespace signet {

Result<std::string> to_pem(X509* cert) {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
        return openssl_failure(Errc::internal, "encoding a certificate as PEM");
    }
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

Result<std::vector<unsigned char>> to_der(X509* cert) {
    int size = i2d_X509(cert, nullptr);
    if (size <= 0) return openssl_failure(Errc::internal, "encoding a certificate as DER");
    std::vector<unsigned char> der(static_cast<std::size_t>(size));
    unsigned char* out = der.data();
    i2d_X509(cert, &out);
    return der;
}

std::string name_text(const X509_NAME* name) {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) return "";
    char* data = nullptr;
    long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace signet
