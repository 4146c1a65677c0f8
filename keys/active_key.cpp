#include "keys/active_key.hpp"

#include "base/base64.hpp"
#include "base/openssl_error.hpp"

namespace signet::daemon {

cms::Signer ActiveKey::signer() const {
    cms::Signer signer;
    signer.certificate = certificate.get();
    for (const auto& cert : chain) signer.chain.push_back(cert.get());
    return signer;
}

Result<std::optional<ActiveKey>> find_active_key(store::Database& db, hsm::Token& token, const std::string& purpose) {
    auto statement = db.prepare("SELECT key_id FROM keys WHERE purpose = ? AND state = 'active'");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, purpose);
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::optional<ActiveKey>{};
    auto key = load_key(db, token, statement->column_text(0));
    if (!key) return std::unexpected(key.error());
    return std::optional<ActiveKey>(std::move(*key));
}

Result<ActiveKey> load_active_key(store::Database& db, hsm::Token& token, const std::string& purpose) {
    auto key = find_active_key(db, token, purpose);
    if (!key) return std::unexpected(key.error());
    if (!*key) return fail(Errc::unavailable, "there is no active " + purpose + " key in the key register");
    return std::move(**key);
}

Result<ActiveKey> load_key(store::Database& db, hsm::Token& token, const std::string& key_id) {
    auto statement = db.prepare(
        "SELECT key_id, COALESCE(certificate, ''), COALESCE(chain, ''), purpose FROM keys WHERE key_id = ?");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, key_id);
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return fail(Errc::not_found, "there is no key " + key_id + " in the key register");
    const std::string purpose = statement->column_text(3);

    ActiveKey key;
    key.id_hex = statement->column_text(0);
    auto id = hex_decode(key.id_hex);
    if (!id) return fail(Errc::internal, "the register holds a malformed key id " + key.id_hex);
    key.id = std::move(*id);

    store::Blob der = statement->column_blob(1);
    const unsigned char* cursor = der.data();
    key.certificate.reset(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
    if (!key.certificate) {
        return openssl_failure(Errc::unavailable,
                               "the active " + purpose + " key " + key.id_hex + " has no usable certificate");
    }
    store::Blob chain_pem = statement->column_blob(2);
    if (!chain_pem.empty()) {
        auto chain = cms::load_pem_certificates(chain_pem);
        if (!chain) return std::unexpected(chain.error().with_context(purpose + " key chain"));
        key.chain = std::move(*chain);
    }
    key.certificate_sha256 = sha256_hex(der);
    key.purpose = purpose;
    auto validity = validity_of(key.certificate.get());
    if (!validity) return std::unexpected(validity.error().with_context("the active " + purpose + " key " + key.id_hex));
    key.validity = *validity;

    // The certificate must certify the key the token holds under this id.
    auto public_key = token.public_key(key.id);
    if (!public_key) {
        return std::unexpected(public_key.error().with_context("the " + purpose + " key " + key.id_hex));
    }
    if (EVP_PKEY_eq(public_key->get(), X509_get0_pubkey(key.certificate.get())) != 1) {
        return fail(Errc::unavailable, "the certificate of " + purpose + " key " + key.id_hex +
                                           " does not match the key in the token");
    }
    key.signature_size = pdf::signature_size_bound(key.signer());
    return key;
}

}  // namespace signet::daemon
