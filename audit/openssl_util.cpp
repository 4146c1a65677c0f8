#include "audit/openssl_util.hpp"

#include <climits>
#include <cstdio>
#include <cstdlib>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace signet::audit {
namespace {

using Bio = std::unique_ptr<BIO, SslDeleter<&BIO_free>>;
using X509Ptr = std::unique_ptr<X509, SslDeleter<&X509_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, SslDeleter<&EVP_MD_CTX_free>>;

// OpenSSL's error queue of this thread as one line, emptied (s2n-tls: carry the library's reason).
std::string drain_openssl_errors() {
    std::string out;
    char line[256];
    while (unsigned long code = ERR_get_error()) {
        ERR_error_string_n(code, line, sizeof line);
        out += out.empty() ? "" : "; ";
        out += line;
    }
    return out;
}

bool is_base64_letter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1 || length != 32) {
        std::fprintf(stderr, "signet: OpenSSL cannot compute SHA-256 (%s)\n", drain_openssl_errors().c_str());
        std::abort();
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 0x0F];
    }
    return out;
}

std::string base64_encode(const std::vector<std::uint8_t>& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

Result<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0 || text.size() > INT_MAX) {
        return fail(Errc::bad_request, "not padded base64");
    }
    const std::size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
    for (std::size_t i = 0; i < text.size() - padding; ++i) {
        if (!is_base64_letter(text[i])) return fail(Errc::bad_request, "not base64");
    }
    std::vector<std::uint8_t> out(text.size() / 4 * 3);
    int length = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                 static_cast<int>(text.size()));
    if (length < 0 || static_cast<std::size_t>(length) < padding) return fail(Errc::bad_request, "not base64");
    // EVP_DecodeBlock decodes the padding as zero bytes and counts them.
    out.resize(static_cast<std::size_t>(length) - padding);
    if (base64_encode(out) != text) return fail(Errc::bad_request, "not canonical base64");
    return out;
}

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
