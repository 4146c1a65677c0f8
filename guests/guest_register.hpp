#pragma once
// Guests (issue 22, DESIGN.md "Guests"): a firm's client, who has no account and no delegation,
// invited by the platform to co-sign named documents once, with a one-time code the platform
// delivers by e-mail. Here: the invitation (POST /v1/tenants/{tenant}/guests), the lookup a
// co-signature makes, and the sweep of expired guests. The code's check is guest_code.hpp, the
// one-time key one_time_key.hpp; the co-signature itself is run_key_job's (jobs/).

#include <cstdint>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/time.hpp"
#include "config/client_identity.hpp"
#include "config/config.hpp"
#include "hsm/token.hpp"
#include "json/json_reply.hpp"
#include "policy/model.hpp"
#include "store/database.hpp"

namespace signet::daemon {

struct GuestContext {
    store::Database& db;
    store::DatabaseMutex& db_mutex;
    hsm::Token& token;
    const signet::Clock& clock;
    const config::Guests& settings;
};

struct Guest {
    std::string id;
    std::string tenant;
    std::string email;
    std::string name;
    std::vector<std::string> documents;  // the SHA-256 (hex) of each document they may co-sign
    store::Blob code_mac;
    std::int64_t expires_at = 0;  // Unix seconds, as the two below
    std::int64_t failures = 0;
    std::optional<std::int64_t> locked_at;
    std::optional<std::int64_t> used_at;
};

// At most this many documents per invitation, and this many characters in an e-mail or a name.
inline constexpr std::size_t max_guest_documents = 50;
inline constexpr std::size_t max_guest_text = 128;

// An address in RFC 5322's common form (dot-atom "@" dot-atom, the domain with a dot), ASCII,
// at most 128 characters; bad_request saying what is wrong otherwise.
Status check_guest_email(const std::string& email);
// A name of printable characters (valid UTF-8, no control character, not blank), at most 128.
Status check_guest_name(const std::string& name);

// POST /v1/tenants/{tenant}/guests {"email", "name", "documents_sha256": [hex, ...]} →
// 201 {"guest_id", "code", "expires"}. The code is returned once and kept only as a MAC made in
// the HSM; the "guest_invited" entry (e-mail, name, documents, expiry, the platform's delivery)
// commits with the guest.
Result<JsonReply> invite_guest(const GuestContext& context, const config::ClientIdentity& client,
                               const std::string& tenant, std::string_view body);

// The guest `guest_id`, if there is one. Call with db_mutex held.
Result<std::optional<Guest>> load_guest(store::Database& db, const std::string& guest_id);

// The co-signature's decision, before any key use: the tenant is registered, `guest_id` is its
// guest, and every document (SHA-256 hex) is one the guest was invited to co-sign; forbidden
// (403) saying which is not. Fills `guest`. The code is checked after (guest_code.hpp).
Result<policy::TenantView> authorise_guest(store::Database& db, store::DatabaseMutex& db_mutex, const std::string& tenant,
                                           const std::string& guest_id, const std::vector<std::string>& documents,
                                           Guest& guest);

// Removes the guests whose code expired more than a day ago (a day in which a refusal can
// still say "expired" rather than "unknown"); returns how many.
Result<std::size_t> remove_expired_guests(const GuestContext& context);

}  // namespace signet::daemon
