#pragma once
// signetd's configuration, read from one TOML file. Relative paths are relative to the file's
// folder. Every problem is reported with the file, the key and what is wrong; unknown keys are
// errors (a misspelt limit must not silently fall back to a default).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace signet::config {

// monitor: a load balancer's or a probe's certificate, which reads /v1/health and /metrics only.
enum class Role { platform, officer, auditor, monitor };
std::string_view to_string(Role role);

// A client certificate that maps to a role: by subject CN or by SHA-256 of the DER certificate.
struct ClientMapping {
    std::string subject_cn;   // empty when matched by fingerprint
    std::string sha256;       // lowercase hex, empty when matched by CN
    Role role = Role::platform;
};

struct Server {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8443;
    unsigned io_threads = 2;
    // Names this node in the audit entries it writes and in /v1/health: the host name unless
    // set; nodes sharing one store must have different names.
    std::string node;
};

struct Tls {
    std::filesystem::path certificate;  // server certificate (PEM, chain allowed)
    std::filesystem::path private_key;  // server key (PEM)
    std::filesystem::path client_ca;    // CA(s) that client certificates must chain to
    // PEM CRL(s) of the client CA(s): when set, every client certificate's chain is checked
    // against them and one with no current CRL for its issuer is refused (RFC 5280 §6.3).
    std::optional<std::filesystem::path> client_crl;
};

struct Hsm {
    std::filesystem::path module;                      // the PKCS#11 library
    std::optional<std::filesystem::path> softhsm_conf; // set as SOFTHSM2_CONF before loading
    std::string token;                                 // label or RFC 7512 "pkcs11:" URI
    // The user PIN's file, owner-readable only: `pin_file`, or `pin_credential`, the name of a
    // systemd credential (LoadCredential=), read from $CREDENTIALS_DIRECTORY/<name>.
    std::filesystem::path pin_file;
    unsigned sessions = 4;
};

// Where signet keeps its state: [store], or [database] (the table's first name, read for one
// more release with a warning in the log).
struct Store {
    enum class Backend { sqlite, postgresql };
    Backend backend = Backend::sqlite;
    std::filesystem::path path;           // sqlite: the database file
    std::string url;                      // postgresql: "postgresql://user@host:port/db", no password
    std::filesystem::path password_file;  // postgresql: the password, owner-readable only
    unsigned connections = 8;             // postgresql: connections the node's threads share
    bool deprecated_table = false;        // read from [database]
};

struct Policy {
    std::filesystem::path rights_matrix;  // the matrix file shipped with signet (share/signet/)
};

// The key-usage log's checkpoints: one every `checkpoint_entries` entries or every
// `checkpoint_interval` while entries are waiting, signed with the audit key, also appended to
// `checkpoint_file` for the operator to ship off the machine.
struct Audit {
    std::string origin = "signet";
    unsigned checkpoint_entries = 100;
    std::chrono::seconds checkpoint_interval{60};
    std::filesystem::path checkpoint_file;  // default: audit-checkpoints.ndjson beside the config
};

// The key lifecycle (issue 5): which CAs may certify signing keys, how long an officer's
// request waits for a second officer, and the guards on a certificate's remaining validity.
struct Keys {
    std::filesystem::path signing_trust_anchors;     // PEM CA certificates; empty: imports refused
    std::chrono::seconds approval_ttl{24 * 3600};
    std::chrono::seconds min_remaining_validity{24 * 3600};  // jobs refused below this
    std::chrono::seconds expiry_warning{30 * 24 * 3600};     // health and metrics warn below this
    // How often signetd reads the active keys from the store again: a key activated, rotated or
    // retired through another node is used here within this time.
    std::chrono::seconds refresh{5};
};

// Personal signatures (issue 6): the authenticator's issuer name, the batch size, and how
// wrong activation codes lock a person's signing.
struct Signing {
    std::string otp_issuer = "signet";
    unsigned max_batch_documents = 20;
    unsigned lockout_failures = 5;
    std::chrono::seconds lockout{15 * 60};
};

// PAdES baseline levels (ETSI EN 319 142-1), each one the one before plus a step: B-T a
// signature time-stamp, B-LT a DSS with the validation data, B-LTA a document time-stamp.
enum class SignatureLevel { b_b, b_t, b_lt, b_lta };
std::optional<SignatureLevel> parse_signature_level(std::string_view text);
std::string_view to_string(SignatureLevel level);

// [signature]: the level of a seal or signature whose request names none, and the trust
// anchors `extend` validates signatures against (PEM files; empty: the CA that issued the
// active seal certificate).
struct Signature {
    SignatureLevel level = SignatureLevel::b_b;
    std::vector<std::filesystem::path> trust;
};

// [revocation] (issue 18): where the status of the signing certificates comes from before each
// key use and for a DSS. "require": no status, no key use; "prefer": the use goes on and its
// audit entry says the status was unknown. A revoked certificate is never used.
enum class RevocationMode { require, prefer };
struct Revocation {
    RevocationMode mode = RevocationMode::require;
    std::vector<std::filesystem::path> crl_files;  // DER or PEM, read again when replaced
    bool ocsp = true;                              // ask the AIA's OCSP responders
    bool crl_urls = true;                          // fetch the CDP's http CRLs
    bool ocsp_nonce = false;                       // RFC 8954: many responders ignore it
    bool ocsp_get = false;                         // GET (RFC 6960 A.1), which HTTP caches can answer
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds timeout{10000};      // one exchange with a responder
};

// [timestamp] (issue 17): where trusted time comes from. "internal": signetd's own TSA key in
// the HSM signs the tokens (RFC 3161), under `policy`; "external": the TSAs at `urls`, tried
// in order, whose tokens must chain to `trust`. Without the section there is no trusted time:
// POST /v1/timestamp and B-T answer 503.
enum class TimestampSource { internal, external };
struct Timestamp {
    TimestampSource source = TimestampSource::internal;
    std::string policy;                      // the TSA policy OID, dotted; required for internal
    std::chrono::seconds accuracy{1};        // the tokens' accuracy; 0: none stated
    bool require_synchronized_clock = true;  // refuse tokens while the kernel says unsynchronised
    std::vector<std::string> urls;           // external: http:// or https://
    std::filesystem::path trust;             // external: PEM CAs the TSAs' certificates chain to
    std::filesystem::path https_ca;          // external: PEM CAs of https TSAs; empty: the system's
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds timeout{10000};  // a whole exchange with one TSA
    std::size_t max_token_bytes = 16 * 1024;   // external: what a PDF reserves for the token
};

struct Limits {
    // A JSON body carries the document in base64, 4/3 of its size: 88 MiB holds a document of
    // the raw limit (issue 19).
    std::size_t max_body_bytes = 88 * 1024 * 1024;
    // The PDF body of POST /v1/seal or /v1/sign with Content-Type: application/pdf (issue 8):
    // its own limit, since such a body is the document itself, not base64 inside JSON.
    std::size_t max_raw_document_bytes = 64 * 1024 * 1024;
    // Request bodies all connections hold at once, from their headers to their answer written
    // (issue 19): a job holds a few copies of its document, so this bounds signetd's memory
    // whatever the body limits. At least the larger of the two body limits.
    std::size_t max_inflight_body_bytes = 512 * 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    std::chrono::seconds handshake_timeout{10};
    std::chrono::seconds request_timeout{60};  // a request's headers and body, or keep-alive idle
    unsigned max_connections = 256;
    // Threads for HSM, PDF and database work; 0: eight per core. A job mostly waits (for its
    // PDF worker, an fsync of the audit log, the HSM), so a thread per core leaves cores idle;
    // a time-stamp waits for two fsyncs around one signature (docs/decisions.md).
    unsigned workers = 0;
    unsigned max_queued_jobs = 64;
    std::chrono::seconds drain_timeout{30};    // SIGTERM: how long in-flight jobs may finish
    // SIGTERM: how long /v1/health answers 503 "draining" while requests are still served, before
    // the listener closes. Behind a load balancer: more than its checks take to mark a node down.
    std::chrono::seconds drain_notice{0};
    // PDF worker processes (DESIGN.md: the process holding the HSM session never parses a PDF).
    unsigned pdf_workers = 0;                  // 0: one per two job threads (at most 64)
    std::chrono::seconds pdf_job_timeout{30};  // wall clock, then the worker is killed
    unsigned pdf_worker_cpu_seconds = 20;      // CPU time per document
    std::size_t pdf_worker_memory_bytes = std::size_t{1} << 30;  // address space; 0: no limit
    std::filesystem::path pdf_worker;          // empty: signet-pdf-worker beside signetd
};

// Jobs sent with an Idempotency-Key (issue 20): their answers are kept `idempotency_ttl`, a
// body larger than the inline bound as a file under `answers_folder`, all such files together
// at most `answers_max_bytes` (a larger answer is not kept, and its key refuses a repeat).
struct Jobs {
    std::chrono::seconds idempotency_ttl{24 * 3600};
    std::filesystem::path answers_folder;  // default: "answers" beside the database
    std::uint64_t answers_max_bytes = std::uint64_t{1} << 30;
};

// [guests] (issue 22): a guest's one-time code lives `code_ttl`; each co-signature's one-time
// key is of `algorithm` ("ec-p256", "ec-p384", "rsa-2048" or "rsa-3072").
struct Guests {
    std::chrono::seconds code_ttl{15 * 60};
    std::string algorithm = "ec-p256";
};

struct Config {
    std::filesystem::path file;  // where it was read from
    Server server;
    Tls tls;
    std::vector<ClientMapping> clients;
    Hsm hsm;
    Store store;
    Policy policy;
    Audit audit;
    Keys keys;
    Signing signing;
    Signature signature;
    std::optional<Timestamp> timestamp;
    Revocation revocation;
    Limits limits;
    Jobs jobs;
    Guests guests;
};

// Reads and validates `file`: required keys present, values in range, the files it names
// exist (the database may not exist yet; its folder must).
Result<Config> load(const std::filesystem::path& file);

}  // namespace signet::config
