#include "persons/activation.hpp"

#include "audit/log.hpp"
#include "persons/enrolment.hpp"
#include "persons/totp.hpp"

namespace signet::daemon {
namespace {

struct PersonRow {
    bool exists = false;
    store::Blob sealed_seed;
    std::optional<std::int64_t> last_step;
    std::int64_t failures = 0;
    std::optional<std::int64_t> locked_until;
};

Result<PersonRow> read_person(store::Database& db, const std::string& person) {
    auto statement = db.prepare(
        "SELECT COALESCE(otp_seed, ''), otp_last_step, failures, locked_until FROM persons WHERE person = ?");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, person);
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    PersonRow out;
    if (!*row) return out;
    out.exists = true;
    out.sealed_seed = statement->column_blob(0);
    if (!statement->column_is_null(1)) out.last_step = statement->column_int(1);
    out.failures = statement->column_int(2);
    if (!statement->column_is_null(3)) out.locked_until = statement->column_int(3);
    return out;
}

}  // namespace

Result<Activation> check_activation(const OfficerContext& context, const config::Signing& settings,
                                    const audit::Entry& base, const std::string& person, const std::string& code,
                                    const std::vector<std::string>& document_sha256s) {
    std::lock_guard lock(context.db_mutex);
    const signet::Timestamp now = context.clock.now();
    const std::int64_t unix_now = now.time_since_epoch().count();
    std::optional<Error> refusal;
    std::optional<Error> unusable;  // no decision was made: nothing to record
    std::optional<std::int64_t> step;
    bool locks_now = false;
    std::int64_t activation_seq = 0;
    // The person's row is read in the write transaction: on a store several nodes share, a code
    // used through one node is refused through the others, and failures add up across them.
    Status committed = context.db.transaction([&]() -> Status {
        auto row = read_person(context.db, person);
        if (!row) return std::unexpected(row.error());
        bool failure = false;  // a wrong or reused code: counts towards the lock
        if (!row->exists || row->sealed_seed.empty()) {
            refusal = Error{Errc::activation_failed, person + " has no authenticator enrolled"};
        } else if (row->locked_until && *row->locked_until > unix_now) {
            refusal = Error{Errc::activation_failed,
                            person + "'s signing is locked until " +
                                signet::format_timestamp(signet::Timestamp(std::chrono::seconds(*row->locked_until))) +
                                " after " + std::to_string(settings.lockout_failures) + " wrong codes"};
        } else {
            auto seed = context.token.open_secret(seed_key_id(), row->sealed_seed, seed_context(person));
            if (!seed) {
                unusable = Error{Errc::unavailable, "the authenticator cannot be checked: " + seed.error().message};
                return std::unexpected(*unusable);
            }
            auto found = totp_step_of(*seed, code, now);
            if (!found) {
                unusable = found.error();
                return std::unexpected(*unusable);
            }
            if (!*found) {
                failure = true;
                refusal = Error{Errc::activation_failed, "the code is not " + person + "'s current code"};
            } else if (row->last_step && **found <= *row->last_step) {
                failure = true;
                refusal = Error{Errc::activation_failed, "this code was already used; wait for the next one"};
            } else {
                step = **found;
            }
        }
        const std::int64_t failures = failure ? row->failures + 1 : row->failures;
        locks_now = failure && failures >= settings.lockout_failures;

        audit::Log log(context.db, context.clock);
        if (row->exists) {
            auto update = context.db.prepare(
                "UPDATE persons SET failures = ?, locked_until = ?, otp_last_step = COALESCE(?, otp_last_step) "
                "WHERE person = ?");
            if (!update) return std::unexpected(update.error());
            std::int64_t kept_failures = step ? 0 : (locks_now ? 0 : failures);
            store::Value locked = locks_now ? store::Value(unix_now + settings.lockout.count())
                                  : row->locked_until ? store::Value(*row->locked_until)
                                                      : store::Value(nullptr);
            update->bind(1, kept_failures).bind(2, locked).bind(3, step ? store::Value(*step) : store::Value(nullptr));
            update->bind(4, person);
            SIGNET_CHECK(update->run());
        }
        audit::Entry entry = base;
        entry.detail = {{"documents", document_sha256s}};
        if (step) {
            entry.event = "activation";
            entry.outcome = "done";
            entry.detail["otp_step"] = *step;
        } else {
            entry.event = "refusal";
            entry.outcome = "refused";
            entry.reason = refusal->message;
            entry.detail["failures"] = failures;
        }
        auto appended = log.append(entry);
        if (!appended) return std::unexpected(appended.error());
        activation_seq = appended->seq;
        if (locks_now) {
            audit::Entry locked = base;
            locked.event = "activation_locked";
            locked.outcome = "done";
            locked.reason = std::to_string(failures) + " wrong codes in a row";
            locked.detail = {{"locked_until", signet::format_timestamp(now + settings.lockout)}};
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
        if (locks_now) refusal->message += "; signing is now locked for " +
                                           std::to_string(settings.lockout.count() / 60) + " minutes";
        return std::unexpected(*refusal);
    }
    return Activation{*step, activation_seq};
}

}  // namespace signet::daemon
