#include "hsm/token/token_internal.hpp"

#include <array>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "hsm/pkcs11_error.hpp"

namespace signet::hsm {

using namespace detail;  // the pieces token_internal.hpp shares between these files

namespace {

// DER of the namedCurve OIDs for CKA_EC_PARAMS (Current Mechanisms §2.3.3; RFC 5480 §2.1.1.1).
constexpr std::array<std::uint8_t, 10> prime256v1_oid{0x06, 0x08, 0x2A, 0x86, 0x48,
                                                      0xCE, 0x3D, 0x03, 0x01, 0x07};
constexpr std::array<std::uint8_t, 7> secp384r1_oid{0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22};

constexpr std::array all_algorithms{KeyAlgorithm::rsa_2048, KeyAlgorithm::rsa_3072,
                                    KeyAlgorithm::rsa_4096, KeyAlgorithm::ec_p256,
                                    KeyAlgorithm::ec_p384};

// The RSA modulus length, 0 for an EC algorithm. No default: a new algorithm must be placed here
// (-Wswitch).
CK_ULONG rsa_modulus_bits(KeyAlgorithm algorithm) {
    switch (algorithm) {
        case KeyAlgorithm::rsa_2048:
            return 2048;
        case KeyAlgorithm::rsa_3072:
            return 3072;
        case KeyAlgorithm::rsa_4096:
            return 4096;
        case KeyAlgorithm::ec_p256:
        case KeyAlgorithm::ec_p384:
            return 0;
    }
    return 0;
}

}  // namespace

Result<KeyAlgorithm> parse_key_algorithm(std::string_view name) {
    for (const KeyAlgorithm algorithm : all_algorithms) {
        if (to_string(algorithm) == name) return algorithm;
    }
    // The value is quoted for the caller's benefit, but bounded: it comes from a request.
    constexpr std::size_t quoted = 64;
    return fail(Errc::bad_request,
                "unknown key algorithm '" + std::string(name.substr(0, quoted)) +
                    (name.size() > quoted ? "...'" : "'") +
                    "; accepted: rsa-2048, rsa-3072, rsa-4096, ec-p256, ec-p384");
}

std::string_view to_string(KeyAlgorithm algorithm) {
    switch (algorithm) {
        case KeyAlgorithm::rsa_2048:
            return "rsa-2048";
        case KeyAlgorithm::rsa_3072:
            return "rsa-3072";
        case KeyAlgorithm::rsa_4096:
            return "rsa-4096";
        case KeyAlgorithm::ec_p256:
            return "ec-p256";
        case KeyAlgorithm::ec_p384:
            return "ec-p384";
    }
    return "unknown";
}

Result<PublicKey> Token::generate_key_pair(KeyAlgorithm algorithm, const KeyId& id,
                                           std::string_view label, KeyLifetime lifetime) {
    const bool session = lifetime == KeyLifetime::session;
    const std::string context = "generating " + std::string(to_string(algorithm)) +
                                (session ? " session " : " ") + impl_->key_name(id);
    if (id.empty()) return fail(Errc::bad_request, context + ": the key id (CKA_ID) is empty");

    // Token keys are serialised for the "no such CKA_ID yet" check below. A one-time session key
    // has a random 16-byte CKA_ID of its own and is not: RSA generation takes the HSM hundreds of
    // milliseconds, and concurrent guests' keys are then made side by side.
    std::unique_lock generating(impl_->generate_mutex_, std::defer_lock);
    if (!session) generating.lock();
    return impl_->run(context, [&](Lease& lease) -> Result<PublicKey> {

        // A second object with this CKA_ID would make every later lookup ambiguous.
        for (const CK_OBJECT_CLASS object_class :
             {CK_OBJECT_CLASS{CKO_PRIVATE_KEY}, CK_OBJECT_CLASS{CKO_PUBLIC_KEY}}) {
            auto existing = find_objects(lease, object_class, id);
            if (!existing) return std::unexpected(existing.error().with_context(context));
            if (!existing->empty()) {
                return fail(Errc::conflict, context + ": a key with this CKA_ID already exists");
            }
        }

        CK_BBOOL yes = CK_TRUE;
        CK_BBOOL no = CK_FALSE;
        // §4.4: a session object is never written to the token, and vanishes with its session.
        CK_BBOOL on_token = session ? CK_FALSE : CK_TRUE;
        CK_OBJECT_CLASS public_class = CKO_PUBLIC_KEY;
        CK_OBJECT_CLASS private_class = CKO_PRIVATE_KEY;
        CK_ULONG modulus_bits = rsa_modulus_bits(algorithm);
        const bool rsa = modulus_bits != 0;
        CK_KEY_TYPE key_type = rsa ? CKK_RSA : CKK_EC;
        CK_MECHANISM mechanism{rsa ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, nullptr, 0};
        constexpr std::array<std::uint8_t, 3> public_exponent{0x01, 0x00, 0x01};  // 65537
        const std::span<const std::uint8_t> ec_params =
            algorithm == KeyAlgorithm::ec_p384 ? std::span<const std::uint8_t>(secp384r1_oid)
                                               : std::span<const std::uint8_t>(prime256v1_oid);

        // §4.8 public key: verification only, readable without login.
        std::vector<CK_ATTRIBUTE> public_template{
            attribute(CKA_CLASS, public_class),
            attribute(CKA_KEY_TYPE, key_type),
            attribute(CKA_TOKEN, on_token),
            attribute(CKA_PRIVATE, no),
            attribute(CKA_VERIFY, yes),
            attribute(CKA_ENCRYPT, no),
            attribute(CKA_WRAP, no),
            attribute(CKA_VERIFY_RECOVER, no),
            attribute(CKA_DERIVE, no),
            bytes_attribute(CKA_ID, id),
            text_attribute(CKA_LABEL, label),
        };
        if (rsa) {
            public_template.push_back(attribute(CKA_MODULUS_BITS, modulus_bits));
            public_template.push_back(bytes_attribute(CKA_PUBLIC_EXPONENT, public_exponent));
        } else {
            public_template.push_back(bytes_attribute(CKA_EC_PARAMS, ec_params));
        }
        // §4.9 private key: a signing key that never leaves the token (CKA_SENSITIVE true and
        // CKA_EXTRACTABLE false also make CKA_ALWAYS_SENSITIVE and CKA_NEVER_EXTRACTABLE true), with
        // every other use set false explicitly rather than left to the module's defaults.
        std::vector<CK_ATTRIBUTE> private_template{
            attribute(CKA_CLASS, private_class),
            attribute(CKA_KEY_TYPE, key_type),
            attribute(CKA_TOKEN, on_token),
            attribute(CKA_PRIVATE, yes),
            attribute(CKA_SENSITIVE, yes),
            attribute(CKA_EXTRACTABLE, no),
            attribute(CKA_SIGN, yes),
            attribute(CKA_DECRYPT, no),
            attribute(CKA_UNWRAP, no),
            attribute(CKA_DERIVE, no),
            attribute(CKA_SIGN_RECOVER, no),
            bytes_attribute(CKA_ID, id),
            text_attribute(CKA_LABEL, label),
        };

        CK_FUNCTION_LIST* functions = lease.functions();
        CK_OBJECT_HANDLE public_handle = CK_INVALID_HANDLE;
        CK_OBJECT_HANDLE private_handle = CK_INVALID_HANDLE;
        // §5.14 C_GenerateKeyPair.
        const CK_RV rv = lease.check(functions->C_GenerateKeyPair(
            lease.handle(), &mechanism, public_template.data(), public_template.size(),
            private_template.data(), private_template.size(), &public_handle, &private_handle));
        if (rv != CKR_OK) return std::unexpected(ck_error(context, rv));

        auto key = read_public_key(lease, public_handle);
        if (!key) {
            // A pair whose public key cannot be read is of no use and would block its CKA_ID.
            static_cast<void>(functions->C_DestroyObject(lease.handle(), private_handle));
            static_cast<void>(functions->C_DestroyObject(lease.handle(), public_handle));
            return std::unexpected(key.error().with_context(context));
        }
        impl_->remember(id, Impl::CachedKey{private_handle, key_type});
        return key;
    });
}

}  // namespace signet::hsm
