#include "jobs/timestamp_job.hpp"

#include <variant>

#include "jobs/key_use.hpp"
#include "timestamp/token.hpp"

namespace signet::daemon {
namespace {

// A rejection answered to the client and put on record as a refusal.
Result<TimestampReply> reject(const TrustedTime& time, audit::Entry entry, const timestamp::Rejection& rejection) {
    auto response = timestamp::rejection_response(rejection);
    if (!response) return std::unexpected(response.error());
    if (auto recorded = record_refusal(time.trail, std::move(entry), Error{Errc::bad_request, rejection.text});
        recorded.error().code == Errc::unavailable) {
        return std::unexpected(recorded.error());
    }
    return TimestampReply{std::move(*response), std::nullopt};
}

}  // namespace

Status check_known_tenant(store::Database& db, store::DatabaseMutex& db_mutex, KnownTenants& tenants, const std::string& tenant) {
    if (tenants.contains(tenant)) return {};
    std::lock_guard lock(db_mutex);
    auto statement = db.prepare("SELECT 1 FROM tenants WHERE id = ?");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, tenant);
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return fail(Errc::not_found, "the tenant '" + tenant + "' is not registered on signetd");
    tenants.add(tenant);
    return {};
}

Result<TimestampReply> run_timestamp_job(const TrustedTime& time, store::Database& db, store::DatabaseMutex& db_mutex,
                                         KnownTenants& tenants, const config::ClientIdentity& client,
                                         const std::string& tenant, std::span<const std::uint8_t> query,
                                         const KeepTimestampReply& keep) {
    // 1. Client role: time-stamps are for the platform.
    if (!client.role || *client.role != config::Role::platform) {
        return fail(Errc::forbidden, "only the platform role may ask for time-stamps");
    }
    // 2. The request, bounded by api/ (16 KiB), parsed: not a TimeStampReq is a 400.
    const std::string policy = time.settings != nullptr ? time.settings->policy : "";
    auto parsed = timestamp::parse_request(query, policy);
    if (!parsed) return std::unexpected(parsed.error());
    SIGNET_CHECK(check_known_tenant(db, db_mutex, tenants, tenant));

    audit::Entry entry;
    entry.client_fingerprint = client.fingerprint;
    entry.client_role = std::string(config::to_string(*client.role));
    entry.tenant = tenant;
    entry.action = "timestamp";
    if (const auto* rejection = std::get_if<timestamp::Rejection>(&*parsed)) return reject(time, entry, *rejection);
    const auto& request = std::get<timestamp::Request>(*parsed);

    // 3. Trusted time: a clock that is not synchronised is RFC 3161's timeNotAvailable.
    if (auto available = check_trusted_time(time); !available) {
        if (time.settings == nullptr) return std::unexpected(available.error());
        return reject(time, entry, {timestamp::FailureInfo::time_not_available, available.error().message});
    }
    // 4-6. Intent, HSM signature, outcome (with the kept answer).
    std::optional<TimestampReply> granted;
    auto stamp = issue_internal(time, request, std::move(entry), [&](const Stamp& made, std::int64_t outcome_seq) -> Status {
        auto response = timestamp::granted_response(made.token);
        if (!response) return std::unexpected(response.error());
        granted = TimestampReply{std::move(*response), made.info};
        return keep ? keep(*granted, outcome_seq) : Status{};
    });
    if (!stamp) return std::unexpected(stamp.error());
    return std::move(*granted);
}

}  // namespace signet::daemon
