#pragma once
// The revocation status of every certificate of a chain but its trust anchor, before each key
// use and for a DSS: OCSP from the certificate's AIA first, then CRLs from its http CDP, then
// the local CRL files configured ([revocation] crl_files). Answers are cached in memory until
// their nextUpdate (a CRL once for all the certificates it covers), at most one fetch of a URL
// runs at a time, and a caller asking what is being fetched waits for that fetch's answer.
// Thread-safe. Persisting the cache (the database) is left to the caller: see `Persistence`.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "base/error.hpp"
#include "base/time.hpp"
#include "revocation/ocsp.hpp"
#include "revocation/status.hpp"

namespace signet::revocation {

struct CheckerOptions {
    OcspOptions ocsp;  // also its .http and .skew for CRL fetches and checks
    std::vector<std::filesystem::path> crl_files;  // DER or PEM, read when needed
    std::size_t max_crl_bytes = 10 * 1024 * 1024;  // a CRL fetched or read is at most this
    std::size_t max_cache_entries = 1024;
    bool use_ocsp = true;
    bool use_crl_urls = true;
};

// A stored piece of evidence, for a database behind the memory cache: the caller gives a
// loader and a saver; the checker re-verifies whatever the loader returns before using it.
struct StoredEvidence {
    std::string key;  // the cache key (see RevocationChecker::cache_key_*)
    SourceKind kind = SourceKind::ocsp;
    std::string source;
    Timestamp next_update{};
    std::vector<std::uint8_t> der;
};
struct Persistence {
    std::function<std::optional<StoredEvidence>(const std::string& key)> load;
    std::function<void(const StoredEvidence&)> save;
};

// One link of a chain: a certificate and the certificate that issued it.
struct ChainLink {
    X509* certificate = nullptr;
    X509* issuer = nullptr;
};

class RevocationChecker {
public:
    RevocationChecker(CheckerOptions options, const Clock& clock, Persistence persistence = {});
    ~RevocationChecker();
    RevocationChecker(const RevocationChecker&) = delete;
    RevocationChecker& operator=(const RevocationChecker&) = delete;

    // The status of `cert`: good or revoked from the first source that answers with one (an
    // OCSP "unknown" moves on to the next source). unavailable when none does, the message
    // naming every URL (redacted) or file tried and what failed with it.
    // `issued_after` (a B-LT signature's time-stamp): an OCSP answer cached from before it is
    // asked again, since evidence older than the signature proves nothing about it (NOTES-ltv);
    // a CRL is taken as it is, since a CA publishes the next one on its own schedule. The
    // caller compares the status's this_update to see what it got.
    Result<RevocationStatus> check(X509* cert, X509* issuer, std::optional<Timestamp> issued_after = std::nullopt);

    // check() for each link, in order (leaf first, the anchor's own link excluded by the
    // caller). Stops at the first failure; a revoked certificate is a status, not a failure.
    Result<std::vector<RevocationStatus>> check_chain(std::span<const ChainLink> chain,
                                                      std::optional<Timestamp> issued_after = std::nullopt);

    // Fetches over HTTP and file reads made so far, and answers served from memory.
    std::size_t fetches() const { return fetches_; }
    std::size_t cache_hits() const { return cache_hits_; }
    std::size_t cache_size() const;

private:
    struct Entry;
    struct Flight;
    using EntryResult = Result<std::shared_ptr<const Entry>>;

    Result<RevocationStatus> from_ocsp(const std::string& url, X509* cert, X509* issuer, Timestamp issued_after);
    Result<RevocationStatus> from_crl(const std::string& source, SourceKind kind, X509* cert,
                                      X509* issuer);
    // The cached entry for `key` issued at or after `issued_after`, or the result of `fetch` run
    // with at most one fetch of `url` at a time; a waiter for the same key shares the fetch's
    // result, a failure or an answer recent enough.
    EntryResult obtain(const std::string& url, const std::string& key, Timestamp issued_after,
                       const std::function<EntryResult()>& fetch);
    std::shared_ptr<const Entry> lookup(const std::string& key, Timestamp now, Timestamp issued_after);
    void store(const std::string& key, std::shared_ptr<const Entry> entry, Timestamp now);

    CheckerOptions options_;
    const Clock& clock_;
    Persistence persistence_;
    mutable std::mutex mutex_;
    std::condition_variable flight_done_;
    std::map<std::string, std::shared_ptr<const Entry>> cache_;
    std::map<std::string, std::shared_ptr<Flight>> in_flight_;  // by URL or file
    std::atomic<std::size_t> fetches_{0};
    std::atomic<std::size_t> cache_hits_{0};
};

}  // namespace signet::revocation
