#include "guests/guest_code.hpp"

#include <array>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "audit/log.hpp"

namespace signet::daemon {
namespace {

std::string at_text(std::int64_t unix_seconds) {
    return signet::format_timestamp(signet::Timestamp(std::chrono::seconds(unix_seconds)));
}

}  // namespace

Result<std::string> draw_guest_code() {
    // Rejection sampling: 2^32 is not a multiple of 10^6, and the top of the range would make
    // the smallest codes a little likelier.
    constexpr std::uint32_t codes = 1'000'000;
    constexpr std::uint32_t limit = UINT32_MAX - (UINT32_MAX % codes);
    for (;;) {
        std::array<unsigned char, 4> bytes{};
        if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
            return fail(Errc::internal, "the random generator failed");
        }
        const std::uint32_t value = (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
                                    (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
        if (value >= limit) continue;
        std::string code = std::to_string(value % codes);
        return std::string(6 - code.size(), '0') + code;
    }
}

const hsm::KeyId& guest_code_key_id() {
    static const hsm::KeyId id{'s', 'i', 'g', 'n', 'e', 't', '-', 'g', 'u', 'e', 's', 't', '-', 'c', 'o', 'd', 'e'};
    return id;
}

Status ensure_guest_code_key(hsm::Token& token) {
    auto made = token.ensure_mac_key(guest_code_key_id(), "signet guest codes");
    if (!made) return std::unexpected(made.error());
    return {};
}

Result<std::vector<std::uint8_t>> guest_code_mac(hsm::Token& token, const std::string& guest_id,
                                                 const std::string& code) {
    // A label and separators: the bytes MACed cannot be read as another guest's.
    std::string input = "signet guest code v1";
    input += '\0';
    input += guest_id;
    input += '\0';
    input += code;
    auto mac = token.mac(guest_code_key_id(), std::span(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()));
    OPENSSL_cleanse(input.data(), input.size());
    if (!mac) return fail(Errc::unavailable, "the guest's code cannot be checked: " + mac.error().message);
    return mac;
}

Result<GuestActivation> check_guest_code(const GuestContext& context, const audit::Entry& base,
                                         const std::string& guest_id, const std::string& code) {
    // The MAC first, outside the database lock; compared once the row is read under it.
    std::vector<std::uint8_t> mac;
    SIGNET_TRY(mac, guest_code_mac(context.token, guest_id, code));
    std::lock_guard lock(context.db_mutex);
    const signet::Timestamp now = context.clock.now();
    const std::int64_t unix_now = now.time_since_epoch().count();
    std::optional<Error> refusal;
    std::optional<Error> unusable;  // no decision was made: nothing to record
    bool locks_now = false;
    std::int64_t audit_seq = 0;
    // The row is read in the write transaction: on a store several nodes share, no other check
    // of this guest's code runs between the read and the update, so failures add up and a code
    // passes once.
    Status committed = context.db.transaction([&]() -> Status {
        auto loaded = load_guest(context.db, guest_id);
        if (!loaded) return std::unexpected(loaded.error());
        if (!*loaded) {
            unusable = Error{Errc::activation_failed, "guest " + guest_id + " no longer exists"};
            return std::unexpected(*unusable);
        }
        const Guest& guest = **loaded;
        bool wrong = false;
        if (guest.locked_at) {
            refusal = Error{Errc::activation_failed, "guest " + guest_id + " is locked after " +
                                                         std::to_string(guest_lockout_failures) + " wrong codes"};
        } else if (guest.used_at) {
            refusal =
                Error{Errc::activation_failed, "guest " + guest_id + "'s code was used at " + at_text(*guest.used_at)};
        } else if (unix_now >= guest.expires_at) {
            refusal = Error{Errc::activation_failed,
                            "guest " + guest_id + "'s code expired at " + at_text(guest.expires_at)};
        } else if (mac.size() != guest.code_mac.size() ||
                   CRYPTO_memcmp(mac.data(), guest.code_mac.data(), mac.size()) != 0) {
            wrong = true;
            refusal = Error{Errc::activation_failed, "the code is not guest " + guest_id + "'s"};
        }
        const std::int64_t failures = wrong ? guest.failures + 1 : guest.failures;
        locks_now = wrong && failures >= guest_lockout_failures;

        audit::Log log(context.db, context.clock);
        auto update = context.db.prepare(
            refusal ? "UPDATE guests SET failures = ?, locked_at = ? WHERE guest_id = ?"
                    : "UPDATE guests SET used_at = ? WHERE guest_id = ? AND used_at IS NULL AND locked_at IS NULL");
        if (!update) return std::unexpected(update.error());
        if (refusal) {
            update->bind(1, failures)
                .bind(2, locks_now ? store::Value(unix_now)
                                   : guest.locked_at ? store::Value(*guest.locked_at) : store::Value(nullptr))
                .bind(3, guest_id);
        } else {
            update->bind(1, unix_now).bind(2, guest_id);
        }
        SIGNET_CHECK(update->run());
        if (!refusal && context.db.changes() != 1) {
            refusal = Error{Errc::activation_failed, "guest " + guest_id + "'s code was used meanwhile"};
        }
        audit::Entry entry = base;
        entry.detail["guest_id"] = guest_id;
        entry.detail["email"] = guest.email;
        entry.detail["code_checked_at"] = signet::format_timestamp(now);
        if (refusal) {
            entry.event = "refusal";
            entry.outcome = "refused";
            entry.reason = refusal->message;
            entry.detail["failures"] = failures;
        } else {
            entry.event = "guest_activation";
            entry.outcome = "done";
        }
        auto appended = log.append(entry);
        if (!appended) return std::unexpected(appended.error());
        audit_seq = appended->seq;
        if (locks_now) {
            audit::Entry locked = base;
            locked.event = "guest_locked";
            locked.outcome = "done";
            locked.reason = std::to_string(failures) + " wrong codes";
            locked.detail = {{"guest_id", guest_id}, {"email", guest.email}};
            auto appended_lock = log.append(locked);
            if (!appended_lock) return std::unexpected(appended_lock.error());
        }
        return {};
    });
    if (unusable) return std::unexpected(*unusable);
    if (!committed) {
        return fail(Errc::unavailable, "nothing was signed: the audit log cannot be written (" +
                                           committed.error().message + ")");
    }
    if (refusal) {
        if (locks_now) refusal->message += "; the guest is now locked";
        return std::unexpected(*refusal);
    }
    return GuestActivation{audit_seq, now};
}

}  // namespace signet::daemon
