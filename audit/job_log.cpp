#include "audit/job_log.hpp"

#include <chrono>
#include <ctime>

namespace signet::audit {
namespace {

std::string now_utc() {
    std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

std::string_view to_string(Outcome outcome) {
    switch (outcome) {
        case Outcome::sealed: return "sealed";
        case Outcome::failed: return "failed";
        case Outcome::refused: return "refused";
    }
    return "failed";
}

Result<std::int64_t> insert(store::Database& db, const SealIntent& intent, std::string_view outcome,
                            const std::string& reason) {
    auto statement = db.prepare(
        "INSERT INTO seal_jobs (at, client_fingerprint, tenant, actor, input_sha256, key_id, "
        "outcome, reason, approved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, now_utc())
        .bind(2, intent.client_fingerprint)
        .bind(3, intent.tenant)
        .bind(4, intent.actor)
        .bind(5, intent.input_sha256)
        .bind(6, intent.key_id.empty() ? store::Value(nullptr) : store::Value(intent.key_id))
        .bind(7, std::string(outcome))
        .bind(8, reason.empty() ? store::Value(nullptr) : store::Value(reason))
        .bind(9, intent.approved_by.empty() ? store::Value(nullptr) : store::Value(intent.approved_by));
    auto row = statement->step();
    if (!row) return std::unexpected(row.error().with_context("recording the seal job"));
    if (!*row) return fail(Errc::internal, "recording the seal job returned no id");
    return statement->column_int(0);
}

}  // namespace

Result<std::int64_t> record_intent(store::Database& db, const SealIntent& intent) {
    return insert(db, intent, "intended", "");
}

Result<std::int64_t> record_refusal(store::Database& db, const SealIntent& intent,
                                    const std::string& reason) {
    return insert(db, intent, to_string(Outcome::refused), reason);
}

Status record_outcome(store::Database& db, std::int64_t seq, Outcome outcome,
                      const std::string& output_sha256, const std::string& reason) {
    auto statement = db.prepare(
        "UPDATE seal_jobs SET outcome = ?, output_sha256 = ?, reason = ? "
        "WHERE id = ? AND outcome = 'intended'");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, std::string(to_string(outcome)))
        .bind(2, output_sha256.empty() ? store::Value(nullptr) : store::Value(output_sha256))
        .bind(3, reason.empty() ? store::Value(nullptr) : store::Value(reason))
        .bind(4, seq);
    if (auto done = statement->run(); !done) {
        return std::unexpected(done.error().with_context("recording the seal job's outcome"));
    }
    if (db.changes() != 1) {
        return fail(Errc::internal, "seal job " + std::to_string(seq) + " has no pending intent");
    }
    return {};
}

}  // namespace signet::audit
