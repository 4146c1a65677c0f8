#include "audit/openssl_util.hpp"

#include <climits>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/openssl_error.hpp"

namespace signet::audit {

Result<std::vector<PkeyPtr>> certificate_public_keys(const std::string& pem) {
    if (pem.size() > INT_MAX) return fail(Errc::bad_request, "the audit certificate is too large");
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return fail(Errc::internal, "cannot read the audit certificate (" + drain_openssl_errors() + ")");
    std::vector<PkeyPtr> keys;
    for (;;) {
        X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
        if (!certificate) break;
        PkeyPtr key(X509_get_pubkey(certificate.get()));
        if (!key) {
            return fail(Errc::bad_request,
                        "an audit certificate has no usable public key (" + drain_openssl_errors() + ")");
        }
        keys.push_back(std::move(key));
    }
    if (keys.empty()) {
        return fail(Errc::bad_request, "the audit certificate is not a PEM certificate (" + drain_openssl_errors() + ")");
    }
    ERR_clear_error();  // the end of the text reads as an error
    return keys;
}

bool verifies(const std::vector<PkeyPtr>& keys, std::string_view data, const std::vector<std::uint8_t>& signature) {
    bool ok = false;
    for (const auto& key : keys) {
        MdCtx context(EVP_MD_CTX_new());
        ok = context && EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
             EVP_DigestVerify(context.get(), signature.data(), signature.size(),
                              reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
        if (ok) break;
    }
    // A signature that does not verify leaves its reason in the queue: it is an answer, not an error.
    ERR_clear_error();
    return ok;
}

}  // namespace signet::audit
