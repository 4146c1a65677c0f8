#include "guests/one_time_key.hpp"

#include <openssl/rand.h>
#include <openssl/x509.h>

#include "base/base64.hpp"
#include "base/openssl_error.hpp"
#include "hsm/certificate_issue.hpp"
#include "pdf/cades.hpp"

namespace signet::daemon {
namespace {

Result<hsm::KeyId> random_key_id() {
    hsm::KeyId id(16);
    if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1) {
        return fail(Errc::unavailable, "the random generator failed; no one-time key was made");
    }
    return id;
}

X509Ptr shared_copy(X509* certificate) {
    X509_up_ref(certificate);
    return X509Ptr(certificate);
}

}  // namespace

Result<std::unique_ptr<OneTimeKey>> OneTimeKey::make(hsm::Token& token, const ActiveKey& guest_ca,
                                                     hsm::KeyAlgorithm algorithm, const Guest& guest,
                                                     signet::Timestamp now) {
    auto key = std::make_shared<ActiveKey>();
    SIGNET_TRY(key->id, random_key_id());
    key->id_hex = hex_encode(key->id);
    key->purpose = "guest";
    auto public_key = token.generate_key_pair(algorithm, key->id, "signet-guest " + guest.id, hsm::KeyLifetime::session);
    if (!public_key) return std::unexpected(public_key.error().with_context("making the guest's one-time key"));
    // From here the key exists: the object below owns it and destroys it on every way out.
    std::unique_ptr<OneTimeKey> made(new OneTimeKey(token, key, ""));
    hsm::LeafCertificateSpec spec{guest.name, guest.email, now, now + guest_certificate_validity};
    auto issued = hsm::issue_leaf_certificate(token, guest_ca.id, guest_ca.certificate.get(), public_key->get(), spec);
    if (!issued) return std::unexpected(issued.error().with_context("certifying the guest's one-time key"));
    const unsigned char* cursor = issued->der.data();
    key->certificate.reset(d2i_X509(nullptr, &cursor, static_cast<long>(issued->der.size())));
    if (!key->certificate) return openssl_failure(Errc::internal, "the guest's certificate cannot be read back");
    key->chain.push_back(shared_copy(guest_ca.certificate.get()));
    for (const auto& issuer : guest_ca.chain) key->chain.push_back(shared_copy(issuer.get()));
    key->certificate_sha256 = sha256_hex(issued->der);
    auto validity = validity_of(key->certificate.get());
    if (!validity) return std::unexpected(validity.error());
    key->validity = *validity;
    key->signature_size = pdf::signature_size_bound(key->signer());
    made->serial_hex_ = std::move(issued->serial_hex);
    return made;
}

OneTimeKey::~OneTimeKey() {
    if (!destroyed_) (void)destroy();
}

Status OneTimeKey::destroy() {
    destroyed_ = true;
    return token_.destroy_key_objects(key_->id);
}

}  // namespace signet::daemon
