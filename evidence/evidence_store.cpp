#include "evidence/evidence_store.hpp"

#include <string>

namespace signet::evidence {
namespace {

using revocation::SourceKind;

const char* kind_text(SourceKind kind) {
    switch (kind) {
        case SourceKind::ocsp: return "ocsp";
        case SourceKind::crl_url: return "crl_url";
        case SourceKind::crl_file: return "crl_file";
    }
    return "ocsp";
}

SourceKind kind_of(const std::string& text) {
    if (text == "crl_url") return SourceKind::crl_url;
    if (text == "crl_file") return SourceKind::crl_file;
    return SourceKind::ocsp;
}

std::int64_t unix_seconds(Timestamp when) { return when.time_since_epoch().count(); }

}  // namespace

revocation::Persistence database_persistence(store::Database& db, store::DatabaseMutex& db_mutex, const Clock& clock) {
    revocation::Persistence persistence;
    persistence.load = [&db, &db_mutex, &clock](const std::string& key) -> std::optional<revocation::StoredEvidence> {
        std::lock_guard lock(db_mutex);
        auto statement = db.prepare(
            "SELECT kind, source, next_update, der FROM revocation_evidence WHERE cache_key = ? AND next_update > ?");
        if (!statement) return std::nullopt;
        statement->bind(1, key).bind(2, unix_seconds(clock.now()));
        auto row = statement->step();
        if (!row || !*row) return std::nullopt;
        revocation::StoredEvidence stored;
        stored.key = key;
        stored.kind = kind_of(statement->column_text(0));
        stored.source = statement->column_text(1);
        stored.next_update = Timestamp(std::chrono::seconds(statement->column_int(2)));
        stored.der = statement->column_blob(3);
        return stored;
    };
    persistence.save = [&db, &db_mutex, &clock](const revocation::StoredEvidence& stored) {
        std::lock_guard lock(db_mutex);
        (void)db.transaction([&]() -> Status {
            auto expired = db.prepare("DELETE FROM revocation_evidence WHERE next_update <= ?");
            if (!expired) return std::unexpected(expired.error());
            SIGNET_CHECK(expired->bind(1, unix_seconds(clock.now())).run());
            auto insert = db.prepare(
                "INSERT INTO revocation_evidence (cache_key, kind, source, next_update, der) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (cache_key) DO UPDATE SET kind = excluded.kind, source = excluded.source, "
                "next_update = excluded.next_update, der = excluded.der");
            if (!insert) return std::unexpected(insert.error());
            insert->bind(1, stored.key)
                .bind(2, std::string(kind_text(stored.kind)))
                .bind(3, stored.source)
                .bind(4, unix_seconds(stored.next_update))
                .bind(5, store::Blob(stored.der));
            return insert->run();
        }, store::Database::Durability::deferred);
    };
    return persistence;
}

}  // namespace signet::evidence
