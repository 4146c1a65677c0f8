#include "config/config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <limits>
#include <set>
#include <system_error>

#include <toml++/toml.h>

namespace signet::config {
namespace {

namespace fs = std::filesystem;

// Reads one table, remembering which keys were used so that the rest can be refused.
class TableReader {
public:
    TableReader(const fs::path& file, std::string name, const toml::table* table)
        : file_(file), name_(std::move(name)), table_(table) {}

    Error error(std::string_view key, std::string_view problem) const {
        std::string where = file_.string();
        if (const toml::node* node = table_ != nullptr ? table_->get(key) : nullptr) {
            where += ":" + std::to_string(node->source().begin.line);
        }
        return Error{Errc::invalid_config,
                     where + ": " + qualified(key) + ": " + std::string(problem)};
    }

    std::string qualified(std::string_view key) const {
        return name_.empty() ? std::string(key) : name_ + "." + std::string(key);
    }

    bool has(std::string_view key) const { return table_ != nullptr && table_->contains(key); }

    // A key whose value is not a scalar (an array), marked as read.
    const toml::node* node(std::string_view key) {
        used_.insert(std::string(key));
        return table_ != nullptr ? table_->get(key) : nullptr;
    }

    template <class T>
    Result<std::optional<T>> optional(std::string_view key) {
        used_.insert(std::string(key));
        if (!has(key)) return std::optional<T>{};
        const toml::node* node = table_->get(key);
        // An integer must be a TOML integer: toml++ 3.3's value<std::int64_t>() also converts a
        // float, casting before it checks the range, which is undefined behaviour for a float
        // beyond int64_t ("port = 94e43", found by tests/fuzz/config_toml_fuzz.cpp).
        if constexpr (std::is_same_v<T, std::int64_t>) {
            if (!node->is_integer())
                return std::unexpected(error(key, std::string("must be ") + kind<T>()));
        }
        std::optional<T> value = node->value<T>();
        if (!value) return std::unexpected(error(key, std::string("must be ") + kind<T>()));
        return value;
    }

    template <class T>
    Result<T> required(std::string_view key) {
        auto value = optional<T>(key);
        if (!value) return std::unexpected(value.error());
        if (!*value) return std::unexpected(error(key, "is required"));
        return **value;
    }

    template <class T>
    Result<T> number(std::string_view key, T fallback, std::int64_t min, std::int64_t max) {
        auto value = optional<std::int64_t>(key);
        if (!value) return std::unexpected(value.error());
        if (!*value) return fallback;
        if (**value < min || **value > max) {
            return std::unexpected(error(key, "must be between " + std::to_string(min) + " and " +
                                                  std::to_string(max)));
        }
        return static_cast<T>(**value);
    }

    // A path that must name an existing file; relative paths are relative to the config file.
    Result<fs::path> existing_file(std::string_view key) {
        auto text = required<std::string>(key);
        if (!text) return std::unexpected(text.error());
        fs::path path = resolve(*text);
        std::error_code ec;
        if (!fs::is_regular_file(path, ec)) {
            return std::unexpected(error(key, "names " + path.string() + ", which does not exist"
                                                  " or is not a file"));
        }
        return path;
    }

    // An optional array of paths that must each name an existing file.
    Result<std::vector<fs::path>> existing_files(std::string_view key) {
        std::vector<fs::path> paths;
        const toml::node* value = node(key);
        if (value == nullptr) return paths;
        const toml::array* array = value->as_array();
        if (array == nullptr) return std::unexpected(error(key, "must be an array of file names"));
        for (const auto& element : *array) {
            auto text = element.value<std::string>();
            if (!text) return std::unexpected(error(key, "must be an array of file names"));
            fs::path path = resolve(*text);
            std::error_code ec;
            if (!fs::is_regular_file(path, ec)) {
                return std::unexpected(error(key, "names " + path.string() + ", which does not exist or is not a file"));
            }
            paths.push_back(std::move(path));
        }
        return paths;
    }

    // A timeout in milliseconds, 100 ms to 2 minutes.
    Result<std::chrono::milliseconds> milliseconds(std::string_view key, std::chrono::milliseconds fallback) {
        auto value = number<std::int64_t>(key, fallback.count(), 100, 120000);
        if (!value) return std::unexpected(value.error());
        return std::chrono::milliseconds(*value);
    }

    fs::path resolve(const std::string& text) const {
        fs::path path(text);
        return path.is_absolute() ? path : file_.parent_path() / path;
    }

    Status no_unknown_keys() const {
        if (table_ == nullptr) return {};
        for (const auto& [key, node] : *table_) {
            if (!used_.contains(std::string(key.str()))) {
                return fail(Errc::invalid_config,
                            file_.string() + ":" + std::to_string(node.source().begin.line) +
                                ": unknown key " + qualified(key.str()));
            }
        }
        return {};
    }

private:
    template <class T>
    static const char* kind() {
        if constexpr (std::is_same_v<T, std::string>) return "a string";
        if constexpr (std::is_same_v<T, std::int64_t>) return "an integer";
        if constexpr (std::is_same_v<T, bool>) return "a boolean";
        return "a value of another type";
    }

    const fs::path& file_;
    std::string name_;
    const toml::table* table_;
    std::set<std::string> used_;
};

Result<Role> parse_role(TableReader& reader, const std::string& text) {
    if (text == "platform") return Role::platform;
    if (text == "officer") return Role::officer;
    if (text == "auditor") return Role::auditor;
    if (text == "monitor") return Role::monitor;
    return std::unexpected(reader.error("role", "must be platform, officer, auditor or monitor, not '" +
                                                    text + "'"));
}

Status read_server(TableReader reader, Server& server) {
    std::optional<std::string> address;
    SIGNET_TRY(address, reader.optional<std::string>("address"));
    if (address) server.address = *address;
    SIGNET_TRY(server.port, reader.number<std::uint16_t>("port", server.port, 1, 65535));
    SIGNET_TRY(server.io_threads, reader.number<unsigned>("io_threads", server.io_threads, 1, 64));
    std::optional<std::string> node;
    SIGNET_TRY(node, reader.optional<std::string>("node"));
    if (node) {
        server.node = *node;
    } else {
        char host[256] = {};
        server.node = gethostname(host, sizeof host - 1) == 0 && host[0] != '\0' ? host : "signetd";
    }
    const bool plain = std::ranges::all_of(server.node, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
    });
    if (server.node.empty() || server.node.size() > 64 || !plain) {
        return std::unexpected(reader.error("node", "must be 1 to 64 letters, digits, '-', '.' or '_' (by default the "
                                                    "host name, \"" + server.node + "\")"));
    }
    return reader.no_unknown_keys();
}

Status read_tls(TableReader reader, Tls& tls) {
    SIGNET_TRY(tls.certificate, reader.existing_file("certificate"));
    SIGNET_TRY(tls.private_key, reader.existing_file("private_key"));
    SIGNET_TRY(tls.client_ca, reader.existing_file("client_ca"));
    if (reader.has("client_crl")) {
        fs::path crl;
        SIGNET_TRY(crl, reader.existing_file("client_crl"));
        tls.client_crl = std::move(crl);
    }
    return reader.no_unknown_keys();
}

// A systemd credential (systemd.exec(5), "Credentials"): the service manager puts it in a
// private folder named by $CREDENTIALS_DIRECTORY, readable by the service alone. The variable
// holds a folder, never the secret.
Result<fs::path> credential_file(TableReader& reader, std::string_view key) {
    auto name = reader.required<std::string>(key);
    if (!name) return std::unexpected(name.error());
    if (name->empty() || name->find('/') != std::string::npos || *name == "." || *name == "..") {
        return std::unexpected(reader.error(key, "must be a credential name, not a path"));
    }
    const char* folder = std::getenv("CREDENTIALS_DIRECTORY");
    if (folder == nullptr || *folder == '\0') {
        return std::unexpected(reader.error(key, "needs $CREDENTIALS_DIRECTORY: start signetd from its systemd "
                                                 "unit (LoadCredential=" + *name + ":...)"));
    }
    fs::path path = fs::path(folder) / *name;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        return std::unexpected(reader.error(key, "the credential " + path.string() + " does not exist"));
    }
    return path;
}

Status read_hsm(TableReader reader, Hsm& hsm) {
    SIGNET_TRY(hsm.module, reader.existing_file("module"));
    if (reader.has("softhsm_conf")) {
        SIGNET_TRY(hsm.softhsm_conf, reader.existing_file("softhsm_conf"));
    } else {
        SIGNET_CHECK(reader.optional<std::string>("softhsm_conf"));
    }
    SIGNET_TRY(hsm.token, reader.required<std::string>("token"));
    if (hsm.token.empty()) return std::unexpected(reader.error("token", "must not be empty"));
    if (reader.has("pin_credential") == reader.has("pin_file")) {
        return std::unexpected(reader.error("pin_file", "give exactly one of pin_file and pin_credential"));
    }
    if (reader.has("pin_file")) {
        SIGNET_TRY(hsm.pin_file, reader.existing_file("pin_file"));
    } else {
        SIGNET_TRY(hsm.pin_file, credential_file(reader, "pin_credential"));
    }
    SIGNET_TRY(hsm.sessions, reader.number<unsigned>("sessions", hsm.sessions, 1, 256));
    return reader.no_unknown_keys();
}

Status read_sqlite_path(TableReader& reader, Store& store) {
    std::string text;
    SIGNET_TRY(text, reader.required<std::string>("path"));
    store.path = reader.resolve(text);
    std::error_code ec;
    if (!fs::is_directory(store.path.parent_path(), ec)) {
        return std::unexpected(reader.error("path", "names " + store.path.string() + ", whose folder does not exist"));
    }
    return {};
}

// A libpq URI naming user, host, port and database; the password has its own file, so that it
// is in no configuration text, log line or process listing.
Status read_postgresql(TableReader& reader, Store& store) {
    SIGNET_TRY(store.url, reader.required<std::string>("url"));
    const std::string_view url = store.url;
    if (!url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
        return std::unexpected(reader.error("url", "must be a postgresql://user@host:port/database URI"));
    }
    const auto authority = url.substr(url.find("//") + 2, url.substr(url.find("//") + 2).find_first_of("/?"));
    if (authority.find(':') < authority.find('@') && authority.find('@') != std::string_view::npos) {
        return std::unexpected(reader.error("url", "must not hold a password: put it in password_file"));
    }
    if (url.find("password=") != std::string_view::npos) {
        return std::unexpected(reader.error("url", "must not hold a password: put it in password_file"));
    }
    SIGNET_TRY(store.password_file, reader.existing_file("password_file"));
    SIGNET_TRY(store.connections, reader.number<unsigned>("connections", store.connections, 1, 256));
    return {};
}

Status read_store(TableReader reader, Store& store) {
    std::string backend = "sqlite";
    std::optional<std::string> named;
    SIGNET_TRY(named, reader.optional<std::string>("backend"));
    if (named) backend = *named;
    if (backend == "sqlite") {
        store.backend = Store::Backend::sqlite;
        SIGNET_CHECK(read_sqlite_path(reader, store));
    } else if (backend == "postgresql") {
        store.backend = Store::Backend::postgresql;
        SIGNET_CHECK(read_postgresql(reader, store));
    } else {
        return std::unexpected(reader.error("backend", "must be \"sqlite\" or \"postgresql\""));
    }
    return reader.no_unknown_keys();
}

Status read_database(TableReader reader, Store& store) {
    store.deprecated_table = true;
    SIGNET_CHECK(read_sqlite_path(reader, store));
    return reader.no_unknown_keys();
}

Status read_policy(TableReader reader, Policy& policy) {
    SIGNET_TRY(policy.rights_matrix, reader.existing_file("rights_matrix"));
    return reader.no_unknown_keys();
}

// [audit] is optional: every key has a default.
Status read_audit(TableReader reader, Audit& audit) {
    std::optional<std::string> origin;
    SIGNET_TRY(origin, reader.optional<std::string>("origin"));
    if (origin) {
        if (origin->empty() || origin->find('\n') != std::string::npos) {
            return std::unexpected(reader.error("origin", "must be one non-empty line"));
        }
        audit.origin = *origin;
    }
    SIGNET_TRY(audit.checkpoint_entries,
               reader.number<unsigned>("checkpoint_entries", audit.checkpoint_entries, 1, 1000000));
    auto seconds = reader.number<std::int64_t>("checkpoint_seconds", audit.checkpoint_interval.count(), 1, 86400);
    if (!seconds) return std::unexpected(seconds.error());
    audit.checkpoint_interval = std::chrono::seconds(*seconds);
    std::optional<std::string> file;
    SIGNET_TRY(file, reader.optional<std::string>("checkpoint_file"));
    audit.checkpoint_file = reader.resolve(file.value_or("audit-checkpoints.ndjson"));
    std::error_code ec;
    if (!fs::is_directory(audit.checkpoint_file.parent_path(), ec)) {
        return std::unexpected(reader.error("checkpoint_file", "names " + audit.checkpoint_file.string() +
                                                                   ", whose folder does not exist"));
    }
    return reader.no_unknown_keys();
}

// [keys] is optional; without signing_trust_anchors no certificate can be imported.
Status read_keys(TableReader reader, Keys& keys) {
    if (reader.has("signing_trust_anchors")) {
        SIGNET_TRY(keys.signing_trust_anchors, reader.existing_file("signing_trust_anchors"));
    }
    auto span = [&reader](std::string_view key, std::chrono::seconds fallback, std::int64_t unit, std::int64_t min,
                          std::int64_t max) -> Result<std::chrono::seconds> {
        auto value = reader.number<std::int64_t>(key, fallback.count() / unit, min, max);
        if (!value) return std::unexpected(value.error());
        return std::chrono::seconds(*value * unit);
    };
    constexpr std::int64_t hour = 3600;
    constexpr std::int64_t day = 24 * hour;
    SIGNET_TRY(keys.approval_ttl, span("approval_hours", keys.approval_ttl, hour, 1, 24 * 30));
    SIGNET_TRY(keys.refresh, span("refresh_seconds", keys.refresh, 1, 1, 3600));
    SIGNET_TRY(keys.min_remaining_validity,
               span("min_remaining_validity_days", keys.min_remaining_validity, day, 0, 365));
    SIGNET_TRY(keys.expiry_warning, span("expiry_warning_days", keys.expiry_warning, day, 0, 3650));
    return reader.no_unknown_keys();
}

// [signing] is optional: every key has a default.
Status read_signing(TableReader reader, Signing& signing) {
    std::optional<std::string> issuer;
    SIGNET_TRY(issuer, reader.optional<std::string>("otp_issuer"));
    if (issuer) {
        if (issuer->empty() || issuer->size() > 64 || issuer->find(':') != std::string::npos) {
            return std::unexpected(reader.error("otp_issuer", "must be 1 to 64 characters without ':'"));
        }
        signing.otp_issuer = *issuer;
    }
    SIGNET_TRY(signing.max_batch_documents,
               reader.number<unsigned>("max_batch_documents", signing.max_batch_documents, 1, 100));
    SIGNET_TRY(signing.lockout_failures, reader.number<unsigned>("lockout_failures", signing.lockout_failures, 1, 100));
    auto minutes = reader.number<std::int64_t>("lockout_minutes", signing.lockout.count() / 60, 1, 7 * 24 * 60);
    if (!minutes) return std::unexpected(minutes.error());
    signing.lockout = std::chrono::minutes(*minutes);
    return reader.no_unknown_keys();
}

// [signature] is optional: B-B when absent.
Status read_signature(TableReader reader, Signature& signature) {
    std::optional<std::string> level;
    SIGNET_TRY(level, reader.optional<std::string>("level"));
    if (level) {
        auto parsed = parse_signature_level(*level);
        if (!parsed) {
            return std::unexpected(
                reader.error("level", "must be \"B-B\", \"B-T\", \"B-LT\" or \"B-LTA\", not '" + *level + "'"));
        }
        signature.level = *parsed;
    }
    SIGNET_TRY(signature.trust, reader.existing_files("trust"));
    return reader.no_unknown_keys();
}

// [revocation] is optional: "require" with no local CRL files when absent.
Status read_revocation(TableReader reader, Revocation& revocation) {
    std::optional<std::string> mode;
    SIGNET_TRY(mode, reader.optional<std::string>("mode"));
    if (mode == "prefer") {
        revocation.mode = RevocationMode::prefer;
    } else if (mode && *mode != "require") {
        return std::unexpected(reader.error("mode", "must be \"require\" or \"prefer\", not '" + *mode + "'"));
    }
    SIGNET_TRY(revocation.crl_files, reader.existing_files("crl_files"));
    for (auto [key, flag] : {std::pair{"ocsp", &revocation.ocsp}, std::pair{"crl_urls", &revocation.crl_urls},
                             std::pair{"ocsp_nonce", &revocation.ocsp_nonce},
                             std::pair{"ocsp_get", &revocation.ocsp_get}}) {
        std::optional<bool> value;
        SIGNET_TRY(value, reader.optional<bool>(key));
        if (value) *flag = *value;
    }
    SIGNET_TRY(revocation.connect_timeout, reader.milliseconds("connect_timeout_ms", revocation.connect_timeout));
    SIGNET_TRY(revocation.timeout, reader.milliseconds("timeout_ms", revocation.timeout));
    return reader.no_unknown_keys();
}

bool dotted_oid(const std::string& text) {
    if (text.empty() || text.size() > 64 || text.front() == '.' || text.back() == '.') return false;
    if (text.find("..") != std::string::npos) return false;
    return text.find_first_not_of("0123456789.") == std::string::npos && text.find('.') != std::string::npos;
}

Status read_timestamp(TableReader reader, Timestamp& timestamp) {
    std::string source;
    SIGNET_TRY(source, reader.required<std::string>("source"));
    if (source == "internal") {
        timestamp.source = TimestampSource::internal;
    } else if (source == "external") {
        timestamp.source = TimestampSource::external;
    } else {
        return std::unexpected(reader.error("source", "must be \"internal\" or \"external\", not '" + source + "'"));
    }
    std::optional<std::string> policy;
    SIGNET_TRY(policy, reader.optional<std::string>("policy"));
    if (policy) {
        if (!dotted_oid(*policy)) return std::unexpected(reader.error("policy", "must be a dotted OID such as 2.999.1"));
        timestamp.policy = *policy;
    } else if (timestamp.source == TimestampSource::internal) {
        return std::unexpected(reader.error("policy", "is required: the OID of the policy signetd's TSA issues under"));
    }
    std::int64_t accuracy = 0;
    SIGNET_TRY(accuracy, reader.number<std::int64_t>("accuracy_seconds", timestamp.accuracy.count(), 0, 60));
    timestamp.accuracy = std::chrono::seconds(accuracy);
    std::optional<bool> synchronized;
    SIGNET_TRY(synchronized, reader.optional<bool>("require_synchronized_clock"));
    if (synchronized) timestamp.require_synchronized_clock = *synchronized;
    const toml::node* urls = reader.node("urls");
    if (urls != nullptr) {
        const toml::array* array = urls->as_array();
        if (array == nullptr) return std::unexpected(reader.error("urls", "must be an array of strings"));
        for (const auto& element : *array) {
            auto url = element.value<std::string>();
            if (!url || !(url->starts_with("http://") || url->starts_with("https://"))) {
                return std::unexpected(reader.error("urls", "must hold http:// or https:// URLs only"));
            }
            timestamp.urls.push_back(*url);
        }
    }
    if (timestamp.source == TimestampSource::external) {
        if (timestamp.urls.empty()) return std::unexpected(reader.error("urls", "must name at least one TSA"));
        SIGNET_TRY(timestamp.trust, reader.existing_file("trust"));
        if (reader.has("https_ca")) SIGNET_TRY(timestamp.https_ca, reader.existing_file("https_ca"));
    } else if (!timestamp.urls.empty() || reader.has("trust") || reader.has("https_ca")) {
        return std::unexpected(reader.error(reader.has("urls") ? "urls" : reader.has("trust") ? "trust" : "https_ca",
                                            "is for source = \"external\" only"));
    }
    SIGNET_TRY(timestamp.connect_timeout, reader.milliseconds("connect_timeout_ms", timestamp.connect_timeout));
    SIGNET_TRY(timestamp.timeout, reader.milliseconds("timeout_ms", timestamp.timeout));
    SIGNET_TRY(timestamp.max_token_bytes,
               reader.number<std::size_t>("max_token_bytes", timestamp.max_token_bytes, 2048, 64 * 1024));
    return reader.no_unknown_keys();
}

// [jobs] is optional: every key has a default. The answers' folder is made at start.
Status read_jobs(TableReader reader, const Store& store, Jobs& jobs) {
    auto ttl = reader.number<std::int64_t>("idempotency_ttl", jobs.idempotency_ttl.count(), 1, 366LL * 24 * 3600);
    if (!ttl) return std::unexpected(ttl.error());
    jobs.idempotency_ttl = std::chrono::seconds(*ttl);
    std::optional<std::string> folder;
    SIGNET_TRY(folder, reader.optional<std::string>("answers_folder"));
    // Beside the SQLite file, or beside the configuration (which every node has its own of).
    const fs::path beside = store.backend == Store::Backend::sqlite ? store.path.parent_path() / "answers"
                                                                      : reader.resolve("answers");
    jobs.answers_folder = folder ? reader.resolve(*folder) : beside;
    constexpr std::uint64_t mib = 1024 * 1024;
    std::uint64_t max_mib = 0;
    SIGNET_TRY(max_mib, reader.number<std::uint64_t>("answers_max_mib", jobs.answers_max_bytes / mib, 0, 1024 * 1024));
    jobs.answers_max_bytes = max_mib * mib;
    return reader.no_unknown_keys();
}

// [guests] is optional: co-signatures need only an active guest CA.
Status read_guests(TableReader reader, Guests& guests) {
    auto ttl = reader.number<std::int64_t>("code_ttl", guests.code_ttl.count(), 1, 24 * 3600);
    if (!ttl) return std::unexpected(ttl.error());
    guests.code_ttl = std::chrono::seconds(*ttl);
    std::optional<std::string> algorithm;
    SIGNET_TRY(algorithm, reader.optional<std::string>("algorithm"));
    if (algorithm) {
        // Short-lived keys: RSA-2048 is enough for an hour and the fastest RSA to generate.
        if (*algorithm != "ec-p256" && *algorithm != "ec-p384" && *algorithm != "rsa-2048" && *algorithm != "rsa-3072") {
            return std::unexpected(reader.error("algorithm", "must be \"ec-p256\", \"ec-p384\", \"rsa-2048\" or \"rsa-3072\""));
        }
        guests.algorithm = *algorithm;
    }
    return reader.no_unknown_keys();
}

Status read_limits(TableReader reader, Limits& limits) {
    constexpr std::int64_t gib = 1024LL * 1024 * 1024;
    SIGNET_TRY(limits.max_body_bytes,
               reader.number<std::size_t>("max_body_bytes", limits.max_body_bytes, 1024, 4 * gib));
    // At most what a PDF worker accepts (pdf/worker_protocol.hpp, max_document_bytes: 3 GiB), so
    // that a document under the limit is never read only to be refused by the worker.
    SIGNET_TRY(limits.max_raw_document_bytes,
               reader.number<std::size_t>("max_raw_document_bytes", limits.max_raw_document_bytes, 1024, 3 * gib));
    SIGNET_TRY(limits.max_inflight_body_bytes,
               reader.number<std::size_t>("max_inflight_body_bytes", limits.max_inflight_body_bytes, 1024, 64 * gib));
    if (limits.max_inflight_body_bytes < std::max(limits.max_body_bytes, limits.max_raw_document_bytes)) {
        return std::unexpected(reader.error("max_inflight_body_bytes",
                                            "must be at least max_body_bytes and max_raw_document_bytes"));
    }
    SIGNET_TRY(limits.max_header_bytes,
               reader.number<std::size_t>("max_header_bytes", limits.max_header_bytes, 1024,
                                          1024 * 1024));
    auto seconds = [&reader](std::string_view key, std::chrono::seconds fallback)
        -> Result<std::chrono::seconds> {
        auto value = reader.number<std::int64_t>(key, fallback.count(), 1, 3600);
        if (!value) return std::unexpected(value.error());
        return std::chrono::seconds(*value);
    };
    SIGNET_TRY(limits.handshake_timeout, seconds("handshake_timeout_seconds", limits.handshake_timeout));
    SIGNET_TRY(limits.request_timeout, seconds("request_timeout_seconds", limits.request_timeout));
    SIGNET_TRY(limits.max_connections,
               reader.number<unsigned>("max_connections", limits.max_connections, 1, 100000));
    SIGNET_TRY(limits.workers, reader.number<unsigned>("workers", limits.workers, 0, 256));
    SIGNET_TRY(limits.max_queued_jobs,
               reader.number<unsigned>("max_queued_jobs", limits.max_queued_jobs, 1, 100000));
    SIGNET_TRY(limits.drain_timeout, seconds("drain_timeout_seconds", limits.drain_timeout));
    std::int64_t notice = 0;
    SIGNET_TRY(notice, reader.number<std::int64_t>("drain_notice_seconds", limits.drain_notice.count(), 0, 300));
    limits.drain_notice = std::chrono::seconds(notice);
    SIGNET_TRY(limits.pdf_workers, reader.number<unsigned>("pdf_workers", limits.pdf_workers, 0, 64));
    SIGNET_TRY(limits.pdf_job_timeout, seconds("pdf_job_timeout_seconds", limits.pdf_job_timeout));
    SIGNET_TRY(limits.pdf_worker_cpu_seconds,
               reader.number<unsigned>("pdf_worker_cpu_seconds", limits.pdf_worker_cpu_seconds, 1, 3600));
    constexpr std::size_t mib = 1024 * 1024;
    std::size_t memory_mib = 0;
    SIGNET_TRY(memory_mib, reader.number<std::size_t>("pdf_worker_memory_mib", limits.pdf_worker_memory_bytes / mib,
                                                      0, 1024 * 1024));
    limits.pdf_worker_memory_bytes = memory_mib * mib;
    if (reader.has("pdf_worker")) {
        SIGNET_TRY(limits.pdf_worker, reader.existing_file("pdf_worker"));
    } else {
        SIGNET_CHECK(reader.optional<std::string>("pdf_worker"));
    }
    return reader.no_unknown_keys();
}

Status read_clients(const fs::path& file, const toml::node* node, std::vector<ClientMapping>& out) {
    const toml::array* array = node != nullptr ? node->as_array() : nullptr;
    if (array == nullptr || array->empty()) {
        return fail(Errc::invalid_config,
                    file.string() + ": client: at least one [[client]] table is required");
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::table* table = array->get(i)->as_table();
        std::string name = "client[" + std::to_string(i) + "]";
        if (table == nullptr) {
            return fail(Errc::invalid_config, file.string() + ": " + name + " must be a table");
        }
        TableReader reader(file, name, table);
        ClientMapping mapping;
        std::optional<std::string> cn;
        std::optional<std::string> sha256;
        std::string role;
        SIGNET_TRY(cn, reader.optional<std::string>("subject_cn"));
        SIGNET_TRY(sha256, reader.optional<std::string>("sha256"));
        SIGNET_TRY(role, reader.required<std::string>("role"));
        SIGNET_TRY(mapping.role, parse_role(reader, role));
        if (cn.has_value() == sha256.has_value()) {
            return std::unexpected(
                reader.error("role", "needs exactly one of subject_cn and sha256"));
        }
        if (sha256) {
            std::string hex = *sha256;
            std::erase(hex, ':');
            std::transform(hex.begin(), hex.end(), hex.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
                return std::unexpected(
                    reader.error("sha256", "must be 64 hexadecimal digits (colons allowed)"));
            }
            mapping.sha256 = hex;
        } else {
            if (cn->empty()) return std::unexpected(reader.error("subject_cn", "must not be empty"));
            mapping.subject_cn = *cn;
        }
        SIGNET_CHECK(reader.no_unknown_keys());
        out.push_back(std::move(mapping));
    }
    return {};
}

const toml::table* subtable(const toml::table& root, std::string_view name) {
    const toml::node* node = root.get(name);
    return node != nullptr ? node->as_table() : nullptr;
}

}  // namespace

std::optional<SignatureLevel> parse_signature_level(std::string_view text) {
    if (text == "B-B") return SignatureLevel::b_b;
    if (text == "B-T") return SignatureLevel::b_t;
    if (text == "B-LT") return SignatureLevel::b_lt;
    if (text == "B-LTA") return SignatureLevel::b_lta;
    return std::nullopt;
}

std::string_view to_string(SignatureLevel level) {
    switch (level) {
        case SignatureLevel::b_b: return "B-B";
        case SignatureLevel::b_t: return "B-T";
        case SignatureLevel::b_lt: return "B-LT";
        case SignatureLevel::b_lta: return "B-LTA";
    }
    return "B-B";
}

std::string_view to_string(Role role) {
    switch (role) {
        case Role::platform: return "platform";
        case Role::officer: return "officer";
        case Role::auditor: return "auditor";
        case Role::monitor: return "monitor";
    }
    return "unknown";
}

Result<Config> load(const fs::path& file) {
    Config config;
    config.file = fs::absolute(file);
    toml::table root;
    try {
        root = toml::parse_file(config.file.string());
    } catch (const toml::parse_error& e) {
        std::string where = config.file.string();
        if (e.source().begin.line > 0) where += ":" + std::to_string(e.source().begin.line);
        return fail(Errc::invalid_config, where + ": " + std::string(e.description()));
    }

    static const std::set<std::string, std::less<>> sections = {
        "server", "tls", "client", "hsm", "store", "database", "policy", "audit", "keys",
        "signing", "signature", "timestamp", "revocation", "limits", "jobs", "guests"};
    for (const auto& [key, node] : root) {
        if (!sections.contains(key.str())) {
            return fail(Errc::invalid_config, config.file.string() + ":" +
                                                  std::to_string(node.source().begin.line) +
                                                  ": unknown section " + std::string(key.str()));
        }
        if (key.str() != "client" && !node.is_table()) {
            return fail(Errc::invalid_config,
                        config.file.string() + ": " + std::string(key.str()) + " must be a table");
        }
    }
    for (const char* required : {"server", "tls", "hsm", "policy"}) {
        if (!root.contains(required)) {
            return fail(Errc::invalid_config, config.file.string() + ": the [" +
                                                  std::string(required) +
                                                  "] section is required");
        }
    }
    SIGNET_CHECK(read_server(TableReader(config.file, "server", subtable(root, "server")),
                             config.server));
    SIGNET_CHECK(read_tls(TableReader(config.file, "tls", subtable(root, "tls")), config.tls));
    SIGNET_CHECK(read_clients(config.file, root.get("client"), config.clients));
    SIGNET_CHECK(read_hsm(TableReader(config.file, "hsm", subtable(root, "hsm")), config.hsm));
    if (root.contains("store") == root.contains("database")) {
        return fail(Errc::invalid_config, config.file.string() +
                                              ": the [store] section is required ([database] is its former name; "
                                              "not both)");
    }
    if (root.contains("store")) {
        SIGNET_CHECK(read_store(TableReader(config.file, "store", subtable(root, "store")), config.store));
    } else {
        SIGNET_CHECK(read_database(TableReader(config.file, "database", subtable(root, "database")), config.store));
    }
    SIGNET_CHECK(read_policy(TableReader(config.file, "policy", subtable(root, "policy")),
                             config.policy));
    SIGNET_CHECK(read_audit(TableReader(config.file, "audit", subtable(root, "audit")), config.audit));
    SIGNET_CHECK(read_keys(TableReader(config.file, "keys", subtable(root, "keys")), config.keys));
    SIGNET_CHECK(read_signing(TableReader(config.file, "signing", subtable(root, "signing")), config.signing));
    SIGNET_CHECK(read_signature(TableReader(config.file, "signature", subtable(root, "signature")), config.signature));
    if (const toml::table* table = subtable(root, "timestamp")) {
        config.timestamp.emplace();
        SIGNET_CHECK(read_timestamp(TableReader(config.file, "timestamp", table), *config.timestamp));
    }
    SIGNET_CHECK(read_revocation(TableReader(config.file, "revocation", subtable(root, "revocation")),
                                 config.revocation));
    SIGNET_CHECK(read_limits(TableReader(config.file, "limits", subtable(root, "limits")),
                             config.limits));
    SIGNET_CHECK(read_jobs(TableReader(config.file, "jobs", subtable(root, "jobs")), config.store, config.jobs));
    SIGNET_CHECK(read_guests(TableReader(config.file, "guests", subtable(root, "guests")), config.guests));
    return config;
}

}  // namespace signet::config
