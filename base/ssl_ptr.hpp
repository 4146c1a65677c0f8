#pragma once
// One unique_ptr per OpenSSL type (Tink's ssl_unique_ptr.h): every object OpenSSL hands us is
// owned from the line that creates it, so no early return can leak it. The deleter is the one
// copy every module uses; a module names the further types it needs with it.

#include <memory>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace signet {

template <auto free_function>
struct SslDeleter {
    template <class T>
    void operator()(T* object) const {
        free_function(object);
    }
};

using Bio = std::unique_ptr<BIO, SslDeleter<&BIO_free>>;
using CmsContentInfo = std::unique_ptr<CMS_ContentInfo, SslDeleter<&CMS_ContentInfo_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, SslDeleter<&EVP_MD_CTX_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, SslDeleter<&EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, SslDeleter<&X509_free>>;
using X509Crl = std::unique_ptr<X509_CRL, SslDeleter<&X509_CRL_free>>;
using X509Attribute = std::unique_ptr<X509_ATTRIBUTE, SslDeleter<&X509_ATTRIBUTE_free>>;

// Memory that OpenSSL allocated for us (i2d output): OPENSSL_free is a macro, hence the lambda.
struct OpensslFree {
    void operator()(unsigned char* bytes) const { OPENSSL_free(bytes); }
};
using OpensslBytes = std::unique_ptr<unsigned char, OpensslFree>;

}  // namespace signet
