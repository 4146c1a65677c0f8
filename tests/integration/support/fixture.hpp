#pragma once
// One signet installation for the whole run: `signetctl dev-init` into a temporary folder, a
// real signetd on a free loopback port, and an NSS database that trusts the development
// signing CA for pdfsig. Requests go through curl with the dev-init client certificates.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/database.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace signet::test {

struct HttpResult {
    int curl_exit = 0;   // non-zero: the transfer failed (TLS refused, connection closed, ...)
    int status = 0;
    std::string body;
    std::string curl_output;  // curl's own messages
    std::map<std::string, std::string> headers;  // of the final response, names in lower case

    nlohmann::json json() const;
};

struct Installation {
    static constexpr std::size_t max_body_bytes = 4 * 1024 * 1024;
    // Above the JSON limit, so that a test can show that a raw PDF body has its own.
    static constexpr std::size_t max_raw_document_bytes = 6 * 1024 * 1024;

    // With `spy_on_hsm`, signetd talks to SoftHSM through OpenSC's pkcs11-spy, which logs every
    // PKCS#11 call: an account of key use that does not come from signet itself.
    // `extra_config` is appended to dev-init's signetd.toml (an [audit] section, ...); a section
    // dev-init wrote already ([timestamp], [signature]) is replaced by the one in `extra_config`.
    // `body_limit` and `raw_document_limit` replace dev-init's [limits] max_body_bytes and
    // max_raw_document_bytes. `dev_init_args` are more options of `signetctl dev-init`
    // (--ocsp-url URL, ...).
    explicit Installation(bool spy_on_hsm = false, const std::string& extra_config = "",
                          std::size_t body_limit = max_body_bytes,
                          std::size_t raw_document_limit = max_raw_document_bytes,
                          const std::vector<std::string>& dev_init_args = {});
    ~Installation();

    // A request as `client` (a dev-init certificate name, "" for none). `body` is sent as is.
    HttpResult request(const std::string& method, const std::string& path, const std::string& body,
                       const std::string& client = "platform",
                       const std::string& content_type = "application/json",
                       const std::vector<std::string>& extra_curl_args = {}) const;
    bool healthy() const;
    // Every entry of the key-usage log, oldest first, from GET /v1/audit/export as the auditor.
    std::vector<nlohmann::json> audit_entries() const;
    // Stops signetd (SIGTERM, which it must obey with exit status 0) and starts it again.
    void restart();
    // Kills signetd with SIGKILL, as a crash or the kernel's OOM killer would, and reaps it.
    void crash();
    // Starts signetd and waits until it is healthy (the constructor and restart() call it).
    void start();
    // A register PUT (tenant or member) that must succeed.
    void put(const std::string& path, const std::string& body) const;
    // Moves the expiry of `grantee`'s delegations to `expires` in the database, as passing
    // months would: the API refuses to make a delegation that has already ended.
    void age_delegations(const std::string& grantee, const std::string& expires) const;
    // The installation's store, SQLite or PostgreSQL as its configuration says.
    store::Database open_store() const;
    // Document signatures the HSM was asked to make: C_SignInit calls in the spy's log, less the
    // audit checkpoints (one audit-key signature each).
    int hsm_signatures() const;

    TempDir dir{"signet-it"};
    std::filesystem::path install;  // the dev-init folder
    std::filesystem::path nss_db;
    std::uint16_t port = 0;
    std::filesystem::path spy_log;  // empty without the spy
    std::unique_ptr<BackgroundProcess> signetd;

private:
    std::vector<std::string> argv_;
};

// Whether the installations of this run keep their state in PostgreSQL: SIGNET_TEST_STORE is
// "postgresql" (CTest's *_postgresql runs). Each installation then has its own database in one
// throw-away cluster per test binary.
bool on_postgresql();

// A [store] table for a new, empty store, ending with a blank line: an SQLite file in `folder`,
// or a new database of the run's PostgreSQL cluster.
std::string new_store_table(const std::filesystem::path& folder);

// The installation shared by every test case (made on first use).
Installation& installation();

// "YYYY-MM-DD", `days` from today (UTC).
std::string in_days(int days);

// A /v1/seal body for cabinet-durand's EC; `extra` is more JSON members (", \"appearance\": ...").
std::string seal_body(const std::string& document_bytes, const std::string& extra = "");

// A raw seal (POST /v1/seal, Content-Type: application/pdf) of `document_bytes` for
// cabinet-durand's EC; `query` is more parameters ("&page=1&rect=...").
HttpResult raw_seal(const std::string& document_bytes, const std::string& query = "");

}  // namespace signet::test
