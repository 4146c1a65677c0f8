#include "idempotency/answer_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/base64.hpp"
#include "base/unique_fd.hpp"

namespace signet::idempotency {
namespace {

namespace fs = std::filesystem;

bool is_file_name(const std::string& name) {
    return name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Status write_all(int fd, const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t written = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return fail(Errc::unavailable, "cannot write a kept answer");
        done += static_cast<std::size_t>(written);
    }
    return {};
}

Status sync_folder(const fs::path& folder) {
    UniqueFd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd || ::fsync(fd.get()) != 0) return fail(Errc::unavailable, "cannot sync " + folder.string());
    return {};
}

}  // namespace

Running::~Running() { store_.finished(name_); }

AnswerStore::AnswerStore(store::Database& db, store::DatabaseMutex& db_mutex, const signet::Clock& clock, Settings settings)
    : db_(db), db_mutex_(db_mutex), clock_(clock), settings_(std::move(settings)) {}

std::string AnswerStore::name_of(const Scope& scope) {
    // NUL cannot occur in a certificate digest, a checked tenant id or a checked key.
    return scope.client + '\0' + scope.tenant + '\0' + scope.key;
}

std::int64_t AnswerStore::now_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
}

void AnswerStore::finished(const std::string& name) {
    {
        std::lock_guard lock(running_mutex_);
        running_.erase(name);
    }
    // The mark in the store: the request ended, answered or not. A failure here leaves the key
    // refused until this node's next start, or the hour after which another node takes it over.
    const auto first = name.find('\0');
    const auto second = name.find('\0', first + 1);
    std::lock_guard lock(db_mutex_);
    (void)db_.transaction(
        [&]() -> Status {
            auto statement = db_.prepare(
                "DELETE FROM idempotency_running WHERE client = ? AND tenant = ? AND key = ? AND node = ?");
            if (!statement) return std::unexpected(statement.error());
            statement->bind(1, name.substr(0, first))
                .bind(2, name.substr(first + 1, second - first - 1))
                .bind(3, name.substr(second + 1))
                .bind(4, db_.node());
            return statement->run();
        },
        store::Database::Durability::deferred);
}

Status AnswerStore::open() {
    std::error_code ec;
    fs::create_directories(settings_.folder, ec);
    if (ec || !fs::is_directory(settings_.folder, ec)) {
        return fail(Errc::unavailable, "cannot make the answers' folder " + settings_.folder.string() +
                                           " ([jobs] answers_folder)");
    }
    if (auto expired = expire(); !expired) return std::unexpected(expired.error());
    std::set<std::string> named;
    {
        std::lock_guard lock(db_mutex_);
        // This node's requests of its last run ended with it.
        auto ended = db_.prepare("DELETE FROM idempotency_running WHERE node = ?");
        if (!ended) return std::unexpected(ended.error());
        SIGNET_CHECK(ended->bind(1, db_.node()).run());
        auto statement = db_.prepare("SELECT DISTINCT body_file FROM idempotency WHERE body_file IS NOT NULL");
        if (!statement) return std::unexpected(statement.error());
        for (;;) {
            auto row = statement->step();
            if (!row) return std::unexpected(row.error());
            if (!*row) break;
            named.insert(statement->column_text(0));
        }
    }
    for (const auto& entry : fs::directory_iterator(settings_.folder, ec)) {
        const std::string name = entry.path().filename().string();
        if (!named.contains(name)) fs::remove(entry.path(), ec);
    }
    return {};
}

Result<Begun> AnswerStore::begin(const Scope& scope, const std::string& request_sha256) {
    if (now_seconds() >= next_expiry_.load()) {
        next_expiry_.store(now_seconds() + 60);
        if (auto expired = expire(); !expired) return std::unexpected(expired.error());
    }
    const std::string name = name_of(scope);
    std::lock_guard lock(running_mutex_);
    if (running_.contains(name)) {
        return fail(Errc::conflict, "a request with this Idempotency-Key is still running; send it again once "
                                    "that one has answered");
    }
    // One write transaction looks for the answer and, when there is none, marks the key running:
    // a request with the same key on another node then finds one or the other, never neither.
    std::optional<KeptRow> kept;
    {
        std::lock_guard db_lock(db_mutex_);
        // Deferred: a mark lost with the power is a request lost with it.
        SIGNET_CHECK(db_.transaction(
            [&]() -> Status {
                SIGNET_TRY(kept, kept_row(scope, request_sha256));
                return kept ? Status{} : reserve(scope);
            },
            store::Database::Durability::deferred));
    }
    Begun begun;
    if (kept) {
        if (!kept->file.empty()) SIGNET_TRY(kept->answer.body, read_file(kept->file, kept->bytes));
        begun.replay = std::move(kept->answer);
    } else {
        running_.insert(name);
        begun.running = std::make_unique<Running>(*this, name);
    }
    return begun;
}

Status AnswerStore::reserve(const Scope& scope) {
    // A mark older than an hour is a node's that never came back: no request runs that long.
    constexpr std::int64_t abandoned_after = 3600;
    const std::int64_t now = now_seconds();
    auto mark = db_.prepare(
        "INSERT INTO idempotency_running (client, tenant, key, node, started_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (client, tenant, key) DO UPDATE SET node = excluded.node, started_at = excluded.started_at "
        "WHERE idempotency_running.started_at < ?");
    if (!mark) return std::unexpected(mark.error());
    mark->bind(1, scope.client).bind(2, scope.tenant).bind(3, scope.key).bind(4, db_.node()).bind(5, now);
    SIGNET_CHECK(mark->bind(6, now - abandoned_after).run());
    if (db_.changes() == 1) return {};
    auto holder = db_.prepare("SELECT node FROM idempotency_running WHERE client = ? AND tenant = ? AND key = ?");
    if (!holder) return std::unexpected(holder.error());
    holder->bind(1, scope.client).bind(2, scope.tenant).bind(3, scope.key);
    auto row = holder->step();
    if (!row) return std::unexpected(row.error());
    const std::string node = *row ? holder->column_text(0) : std::string("another node");
    return fail(Errc::conflict, "a request with this Idempotency-Key is still running on " + node +
                                    "; send it again once that one has answered");
}

Result<std::optional<AnswerStore::KeptRow>> AnswerStore::kept_row(const Scope& scope,
                                                                  const std::string& request_sha256) {
    KeptRow kept;
    auto statement = db_.prepare(
        "SELECT request_sha256, status, fields, body, body_file, body_bytes, kept, outcome_seq FROM idempotency "
        "WHERE client = ? AND tenant = ? AND key = ? AND expires_at > ?");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, scope.client).bind(2, scope.tenant).bind(3, scope.key).bind(4, now_seconds());
    auto row = statement->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::optional<KeptRow>{};
    if (statement->column_text(0) != request_sha256) {
        return fail(Errc::conflict, "this Idempotency-Key was used for another request; a new request needs a "
                                    "new key");
    }
    kept.answer.status = static_cast<int>(statement->column_int(1));
    kept.bytes = statement->column_int(5);
    if (statement->column_int(6) == 0) {
        std::string seq = statement->column_is_null(7) ? "" : " (audit entry " + statement->column_text(7) + ")";
        return fail(Errc::conflict, "the request with this Idempotency-Key was answered with status " +
                                        std::to_string(kept.answer.status) + seq + ", but its answer of " +
                                        std::to_string(kept.bytes) +
                                        " bytes did not fit the space [jobs] answers_max_mib leaves and cannot be "
                                        "sent again; it is not run twice");
    }
    auto fields = nlohmann::json::parse(statement->column_text(2), nullptr, false);
    if (fields.is_discarded() || !fields.is_array()) {
        return fail(Errc::internal, "a kept answer's header fields are not JSON");
    }
    for (const auto& field : fields) {
        kept.answer.fields.emplace_back(field.at(0).get<std::string>(), field.at(1).get<std::string>());
    }
    if (statement->column_is_null(4)) {
        store::Blob body = statement->column_blob(3);
        kept.answer.body.assign(body.begin(), body.end());
    } else {
        kept.file = statement->column_text(4);
    }
    return std::optional<KeptRow>(std::move(kept));
}

Status AnswerStore::keep(const Scope& scope, const std::string& request_sha256, const Answer& answer) {
    std::lock_guard lock(db_mutex_);
    return db_.transaction([&] { return keep_locked(scope, request_sha256, answer, 0); });
}

Status AnswerStore::keep_locked(const Scope& scope, const std::string& request_sha256, const Answer& answer,
                                std::int64_t outcome_seq) {
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& [name, value] : answer.fields) fields.push_back({name, value});
    store::Value body = nullptr;
    store::Value body_file = nullptr;
    bool kept = true;
    if (answer.body.size() <= settings_.inline_bytes) {
        body = store::Blob(answer.body.begin(), answer.body.end());
    } else {
        auto used = db_.prepare("SELECT COALESCE(SUM(body_bytes), 0) FROM idempotency WHERE body_file IS NOT NULL");
        if (!used) return std::unexpected(used.error());
        if (auto row = used->step(); !row) return std::unexpected(row.error());
        const std::string name = sha256_hex(answer.body);
        auto written = write_file(name, answer.body, static_cast<std::uint64_t>(used->column_int(0)));
        // A file that cannot be written is an answer not kept, not a failed job: the signature
        // is made and its outcome must be recorded.
        kept = written && *written;
        if (kept) body_file = name;
    }
    auto statement = db_.prepare(
        "INSERT INTO idempotency (client, tenant, key, request_sha256, status, fields, body, body_file, "
        "body_bytes, kept, outcome_seq, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (client, tenant, key) DO UPDATE SET request_sha256 = excluded.request_sha256, "
        "status = excluded.status, fields = excluded.fields, body = excluded.body, body_file = excluded.body_file, "
        "body_bytes = excluded.body_bytes, kept = excluded.kept, outcome_seq = excluded.outcome_seq, "
        "expires_at = excluded.expires_at");
    if (!statement) return std::unexpected(statement.error());
    statement->bind(1, scope.client)
        .bind(2, scope.tenant)
        .bind(3, scope.key)
        .bind(4, request_sha256)
        .bind(5, std::int64_t{answer.status})
        .bind(6, fields.dump())
        .bind(7, body)
        .bind(8, body_file)
        .bind(9, static_cast<std::int64_t>(answer.body.size()))
        .bind(10, std::int64_t{kept ? 1 : 0})
        .bind(11, outcome_seq > 0 ? store::Value(outcome_seq) : store::Value(nullptr))
        .bind(12, now_seconds() + settings_.ttl.count());
    return statement->run();
}

Result<bool> AnswerStore::write_file(const std::string& name, const std::string& body, std::uint64_t used) {
    if (used + body.size() > settings_.max_file_bytes) return false;
    const fs::path path = settings_.folder / name;
    std::error_code ec;
    if (fs::exists(path, ec)) return true;  // the same bytes, kept for another key
    const fs::path partial = settings_.folder / (name + ".partial");
    {
        UniqueFd fd(::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (!fd) return false;
        if (!write_all(fd.get(), body) || ::fsync(fd.get()) != 0) {
            fs::remove(partial, ec);
            return false;
        }
    }
    fs::rename(partial, path, ec);
    if (ec || !sync_folder(settings_.folder)) {
        fs::remove(partial, ec);
        return false;
    }
    return true;
}

Result<std::string> AnswerStore::read_file(const std::string& name, std::int64_t bytes) {
    const Error lost{Errc::unavailable, "the kept answer of this Idempotency-Key cannot be read from " +
                                            settings_.folder.string()};
    if (!is_file_name(name)) return std::unexpected(lost);
    UniqueFd fd(::open((settings_.folder / name).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::unexpected(lost);
    std::string body(static_cast<std::size_t>(bytes), '\0');
    std::size_t done = 0;
    while (done < body.size()) {
        ssize_t got = ::read(fd.get(), body.data() + done, body.size() - done);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return std::unexpected(lost);
        done += static_cast<std::size_t>(got);
    }
    // Named by its digest: a file changed on disk is not sent as the first answer.
    if (sha256_hex(body) != name) return std::unexpected(lost);
    return body;
}

Result<std::size_t> AnswerStore::expire() {
    std::vector<std::string> files;
    std::size_t removed = 0;
    {
        std::lock_guard lock(db_mutex_);
        const std::int64_t now = now_seconds();
        auto named = db_.prepare("SELECT DISTINCT body_file FROM idempotency WHERE expires_at <= ? AND body_file IS NOT NULL");
        if (!named) return std::unexpected(named.error());
        named->bind(1, now);
        for (;;) {
            auto row = named->step();
            if (!row) return std::unexpected(row.error());
            if (!*row) break;
            files.push_back(named->column_text(0));
        }
        Status deleted = db_.transaction([&]() -> Status {
            auto statement = db_.prepare("DELETE FROM idempotency WHERE expires_at <= ?");
            if (!statement) return std::unexpected(statement.error());
            statement->bind(1, now);
            SIGNET_CHECK(statement->run());
            removed = static_cast<std::size_t>(db_.changes());
            return {};
        });
        if (!deleted) return std::unexpected(deleted.error());
        // A file another key still names stays.
        std::erase_if(files, [&](const std::string& file) {
            auto still = db_.prepare("SELECT 1 FROM idempotency WHERE body_file = ?");
            if (!still) return true;
            still->bind(1, file);
            auto row = still->step();
            return !row || *row;
        });
    }
    std::error_code ec;
    for (const std::string& file : files) {
        if (is_file_name(file)) fs::remove(settings_.folder / file, ec);
    }
    return removed;
}

}  // namespace signet::idempotency
