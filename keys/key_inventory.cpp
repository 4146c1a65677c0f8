#include "keys/key_inventory.hpp"

#include <ctime>

#include <openssl/bn.h>
#include <openssl/x509.h>

#include "base/x509_encoding.hpp"

namespace signet::daemon {
namespace {

using nlohmann::json;

struct X509Free {
    void operator()(X509* certificate) const { X509_free(certificate); }
};

std::string time_text(const ASN1_TIME* time) {
    std::tm parts{};
    if (ASN1_TIME_to_tm(time, &parts) != 1) return "";
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

std::string serial_text(const X509* certificate) {
    std::unique_ptr<BIGNUM, decltype(&BN_free)> number(ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr),
                                                       BN_free);
    char* hex = number ? BN_bn2hex(number.get()) : nullptr;
    std::string out = hex != nullptr ? hex : "";
    OPENSSL_free(hex);
    return out;
}

// The certificate's facts, or nulls for a key without one (pending).
void describe_certificate(const store::Blob& der, json& key) {
    const unsigned char* cursor = der.data();
    std::unique_ptr<X509, X509Free> certificate(
        der.empty() ? nullptr : d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
    for (const char* field : {"subject", "issuer", "serial", "not_before", "not_after"}) key[field] = nullptr;
    if (!certificate) return;
    key["subject"] = name_text(X509_get_subject_name(certificate.get()));
    key["issuer"] = name_text(X509_get_issuer_name(certificate.get()));
    key["serial"] = serial_text(certificate.get());
    key["not_before"] = time_text(X509_get0_notBefore(certificate.get()));
    key["not_after"] = time_text(X509_get0_notAfter(certificate.get()));
}

// RFC 7512: the configured token and the key's CKA_ID, percent-encoded.
std::string object_uri(const std::string& token, const std::string& id_hex) {
    std::string uri = token.rfind("pkcs11:", 0) == 0 ? token : "pkcs11:token=" + token;
    uri += ";id=";
    for (std::size_t i = 0; i + 1 < id_hex.size(); i += 2) uri += "%" + id_hex.substr(i, 2);
    return uri + ";type=private";
}

}  // namespace

Result<JsonReply> list_keys(store::Database& db, store::DatabaseMutex& db_mutex, const std::string& token) {
    std::lock_guard lock(db_mutex);
    auto statement = db.prepare(
        "SELECT k.key_id, k.purpose, k.label, k.algorithm, k.state, COALESCE(k.certificate, ''), "
        " (SELECT COUNT(*) FROM audit_log a WHERE a.outcome IN ('sealed', 'signed', 'stamped') "
        "   AND json_extract(a.entry, '$.key_id') = k.key_id) + "
        " (SELECT COUNT(*) FROM audit_checkpoints c WHERE json_extract(c.checkpoint, '$.key_id') = k.key_id), "
        " k.revoked_at, k.revocation_reason "
        "FROM keys k ORDER BY k.created_at, k.key_id");
    if (!statement) return std::unexpected(statement.error());
    json keys = json::array();
    for (;;) {
        auto row = statement->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        json key{{"key_id", statement->column_text(0)},
                 {"purpose", statement->column_text(1)},
                 {"label", statement->column_text(2)},
                 {"algorithm", statement->column_text(3)},
                 {"state", statement->column_text(4)},
                 {"object", object_uri(token, statement->column_text(0))},
                 {"uses", statement->column_int(6)}};
        describe_certificate(statement->column_blob(5), key);
        // A key whose certificate signetd found revoked is shown so, whatever its life-cycle
        // state, which is kept for the officers' next step (retire, destroy).
        if (!statement->column_is_null(7)) {
            key["lifecycle_state"] = key["state"];
            key["state"] = "revoked";
            key["revoked_at"] = statement->column_text(7);
            key["revocation"] = statement->column_text(8);
        }
        keys.push_back(std::move(key));
    }
    return JsonReply{200, json{{"keys", std::move(keys)}}};
}

Result<std::vector<std::string>> revoked_active_keys(store::Database& db, store::DatabaseMutex& db_mutex) {
    std::lock_guard lock(db_mutex);
    auto statement = db.prepare("SELECT key_id FROM keys WHERE state = 'active' AND revoked_at IS NOT NULL");
    if (!statement) return std::unexpected(statement.error());
    std::vector<std::string> keys;
    for (;;) {
        auto row = statement->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) return keys;
        keys.push_back(statement->column_text(0));
    }
}

}  // namespace signet::daemon
