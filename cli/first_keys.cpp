#include "cli/first_keys.hpp"

#include "base/base64.hpp"
#include "keys/key_admin.hpp"
#include "keys/token_open.hpp"

namespace signet::daemon {

Result<std::unique_ptr<FirstKeys>> FirstKeys::open(const std::filesystem::path& config_file) {
    auto config = config::load(config_file);
    if (!config) return std::unexpected(config.error());
    auto token = open_configured_token(config->hsm);
    if (!token) return std::unexpected(token.error());
    if (auto indexed = (*token)->index_keys(); !indexed) return std::unexpected(indexed.error());
    auto db = store::Database::open(config->store);
    if (!db) return std::unexpected(db.error());
    return std::make_unique<FirstKeys>(std::move(*config), std::move(*token), std::move(*db));
}

OfficerContext FirstKeys::as(const std::string& officer) {
    // No certificate here: the officer is the person named on the command line, identified by
    // that name (dual control compares names as it compares certificates' CNs).
    const std::string name = "signetctl setup: " + officer;
    config::ClientIdentity identity{sha256_hex(std::span(reinterpret_cast<const std::uint8_t*>(name.data()), name.size())),
                            officer, config::Role::officer};
    return {db_, db_mutex_, *token_, clock_, config_.keys, seal_slot_, audit_slot_, tsa_slot_, guest_ca_slot_, identity};
}

Result<JsonReply> FirstKeys::generate(const std::string& officer, std::string_view body) {
    return generate_key(as(officer), body);
}

Result<JsonReply> FirstKeys::import_certificate(const std::string& officer, const std::string& key_id,
                                                std::string_view body) {
    return import_key_certificate(as(officer), key_id, body);
}

Result<JsonReply> FirstKeys::activate(const std::string& officer, const std::string& approver,
                                      const std::string& key_id) {
    auto key = load_key_record(db_, key_id);
    if (!key) return std::unexpected(key.error());
    if (key->purpose == policy::KeyPurpose::personal) {
        return fail(Errc::bad_request, "personal keys are enrolled through the running signetd, not at installation");
    }
    const std::string purpose(policy::to_string(key->purpose));
    auto active = db_.prepare("SELECT key_id FROM keys WHERE purpose = ? AND state = 'active'");
    if (!active) return std::unexpected(active.error());
    active->bind(1, purpose);
    auto row = active->step();
    if (!row) return std::unexpected(row.error());
    if (*row) {
        return fail(Errc::conflict, "the " + purpose + " key " + active->column_text(0) +
                                        " is already active: rotate it through the running signetd "
                                        "(docs/seal-rotation.md)");
    }
    auto requested = request_key_change(as(officer), key_id, policy::KeyChange::activate);
    if (!requested) return std::unexpected(requested.error());
    return approve_key_change(as(approver), requested->body.at("approval_id").get<std::int64_t>());
}

}  // namespace signet::daemon
