#include "hsm/token/token_internal.hpp"

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hsm/openssl_util.hpp"
#include "hsm/pkcs11_error.hpp"

namespace signet::hsm {

using namespace detail;  // the pieces token_internal.hpp shares between these files

namespace detail {

// A C_Sign with no buffer only reports the length (§5.2) and leaves the operation active for the
// second call.
CK_RV sign_once(Lease& lease, CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE type,
                std::span<const std::uint8_t> input, std::vector<std::uint8_t>& signature) {
    CK_FUNCTION_LIST* functions = lease.functions();
    CK_MECHANISM mechanism{type, nullptr, 0};
    CK_RV rv = functions->C_SignInit(lease.handle(), &mechanism, key);
    if (rv != CKR_OK) return rv;
    // C_Sign's input is non-const but only read; an empty input still needs a valid pointer.
    CK_BYTE none = 0;
    CK_BYTE* data = input.empty() ? &none : const_cast<CK_BYTE*>(input.data());
    CK_ULONG length = 0;
    rv = functions->C_Sign(lease.handle(), data, input.size(), nullptr, &length);
    if (rv != CKR_OK) return rv;
    signature.resize(length);
    rv = functions->C_Sign(lease.handle(), data, input.size(), signature.data(), &length);
    if (rv != CKR_OK) return rv;
    signature.resize(std::min<std::size_t>(length, signature.size()));
    return CKR_OK;
}

}  // namespace detail

Result<std::vector<std::uint8_t>> Token::sign(const KeyId& id, std::span<const std::uint8_t> data) {
    const std::string context = "signing with " + impl_->key_name(id);
    if (id.empty()) return fail(Errc::bad_request, context + ": the key id (CKA_ID) is empty");
    return impl_->run(context, [&](Lease& lease) -> Result<std::vector<std::uint8_t>> {
        std::optional<Sha256> digest;  // for ECDSA only, computed once across the retry
        for (int attempt = 1;; ++attempt) {
            auto key = impl_->private_key(lease, id);
            if (!key) return std::unexpected(key.error());

            std::vector<std::uint8_t> signature;
            CK_RV rv = CKR_OK;
            if (key->type == CKK_RSA) {
                // Current Mechanisms §2.1.11: the token hashes and applies PKCS#1 v1.5 padding.
                rv = sign_once(lease, key->handle, CKM_SHA256_RSA_PKCS, data, signature);
            } else if (key->type == CKK_EC) {
                // Current Mechanisms §2.3.6: CKM_ECDSA signs a digest computed by the caller; SoftHSM
                // and most HSMs have no CKM_ECDSA_SHA256, so hashing here works everywhere.
                if (!digest) {
                    auto computed = sha256(data);
                    if (!computed) return std::unexpected(computed.error().with_context(context));
                    digest = *computed;
                }
                rv = sign_once(lease, key->handle, CKM_ECDSA, *digest, signature);
            } else {
                return fail(Errc::internal, context + ": its key type is " + std::to_string(key->type) +
                                                "; signet signs with RSA and EC keys only");
            }

            if (rv == CKR_OK) {
                if (key->type == CKK_EC) {
                    auto der = ecdsa_raw_to_der(signature);
                    if (!der) return std::unexpected(der.error().with_context(context));
                    return der;
                }
                return signature;
            }
            // The key was destroyed (and perhaps re-made) since its handle was cached: look it up
            // once more. A second failure is reported.
            if (attempt == 1 && (rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID)) {
                impl_->forget(id);
                continue;
            }
            lease.check(rv);
            return std::unexpected(ck_error(context, rv));
        }
    });
}

}  // namespace signet::hsm
