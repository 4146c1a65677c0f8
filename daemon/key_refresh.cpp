#include "daemon/key_refresh.hpp"

#include <optional>

namespace signet::daemon {
namespace {

Result<std::optional<std::string>> active_key_id(store::Database& db, const std::string& purpose) {
    auto statement = db.prepare("SELECT key_id FROM keys WHERE purpose = ? AND state = 'active'");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, purpose);
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::optional<std::string>{};
    return std::optional<std::string>(statement->column_text(0));
}

}  // namespace

KeyRefresh refresh_active_keys(store::Database& db, store::DatabaseMutex& db_mutex, hsm::Token& token,
                               std::span<const RefreshedSlot> slots) {
    KeyRefresh refresh;
    for (const RefreshedSlot& refreshed : slots) {
        std::lock_guard lock(db_mutex);
        auto active = active_key_id(db, refreshed.purpose);
        if (!active) {
            refresh.failures.push_back(active.error().with_context("reading the active " + refreshed.purpose + " key"));
            continue;
        }
        const auto current = refreshed.slot.get();
        const std::string current_id = current ? current->id_hex : std::string();
        if (active->value_or("") == current_id) continue;
        if (!*active) {
            if (refreshed.may_be_empty) {
                refreshed.slot.clear();
                refresh.changed.push_back(refreshed.purpose + " key none");
            }
            continue;
        }
        // A key another node generated is found in the token by one search (hsm/token.hpp).
        auto key = load_key(db, token, **active);
        if (!key) {
            refresh.failures.push_back(key.error().with_context("loading the new active " + refreshed.purpose + " key"));
            continue;
        }
        refresh.changed.push_back(refreshed.purpose + " key " + key->id_hex);
        refreshed.slot.set(std::move(*key));
    }
    return refresh;
}

}  // namespace signet::daemon
