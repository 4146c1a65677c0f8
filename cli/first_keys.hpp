#pragma once
// The installation ceremony: the first seal and audit keys, made before signetd's first start
// (signetd starts only with both active). The officers' API code (key_admin.hpp) run by
// signetctl on the token and database that signetd's configuration names, while signetd is
// stopped: generate in the token with its CSR, import the CA's certificate with every check of
// an import, then activate by one officer and approve by another, both named, both recorded in
// the key-usage log. Once a purpose has an active key, rotation goes through the running
// signetd (docs/seal-rotation.md).

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "json/json_reply.hpp"
#include "keys/key_register.hpp"
#include "hsm/token.hpp"
#include "base/time.hpp"
#include "store/database.hpp"

namespace signet::daemon {

class FirstKeys {
public:
    static Result<std::unique_ptr<FirstKeys>> open(const std::filesystem::path& config_file);

    // As POST /v1/keys: {"purpose": "seal"|"audit", "algorithm", "label", "organization"?}.
    Result<JsonReply> generate(const std::string& officer, std::string_view body);
    // As PUT /v1/keys/{id}/certificate: {"certificate": PEM, "chain": [PEM, ...]}.
    Result<JsonReply> import_certificate(const std::string& officer, const std::string& key_id, std::string_view body);
    // The activation requested by `officer` and approved by `approver` (another person);
    // conflict when the key's purpose already has an active key.
    Result<JsonReply> activate(const std::string& officer, const std::string& approver, const std::string& key_id);

    FirstKeys(config::Config config, std::unique_ptr<hsm::Token> token, store::Database db)
        : config_(std::move(config)), token_(std::move(token)), db_(std::move(db)) {}

private:
    OfficerContext as(const std::string& officer);

    config::Config config_;
    std::unique_ptr<hsm::Token> token_;
    store::Database db_;
    store::DatabaseMutex db_mutex_;
    signet::SystemClock clock_;
    KeySlot seal_slot_;   // empty until the ceremony activates a seal key
    KeySlot audit_slot_;
    KeySlot tsa_slot_;
    KeySlot guest_ca_slot_;
};

}  // namespace signet::daemon
