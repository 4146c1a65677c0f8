#include "hsm/token/token_internal.hpp"

#include <initializer_list>
#include <iterator>
#include <mutex>
#include <span>
#include <string>

#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "hsm/openssl_util.hpp"
#include "hsm/pkcs11_error.hpp"

namespace signet::hsm {

using namespace detail;  // the pieces token_internal.hpp shares between these files

Status Token::store_certificate(const KeyId& id, std::string_view label,
                                std::span<const std::uint8_t> der) {
    return create_certificate(id, label, der, false);
}

Status Token::store_authority_certificate(std::string_view label, std::span<const std::uint8_t> der) {
    // Filed under the first 20 bytes of its own SHA-256: stable, so that a CA already stored
    // with an earlier key is found and not stored twice.
    unsigned char digest[32];
    if (der.empty() || SHA256(der.data(), der.size(), digest) == nullptr) {
        return fail(Errc::invalid_certificate, "storing an authority certificate: it is empty");
    }
    const KeyId id(digest, digest + 20);
    // Serialised like key generation, so that two imports of one chain store its CA once.
    std::lock_guard storing(impl_->generate_mutex_);
    const std::string context = "storing an authority certificate";
    auto existing = impl_->run(context, [&](Lease& lease) -> Result<bool> {
        auto found = find_objects(lease, CKO_CERTIFICATE, id);
        if (!found) return std::unexpected(found.error().with_context(context));
        return !found->empty();
    });
    if (!existing) return std::unexpected(existing.error());
    if (*existing) return {};
    return create_certificate(id, label, der, true);
}

Status Token::destroy_key_objects(const KeyId& id) {
    return destroy_objects(id, {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE}, "destroying ");
}

Status Token::destroy_certificates(const KeyId& id) {
    return destroy_objects(id, {CKO_CERTIFICATE}, "replacing the certificate of ");
}

Status Token::destroy_objects(const KeyId& id, std::initializer_list<CK_OBJECT_CLASS> classes, std::string_view what) {
    const std::string context = std::string(what) + impl_->key_name(id);
    if (id.empty()) return fail(Errc::bad_request, context + ": the key id (CKA_ID) is empty");
    return impl_->run(context, [&](Lease& lease) -> Status {
        // Private objects are invisible to a session that is not logged in: "none found" would
        // then mean "not looked at", and a destroyed key could still be there.
        CK_SESSION_INFO info{};
        CK_RV rv = lease.check(lease.functions()->C_GetSessionInfo(lease.handle(), &info));
        if (rv != CKR_OK) return std::unexpected(ck_error(context + ": C_GetSessionInfo", rv));
        if (info.state != CKS_RW_USER_FUNCTIONS) {
            // The token forgot the login (§5.6): what run() repairs when a call says
            // CKR_USER_NOT_LOGGED_IN, so the lease is told so.
            lease.check(CKR_USER_NOT_LOGGED_IN);
            return fail(Errc::unavailable, context + ": the session is not a logged-in read-write user session");
        }
        impl_->forget(id);
        for (const CK_OBJECT_CLASS object_class : classes) {
            // find_objects returns at most two handles: search again until none is left, a bounded
            // number of times in case the token keeps what it says it destroyed.
            for (int round = 0;; ++round) {
                auto found = find_objects(lease, object_class, id);
                if (!found) return std::unexpected(found.error().with_context(context));
                if (found->empty()) break;
                if (round == 64) return fail(Errc::unavailable, context + ": the token keeps objects it destroyed");
                for (const CK_OBJECT_HANDLE handle : *found) {
                    // §5.7 C_DestroyObject.
                    rv = lease.check(lease.functions()->C_DestroyObject(lease.handle(), handle));
                    if (rv != CKR_OK) return std::unexpected(ck_error(context, rv));
                }
            }
        }
        return {};
    });
}

Status Token::create_certificate(const KeyId& id, std::string_view label, std::span<const std::uint8_t> der,
                                 bool authority) {
    const std::string context = authority ? "storing the authority certificate '" + std::string(label) + "'"
                                          : "storing the certificate of " + impl_->key_name(id);
    if (id.empty()) return fail(Errc::bad_request, context + ": the key id (CKA_ID) is empty");
    if (der.empty() || der.size() > 1024 * 1024) {
        return fail(Errc::invalid_certificate, context + ": the certificate is empty or too large");
    }
    const unsigned char* in = der.data();
    const X509Ptr certificate(d2i_X509(nullptr, &in, static_cast<long>(der.size())));
    if (!certificate || in != der.data() + der.size()) {
        return fail(Errc::invalid_certificate,
                    openssl_error(context + ": not a single DER X.509 certificate"));
    }
    // §4.6.3 X.509 certificate objects: CKA_SUBJECT, CKA_ISSUER and CKA_SERIAL_NUMBER are the DER
    // of the certificate's own fields, which applications search on.
    auto subject = der_encode(
        [&](unsigned char** out) {
            return i2d_X509_NAME(X509_get_subject_name(certificate.get()), out);
        },
        "encoding the subject");
    auto issuer = der_encode(
        [&](unsigned char** out) {
            return i2d_X509_NAME(X509_get_issuer_name(certificate.get()), out);
        },
        "encoding the issuer");
    auto serial = der_encode(
        [&](unsigned char** out) {
            return i2d_ASN1_INTEGER(X509_get0_serialNumber(certificate.get()), out);
        },
        "encoding the serial number");
    if (!subject) return std::unexpected(subject.error().with_context(context));
    if (!issuer) return std::unexpected(issuer.error().with_context(context));
    if (!serial) return std::unexpected(serial.error().with_context(context));

    return impl_->run(context, [&](Lease& lease) -> Status {

        // A certificate filed under a key it does not certify would have every later CMS name the
        // wrong signer; when the key pair is in the token, the two must agree.
        auto public_handles = find_objects(lease, CKO_PUBLIC_KEY, id);
        if (!public_handles) return std::unexpected(public_handles.error().with_context(context));
        if (public_handles->size() == 1) {
            auto key = read_public_key(lease, public_handles->front());
            if (!key) return std::unexpected(key.error().with_context(context));
            const EVP_PKEY* certified = X509_get0_pubkey(certificate.get());
            if (certified == nullptr || EVP_PKEY_eq(key->get(), certified) != 1) {
                ERR_clear_error();
                return fail(Errc::invalid_certificate,
                            context + ": the certificate is not for the public key with that CKA_ID");
            }
        }

        CK_OBJECT_CLASS object_class = CKO_CERTIFICATE;
        CK_CERTIFICATE_TYPE certificate_type = CKC_X_509;
        CK_ULONG category = authority ? 2 : 1;  // §4.6.1 CKA_CERTIFICATE_CATEGORY: authority, token user
        CK_BBOOL yes = CK_TRUE;
        CK_BBOOL no = CK_FALSE;
        CK_ATTRIBUTE object[] = {
            attribute(CKA_CLASS, object_class),
            attribute(CKA_CERTIFICATE_TYPE, certificate_type),
            attribute(CKA_CERTIFICATE_CATEGORY, category),
            attribute(CKA_TOKEN, yes),
            attribute(CKA_PRIVATE, no),  // a certificate is public; readable without login
            bytes_attribute(CKA_ID, id),
            text_attribute(CKA_LABEL, label),
            bytes_attribute(CKA_VALUE, der),
            bytes_attribute(CKA_SUBJECT, *subject),
            bytes_attribute(CKA_ISSUER, *issuer),
            bytes_attribute(CKA_SERIAL_NUMBER, *serial),
        };
        CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
        // §5.7 C_CreateObject.
        const CK_RV rv = lease.check(
            lease.functions()->C_CreateObject(lease.handle(), object, std::size(object), &handle));
        if (rv != CKR_OK) return std::unexpected(ck_error(context, rv));
        return {};
    });
}

}  // namespace signet::hsm
