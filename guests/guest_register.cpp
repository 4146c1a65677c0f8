#include "guests/guest_register.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <openssl/rand.h>

#include "audit/log.hpp"
#include "guests/guest_code.hpp"
#include "json/json_fields.hpp"
#include "register/register.hpp"

namespace signet::daemon {
namespace {

using nlohmann::json;

bool atext(char c) {
    static constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~";
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || specials.find(c) != std::string_view::npos;
}

// RFC 5322 §3.2.3 dot-atom-text: atext runs joined by single dots.
bool dot_atom(std::string_view text, bool (*allowed)(char)) {
    if (text.empty() || text.front() == '.' || text.back() == '.') return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '.') {
            if (text[i + 1] == '.') return false;
        } else if (!allowed(text[i])) {
            return false;
        }
    }
    return true;
}

// A DNS name's characters (RFC 1035 §2.3.1); each label checked below.
bool host_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-'; }

// The code points of valid UTF-8 (RFC 3629: no overlong form, no surrogate, at most U+10FFFF),
// or nullopt.
std::optional<std::vector<char32_t>> code_points(std::string_view text) {
    std::vector<char32_t> points;
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        const std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
        if (length == 0 || i + length > text.size()) return std::nullopt;
        char32_t point = length == 1 ? lead : lead & (0x7F >> length);
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next >> 6) != 0x2) return std::nullopt;
            point = (point << 6) | (next & 0x3F);
        }
        static constexpr std::array<char32_t, 5> smallest{0, 0, 0x80, 0x800, 0x10000};
        if (point < smallest[length] || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF)) return std::nullopt;
        points.push_back(point);
        i += length;
    }
    return points;
}

bool is_hex_digest(const std::string& text) {
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
           });
}

// 128 random bits: a guest id cannot be guessed, and two never meet.
Result<std::string> new_guest_id() {
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        return fail(Errc::internal, "the random generator failed");
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string id = "g-";
    for (unsigned char byte : bytes) {
        id += digits[byte >> 4];
        id += digits[byte & 0x0F];
    }
    return id;
}

// The invitation's body, checked field by field.
struct Invitation {
    std::string email;
    std::string name;
    std::vector<std::string> documents;
};

Result<Invitation> read_invitation(std::string_view body) {
    auto fields = JsonFields::parse(body, {"email", "name", "documents_sha256"});
    if (!fields) return std::unexpected(fields.error());
    Invitation invitation;
    for (const char* field : {"email", "name"}) {
        if (!fields->has(field) || !fields->at(field).is_string()) {
            return fail(Errc::bad_request, std::string("the field '") + field + "' must be a string");
        }
    }
    invitation.email = fields->at("email").get<std::string>();
    invitation.name = fields->at("name").get<std::string>();
    SIGNET_CHECK(check_guest_email(invitation.email));
    SIGNET_CHECK(check_guest_name(invitation.name));
    if (!fields->has("documents_sha256") || !fields->at("documents_sha256").is_array()) {
        return fail(Errc::bad_request, "the field 'documents_sha256' must be an array of SHA-256 digests in hex");
    }
    const json& documents = fields->at("documents_sha256");
    if (documents.empty() || documents.size() > max_guest_documents) {
        return fail(Errc::bad_request, "the field 'documents_sha256' must name 1 to " +
                                           std::to_string(max_guest_documents) + " documents");
    }
    for (std::size_t i = 0; i < documents.size(); ++i) {
        if (!documents[i].is_string() || !is_hex_digest(documents[i].get<std::string>())) {
            return fail(Errc::bad_request, "documents_sha256[" + std::to_string(i) +
                                               "] is not a SHA-256 digest (64 hexadecimal characters)");
        }
        std::string digest = documents[i].get<std::string>();
        std::transform(digest.begin(), digest.end(), digest.begin(),
                       [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
        if (std::find(invitation.documents.begin(), invitation.documents.end(), digest) == invitation.documents.end()) {
            invitation.documents.push_back(std::move(digest));
        }
    }
    return invitation;
}

}  // namespace

Status check_guest_email(const std::string& email) {
    if (email.empty() || email.size() > max_guest_text) {
        return fail(Errc::bad_request, "the field 'email' must be an address of 1 to 128 characters");
    }
    const auto at = email.rfind('@');
    const std::string_view local = std::string_view(email).substr(0, at == std::string::npos ? 0 : at);
    const std::string_view domain = at == std::string::npos ? std::string_view() : std::string_view(email).substr(at + 1);
    bool domain_ok = dot_atom(domain, host_char) && domain.find('.') != std::string_view::npos;
    // Each label: no hyphen at either end (RFC 1035 §2.3.1), the top one not all digits.
    for (std::size_t start = 0; domain_ok && start < domain.size();) {
        const auto end = std::min(domain.find('.', start), domain.size());
        const std::string_view label = domain.substr(start, end - start);
        domain_ok = label.size() <= 63 && label.front() != '-' && label.back() != '-';
        start = end + 1;
    }
    if (domain_ok) {
        const std::string_view top = domain.substr(domain.rfind('.') + 1);
        domain_ok = std::any_of(top.begin(), top.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
    }
    if (at == std::string::npos || !dot_atom(local, atext) || !domain_ok) {
        return fail(Errc::bad_request, "the field 'email' is not an e-mail address of the form name@example.fr");
    }
    return {};
}

Status check_guest_name(const std::string& name) {
    auto points = code_points(name);
    if (!points) return fail(Errc::bad_request, "the field 'name' is not valid UTF-8");
    if (points->empty() || points->size() > max_guest_text) {
        return fail(Errc::bad_request, "the field 'name' must have 1 to 128 characters");
    }
    for (char32_t point : *points) {
        // C0, DEL, C1, and the line and paragraph separators: a name is shown on one line.
        if (point < 0x20 || (point >= 0x7F && point < 0xA0) || point == 0x2028 || point == 0x2029) {
            return fail(Errc::bad_request, "the field 'name' holds a control character");
        }
    }
    if (std::all_of(points->begin(), points->end(), [](char32_t point) { return point == ' ' || point == 0xA0; })) {
        return fail(Errc::bad_request, "the field 'name' is blank");
    }
    return {};
}

Result<JsonReply> invite_guest(const GuestContext& context, const config::ClientIdentity& client,
                               const std::string& tenant, std::string_view body) {
    SIGNET_CHECK(check_text(tenant, "the tenant id"));
    auto invitation = read_invitation(body);
    if (!invitation) return std::unexpected(invitation.error());
    std::string guest_id;
    std::string code;
    SIGNET_TRY(guest_id, new_guest_id());
    SIGNET_TRY(code, draw_guest_code());
    // The MAC is made before the database is locked: the HSM call does not hold up other jobs.
    std::vector<std::uint8_t> mac;
    SIGNET_TRY(mac, guest_code_mac(context.token, guest_id, code));
    const signet::Timestamp now = context.clock.now();
    const signet::Timestamp expires = now + context.settings.code_ttl;

    std::lock_guard lock(context.db_mutex);
    auto view = Register(context.db).load(tenant);
    if (!view) return std::unexpected(view.error());
    if (!*view) return fail(Errc::not_found, "tenant " + tenant + " is not registered");
    Status committed = context.db.transaction([&]() -> Status {
        auto insert = context.db.prepare(
            "INSERT INTO guests (guest_id, tenant, email, name, documents, code_mac, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        if (!insert) return std::unexpected(insert.error());
        insert->bind(1, guest_id)
            .bind(2, tenant)
            .bind(3, invitation->email)
            .bind(4, invitation->name)
            .bind(5, json(invitation->documents).dump())
            .bind(6, store::Blob(mac))
            .bind(7, now.time_since_epoch().count())
            .bind(8, expires.time_since_epoch().count());
        SIGNET_CHECK(insert->run());
        audit::Entry entry;
        entry.event = "guest_invited";
        entry.outcome = "done";
        entry.client_fingerprint = client.fingerprint;
        entry.client_role = client.role ? std::string(config::to_string(*client.role)) : "";
        entry.tenant = tenant;
        entry.actor = guest_id;
        // signet cannot see the e-mail go out: it records that the platform took the code to
        // deliver to this address.
        entry.detail = {{"guest_id", guest_id},
                        {"email", invitation->email},
                        {"name", invitation->name},
                        {"documents", invitation->documents},
                        {"expires", signet::format_timestamp(expires)},
                        {"code_delivery", "returned to the platform, which delivers it to the e-mail address"}};
        auto appended = audit::Log(context.db, context.clock).append(entry);
        if (!appended) return std::unexpected(appended.error());
        return {};
    });
    if (!committed) {
        return fail(Errc::unavailable, "no guest was made: the register or the audit log cannot be written (" +
                                           committed.error().message + ")");
    }
    return JsonReply{201, json{{"guest_id", guest_id}, {"code", code}, {"expires", signet::format_timestamp(expires)}}};
}

Result<std::optional<Guest>> load_guest(store::Database& db, const std::string& guest_id) {
    auto statement = db.prepare(
        "SELECT tenant, email, name, documents, code_mac, expires_at, failures, locked_at, used_at FROM guests "
        "WHERE guest_id = ?");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, guest_id);
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::optional<Guest>();
    Guest guest;
    guest.id = guest_id;
    guest.tenant = statement->column_text(0);
    guest.email = statement->column_text(1);
    guest.name = statement->column_text(2);
    guest.documents = json::parse(statement->column_text(3)).get<std::vector<std::string>>();
    guest.code_mac = statement->column_blob(4);
    guest.expires_at = statement->column_int(5);
    guest.failures = statement->column_int(6);
    if (!statement->column_is_null(7)) guest.locked_at = statement->column_int(7);
    if (!statement->column_is_null(8)) guest.used_at = statement->column_int(8);
    return std::optional<Guest>(std::move(guest));
}

Result<policy::TenantView> authorise_guest(store::Database& db, store::DatabaseMutex& db_mutex, const std::string& tenant,
                                           const std::string& guest_id, const std::vector<std::string>& documents,
                                           Guest& guest) {
    std::lock_guard lock(db_mutex);
    auto view = Register(db).load(tenant);
    if (!view) return std::unexpected(view.error());
    if (!*view) return fail(Errc::forbidden, "tenant " + tenant + " is not registered on signetd");
    auto found = load_guest(db, guest_id);
    if (!found) return std::unexpected(found.error());
    // Another tenant's guest is refused in the same words as none: a firm learns nothing of
    // another's guests.
    if (!*found || (*found)->tenant != tenant) return fail(Errc::forbidden, "tenant " + tenant + " has no guest " + guest_id);
    for (std::size_t i = 0; i < documents.size(); ++i) {
        const auto& named = (*found)->documents;
        if (std::find(named.begin(), named.end(), documents[i]) == named.end()) {
            return fail(Errc::forbidden, "the document " + (documents.size() > 1 ? std::to_string(i + 1) + " " : "") +
                                             "(SHA-256 " + documents[i] + ") is not one guest " + guest_id +
                                             " was invited to co-sign");
        }
    }
    guest = std::move(**found);
    return std::move(**view);
}

Result<std::size_t> remove_expired_guests(const GuestContext& context) {
    constexpr std::int64_t day = 24 * 3600;
    std::lock_guard lock(context.db_mutex);
    auto remove = context.db.prepare("DELETE FROM guests WHERE expires_at < ?");
    if (!remove) return std::unexpected(remove.error());
    remove->bind(1, context.clock.now().time_since_epoch().count() - day);
    SIGNET_CHECK(remove->run());
    return static_cast<std::size_t>(context.db.changes());
}

}  // namespace signet::daemon
