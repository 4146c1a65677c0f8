#include "hsm/token/token_internal.hpp"

#include <iterator>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include <openssl/rand.h>

#include "hsm/pkcs11_error.hpp"

namespace signet::hsm {

using namespace detail;  // the pieces token_internal.hpp shares between these files

Result<bool> Token::Impl::ensure_secret_key(const KeyId& id, std::string_view label, SecretUse use,
                                            const std::string& context) {
    if (id.empty()) return fail(Errc::bad_request, context + ": the key id (CKA_ID) is empty");
    const bool seal = use == SecretUse::seal;
    CK_KEY_TYPE key_type = seal ? CKK_AES : CKK_GENERIC_SECRET;
    std::lock_guard generating(generate_mutex_);
    return run(context, [&](Lease& lease) -> Result<bool> {
        auto existing = find_objects(lease, CKO_SECRET_KEY, id);
        if (!existing) return std::unexpected(existing.error().with_context(context));
        for (const CK_OBJECT_HANDLE handle : *existing) {
            CK_KEY_TYPE found_type = 0;
            CK_ATTRIBUTE query = attribute(CKA_KEY_TYPE, found_type);
            const CK_RV rv =
                lease.check(lease.functions()->C_GetAttributeValue(lease.handle(), handle, &query, 1));
            if (rv != CKR_OK) return std::unexpected(ck_error(context + ": reading CKA_KEY_TYPE", rv));
            if (found_type != key_type) {
                return fail(Errc::conflict, context + ": a secret key of another type has this CKA_ID");
            }
        }
        if (!existing->empty()) return false;
        CK_OBJECT_CLASS secret_class = CKO_SECRET_KEY;
        CK_ULONG length = 32;  // AES-256; for HMAC-SHA256, the hash's length (RFC 2104 §3)
        CK_BBOOL yes = CK_TRUE;
        CK_BBOOL no = CK_FALSE;
        CK_BBOOL for_seal = seal ? CK_TRUE : CK_FALSE;
        CK_BBOOL for_mac = seal ? CK_FALSE : CK_TRUE;
        // §4.10 secret key: every use set explicitly rather than left to the module's defaults.
        CK_ATTRIBUTE key_template[] = {
            attribute(CKA_CLASS, secret_class), attribute(CKA_KEY_TYPE, key_type),  attribute(CKA_VALUE_LEN, length),
            attribute(CKA_TOKEN, yes),          attribute(CKA_PRIVATE, yes),        attribute(CKA_SENSITIVE, yes),
            attribute(CKA_EXTRACTABLE, no),     attribute(CKA_ENCRYPT, for_seal),   attribute(CKA_DECRYPT, for_seal),
            attribute(CKA_SIGN, for_mac),       attribute(CKA_VERIFY, for_mac),     attribute(CKA_WRAP, no),
            attribute(CKA_UNWRAP, no),          attribute(CKA_DERIVE, no),          bytes_attribute(CKA_ID, id),
            text_attribute(CKA_LABEL, label),
        };
        CK_MECHANISM mechanism{seal ? CKM_AES_KEY_GEN : CKM_GENERIC_SECRET_KEY_GEN, nullptr, 0};
        CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
        // §5.14 C_GenerateKey.
        const CK_RV rv = lease.check(lease.functions()->C_GenerateKey(lease.handle(), &mechanism, key_template,
                                                                        std::size(key_template), &handle));
        if (rv != CKR_OK) return std::unexpected(ck_error(context, rv));
        return true;
    });
}

Result<bool> Token::ensure_wrapping_key(const KeyId& id, std::string_view label) {
    return impl_->ensure_secret_key(id, label, Impl::SecretUse::seal,
                                    "making the wrapping key " + impl_->key_name(id));
}

Result<bool> Token::ensure_mac_key(const KeyId& id, std::string_view label) {
    return impl_->ensure_secret_key(id, label, Impl::SecretUse::mac,
                                    "making the MAC key " + impl_->key_name(id));
}

Result<std::vector<std::uint8_t>> Token::mac(const KeyId& id, std::span<const std::uint8_t> data) {
    const std::string context = "computing a MAC with " + impl_->key_name(id);
    if (id.empty()) return fail(Errc::bad_request, context + ": the key id (CKA_ID) is empty");
    return impl_->run(context, [&](Lease& lease) -> Result<std::vector<std::uint8_t>> {
        for (int attempt = 1;; ++attempt) {
            auto key = impl_->object(lease, CKO_SECRET_KEY, id, context);
            if (!key) return std::unexpected(key.error());
            std::vector<std::uint8_t> mac;
            // Current Mechanisms, SHA-256-HMAC: the token computes the whole HMAC, so the key
            // never has to leave it; its output is the full 32-byte hash (not truncated).
            const CK_RV rv = sign_once(lease, *key, CKM_SHA256_HMAC, data, mac);
            if (rv == CKR_OK) {
                if (mac.size() != 32) {
                    return fail(Errc::internal, context + ": the token returned " + std::to_string(mac.size()) +
                                                    " bytes, not 32");
                }
                return mac;
            }
            // Destroyed (and perhaps re-made) between the handle's check and its use: once more.
            if (attempt == 1 && (rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID)) {
                impl_->forget(id);
                continue;
            }
            lease.check(rv);
            return std::unexpected(ck_error(context, rv));
        }
    });
}

namespace {

constexpr std::size_t gcm_iv_bytes = 12;
constexpr std::size_t gcm_tag_bytes = 16;

// One AES-GCM operation (§5.8 C_EncryptInit/C_Encrypt, §5.9 C_DecryptInit/C_Decrypt) with the
// §2.3 two-call length query.
Result<std::vector<std::uint8_t>> aes_gcm(Lease& lease, CK_OBJECT_HANDLE key, bool encrypt,
                                          std::span<const std::uint8_t> iv, std::string_view aad,
                                          std::span<const std::uint8_t> input, const std::string& context) {
    CK_GCM_PARAMS parameters{};
    parameters.iv_ptr = const_cast<std::uint8_t*>(iv.data());
    parameters.iv_len = iv.size();
    parameters.iv_bits = iv.size() * 8;
    parameters.aad_ptr = reinterpret_cast<unsigned char*>(const_cast<char*>(aad.data()));
    parameters.aad_len = aad.size();
    parameters.tag_bits = gcm_tag_bytes * 8;
    CK_MECHANISM mechanism{CKM_AES_GCM, &parameters, sizeof parameters};
    CK_FUNCTION_LIST* functions = lease.functions();
    CK_RV rv = lease.check(encrypt ? functions->C_EncryptInit(lease.handle(), &mechanism, key)
                                   : functions->C_DecryptInit(lease.handle(), &mechanism, key));
    if (rv != CKR_OK) return std::unexpected(ck_error(context, rv));
    auto* in = const_cast<std::uint8_t*>(input.data());
    CK_ULONG length = 0;
    rv = lease.check(encrypt ? functions->C_Encrypt(lease.handle(), in, input.size(), nullptr, &length)
                             : functions->C_Decrypt(lease.handle(), in, input.size(), nullptr, &length));
    if (rv != CKR_OK) return std::unexpected(ck_error(context, rv));
    std::vector<std::uint8_t> output(length);
    rv = lease.check(encrypt ? functions->C_Encrypt(lease.handle(), in, input.size(), output.data(), &length)
                             : functions->C_Decrypt(lease.handle(), in, input.size(), output.data(), &length));
    if (rv != CKR_OK) {
        explicit_bzero(output.data(), output.size());
        return std::unexpected(ck_error(context, rv));
    }
    output.resize(length);
    return output;
}

}  // namespace

Result<std::vector<std::uint8_t>> Token::seal_secret(const KeyId& id, const Secret& secret, std::string_view context) {
    const std::string what = "sealing a secret with " + impl_->key_name(id);
    return impl_->run(what, [&](Lease& lease) -> Result<std::vector<std::uint8_t>> {
        auto key = impl_->object(lease, CKO_SECRET_KEY, id, what);
        if (!key) return std::unexpected(key.error());
        std::vector<std::uint8_t> sealed(gcm_iv_bytes);
        if (RAND_bytes(sealed.data(), static_cast<int>(sealed.size())) != 1) {
            return fail(Errc::unavailable, what + ": the random generator failed");
        }
        const auto plaintext = std::span(reinterpret_cast<const std::uint8_t*>(secret.reveal().data()), secret.size());
        auto ciphertext = aes_gcm(lease, *key, true, std::span(sealed).first(gcm_iv_bytes), context, plaintext, what);
        if (!ciphertext) return std::unexpected(ciphertext.error());
        sealed.insert(sealed.end(), ciphertext->begin(), ciphertext->end());
        return sealed;
    });
}

Result<Secret> Token::open_secret(const KeyId& id, std::span<const std::uint8_t> sealed, std::string_view context) {
    const std::string what = "opening a sealed secret with " + impl_->key_name(id);
    if (sealed.size() < gcm_iv_bytes + gcm_tag_bytes) return fail(Errc::internal, what + ": it is too short");
    return impl_->run(what, [&](Lease& lease) -> Result<Secret> {
        auto key = impl_->object(lease, CKO_SECRET_KEY, id, what);
        if (!key) return std::unexpected(key.error());
        auto plaintext = aes_gcm(lease, *key, false, sealed.first(gcm_iv_bytes), context, sealed.subspan(gcm_iv_bytes), what);
        if (!plaintext) return std::unexpected(plaintext.error());
        Secret secret(std::string(plaintext->begin(), plaintext->end()));
        explicit_bzero(plaintext->data(), plaintext->size());
        return secret;
    });
}

}  // namespace signet::hsm
