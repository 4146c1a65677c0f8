#include "audit/log.hpp"

namespace signet::audit {
namespace {

using nlohmann::json;

Result<json> parse_stored(const std::string& text, std::string_view what) {
    json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return fail(Errc::internal, "a stored " + std::string(what) + " is not JSON");
    return parsed;
}

store::Value text_or_null(const std::string& text) {
    return text.empty() ? store::Value(nullptr) : store::Value(text);
}

}  // namespace

Result<Head> Log::head() {
    auto statement = db_.prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (!statement) return std::unexpected(statement.error());
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return Head{};
    return Head{statement->column_int(0), statement->column_text(1)};
}

Result<Entry> Log::append(Entry entry) {
    auto last = head();
    if (!last) return std::unexpected(last.error().with_context("reading the audit log's head"));
    return append(std::move(entry), *last);
}

Result<Entry> Log::append(Entry entry, const Head& after) {
    entry.seq = after.size + 1;
    entry.time = signet::format_timestamp(clock_.now());
    entry.prev_hash = after.hash;
    entry.node = db_.node();
    std::string stored;
    try {
        stored = hash_and_encode(entry);
    } catch (const nlohmann::json::exception& e) {
        // Only text that is not UTF-8 gets here; every API field is checked UTF-8 by the parser.
        return fail(Errc::bad_request, std::string("an audit entry cannot be encoded: ") + e.what());
    }
    auto statement = db_.prepare(
        "INSERT INTO audit_log (seq, time, event, outcome, tenant, action, hash, entry) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, entry.seq)
        .bind(2, entry.time)
        .bind(3, entry.event)
        .bind(4, entry.outcome)
        .bind(5, text_or_null(entry.tenant))
        .bind(6, text_or_null(entry.action))
        .bind(7, entry.hash)
        .bind(8, stored);
    if (auto run = statement->run(); !run) {
        return std::unexpected(run.error().with_context("writing the audit log"));
    }
    return entry;
}

Result<std::vector<Entry>> Log::open_intents() {
    // Read from the newest entry backwards, so the scan stops at the last start. On a store
    // several nodes share, a node accounts for its own key uses only: another node's intents
    // may be running now. Entries without a node are from before nodes, one signetd's.
    auto start = db_.prepare(
        "SELECT seq FROM audit_log WHERE event = 'daemon_start' AND "
        "(json_extract(entry, '$.node') = ? OR json_extract(entry, '$.node') IS NULL) ORDER BY seq DESC LIMIT 1");
    if (!start) return std::unexpected(start.error());
    start->bind(1, db_.node());
    auto row = start->step();
    if (!row) return std::unexpected(row.error());
    std::int64_t after = *row ? start->column_int(0) : 0;
    std::map<std::int64_t, Entry> open;
    constexpr std::int64_t batch = 1000;
    for (;;) {
        auto entries = read(after, batch);
        if (!entries) return std::unexpected(entries.error());
        for (Entry& entry : *entries) {
            after = entry.seq;
            if (entry.intent_seq) {
                open.erase(*entry.intent_seq);
            } else if (entry.outcome == "intended" && (entry.node == db_.node() || entry.node.empty())) {
                open.emplace(entry.seq, std::move(entry));
            }
        }
        if (static_cast<std::int64_t>(entries->size()) < batch) break;
    }
    std::vector<Entry> out;
    for (auto& [seq, entry] : open) out.push_back(std::move(entry));
    return out;
}

Result<std::vector<Entry>> Log::read(std::int64_t after, std::int64_t limit) {
    auto statement = db_.prepare("SELECT entry FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, after).bind(2, limit);
    std::vector<Entry> out;
    for (;;) {
        auto row = statement->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) return out;
        auto object = parse_stored(statement->column_text(0), "audit entry");
        if (!object) return std::unexpected(object.error());
        auto entry = entry_from_json(*object);
        if (!entry) return std::unexpected(entry.error().with_context("a stored audit entry"));
        out.push_back(std::move(*entry));
    }
}

Status Log::add_checkpoint(const Checkpoint& checkpoint) {
    auto statement = db_.prepare("INSERT INTO audit_checkpoints (size, checkpoint) VALUES (?, ?)");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, checkpoint.size).bind(2, to_json(checkpoint).dump());
    return statement->run();
}

Result<std::vector<Checkpoint>> Log::checkpoints() {
    auto statement = db_.prepare("SELECT checkpoint FROM audit_checkpoints ORDER BY size");
    if (!statement) return std::unexpected(statement.error());
    std::vector<Checkpoint> out;
    for (;;) {
        auto row = statement->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) return out;
        auto object = parse_stored(statement->column_text(0), "checkpoint");
        if (!object) return std::unexpected(object.error());
        auto checkpoint = checkpoint_from_json(*object);
        if (!checkpoint) return std::unexpected(checkpoint.error().with_context("a stored checkpoint"));
        out.push_back(std::move(*checkpoint));
    }
}

Result<std::int64_t> Log::anchored_size() {
    auto statement = db_.prepare("SELECT COALESCE(MAX(size), 0) FROM audit_checkpoints");
    if (!statement) return std::unexpected(statement.error());
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    return statement->column_int(0);
}

Result<std::string> Log::export_ndjson() {
    std::string out;
    auto entries = db_.prepare("SELECT entry FROM audit_log ORDER BY seq");
    if (!entries) return std::unexpected(entries.error());
    for (;;) {
        auto row = entries->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        // The stored text is the hashed object; "type" goes first only in the export line.
        std::string stored = entries->column_text(0);
        out += R"({"type":"entry",)" + stored.substr(1) + "\n";
    }
    auto checkpoints = db_.prepare("SELECT checkpoint FROM audit_checkpoints ORDER BY size");
    if (!checkpoints) return std::unexpected(checkpoints.error());
    for (;;) {
        auto row = checkpoints->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) return out;
        out += checkpoints->column_text(0) + "\n";
    }
}

Result<Usage> Log::usage(const std::string& tenant, signet::Date from, signet::Date to) {
    auto statement = db_.prepare(
        "SELECT event, outcome, COALESCE(action, ''), COUNT(*) FROM audit_log "
        "WHERE tenant = ? AND time >= ? AND time < ? GROUP BY event, outcome, action");
    if (!statement) return std::unexpected(statement.error());
    // Times are "YYYY-MM-DDTHH:MM:SSZ", which sort as text in time order.
    statement->bind(1, tenant)
        .bind(2, signet::format_date(from) + "T00:00:00Z")
        .bind(3, signet::format_timestamp(signet::end_of(to)));
    Usage usage;
    for (;;) {
        auto row = statement->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) return usage;
        std::string event = statement->column_text(0);
        std::string outcome = statement->column_text(1);
        std::int64_t count = statement->column_int(3);
        if (event == "seal" && outcome == "sealed") usage.seals += count;
        if (event == "sign" && outcome == "signed") usage.signatures += count;
        if (event == "prepare" && outcome == "prepared") usage.prepares += count;
        if (event == "cosign" && outcome == "signed") usage.cosigns += count;
        // Only tokens asked for through POST /v1/timestamp: one inside a seal or a signature is
        // billed with that job (its action is the job's).
        if (event == "timestamp" && outcome == "stamped" && statement->column_text(2) == "timestamp") {
            usage.timestamps += count;
        }
        // One document time-stamp per extension, from signetd's TSA (stamped) or an external
        // one (received).
        if (event == "timestamp" && (outcome == "stamped" || outcome == "received") &&
            statement->column_text(2) == "extend") {
            usage.extensions += count;
        }
        if (event == "refusal") {
            usage.refusals += count;
            usage.refusals_by_action[statement->column_text(2)] += count;
        }
    }
}

}  // namespace signet::audit
