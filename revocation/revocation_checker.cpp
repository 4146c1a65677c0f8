#include "revocation/revocation_checker.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "base/base64.hpp"
#include "base/openssl_error.hpp"
#include "base/x509_encoding.hpp"
#include "http_client/http_client.hpp"
#include "revocation/asn1_time.hpp"
#include "revocation/crl.hpp"
#include "revocation/distribution_points.hpp"

namespace signet::revocation {

// What the cache holds for one key: an OCSP answer about one certificate, or a verified CRL
// that answers for every certificate of its issuer.
struct RevocationChecker::Entry {
    Timestamp this_update{};  // OCSP only; a CRL's is not compared (see check())
    Timestamp next_update{};
    std::optional<RevocationStatus> ocsp;
    X509Crl crl;
    SourceKind kind = SourceKind::ocsp;
    std::string source;
};

struct RevocationChecker::Flight {
    std::string key;
    bool done = false;
    std::optional<Result<std::shared_ptr<const Entry>>> result;
};

namespace {

// The issuer's identity in cache keys: a CRL verified with one issuer's key says nothing about
// the certificates of another issuer of the same name.
std::string issuer_digest(X509* issuer) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_digest(issuer, EVP_sha256(), digest, &length) != 1) return "?";
    return hex_encode(std::span<const std::uint8_t>(digest, length));
}

// The CertID (issuer name and key hashes, serial) as hex: the OCSP question, as a key.
std::string cert_id_hex(X509* cert, X509* issuer) {
    OcspCertId id(OCSP_cert_to_id(EVP_sha1(), cert, issuer));
    unsigned char* der = nullptr;
    const int length = id ? i2d_OCSP_CERTID(id.get(), &der) : -1;
    if (length <= 0) return "?";
    OpensslBytes owned(der);
    return hex_encode(std::span<const std::uint8_t>(der, static_cast<std::size_t>(length)));
}

Result<std::vector<std::uint8_t>> read_bounded(const std::filesystem::path& path,
                                               std::size_t limit) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(Errc::unavailable, "cannot be read");
    std::vector<std::uint8_t> bytes;
    char buffer[64 * 1024];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        const auto got = static_cast<std::size_t>(in.gcount());
        if (bytes.size() + got > limit)
            return fail(Errc::unavailable, "larger than " + std::to_string(limit) + " bytes");
        bytes.insert(bytes.end(), buffer, buffer + got);
    }
    return bytes;
}

}  // namespace

RevocationChecker::RevocationChecker(CheckerOptions options, const Clock& clock,
                                     Persistence persistence)
    : options_(std::move(options)), clock_(clock), persistence_(std::move(persistence)) {}

RevocationChecker::~RevocationChecker() = default;

std::size_t RevocationChecker::cache_size() const {
    std::lock_guard lock(mutex_);
    return cache_.size();
}

namespace {

// Evidence made in the same second as the time-stamp counts as after it: OCSP and CRL times
// are whole seconds (RFC 6960 §4.2.2.1, RFC 5280 §5.1.2.4).
bool recent_enough(Timestamp this_update, Timestamp issued_after) {
    return std::chrono::floor<std::chrono::seconds>(this_update) >=
           std::chrono::floor<std::chrono::seconds>(issued_after);
}

}  // namespace

std::shared_ptr<const RevocationChecker::Entry> RevocationChecker::lookup(const std::string& key, Timestamp now,
                                                                          Timestamp issued_after) {
    const auto found = cache_.find(key);
    if (found == cache_.end()) return nullptr;
    if (found->second->next_update <= now) {
        cache_.erase(found);
        return nullptr;
    }
    if (!recent_enough(found->second->this_update, issued_after)) return nullptr;
    return found->second;
}

void RevocationChecker::store(const std::string& key, std::shared_ptr<const Entry> entry,
                              Timestamp now) {
    if (options_.max_cache_entries == 0) return;
    if (cache_.size() >= options_.max_cache_entries) {
        std::erase_if(cache_, [now](const auto& item) { return item.second->next_update <= now; });
    }
    if (cache_.size() >= options_.max_cache_entries) {
        // Full of live answers: drop the one that expires first, the cheapest to lose.
        const auto soonest =
            std::min_element(cache_.begin(), cache_.end(), [](const auto& a, const auto& b) {
                return a.second->next_update < b.second->next_update;
            });
        cache_.erase(soonest);
    }
    cache_[key] = std::move(entry);
}

RevocationChecker::EntryResult RevocationChecker::obtain(const std::string& url, const std::string& key,
                                                         Timestamp issued_after,
                                                         const std::function<EntryResult()>& fetch) {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (auto hit = lookup(key, clock_.now(), issued_after)) {
            ++cache_hits_;
            return hit;
        }
        const auto running = in_flight_.find(url);
        if (running == in_flight_.end()) break;
        const std::shared_ptr<Flight> flight = running->second;
        flight_done_.wait(lock, [&flight] { return flight->done; });
        // The same question: its answer, even a failure (a hung responder is waited for once).
        if (flight->key == key && flight->result &&
            (!*flight->result || recent_enough((**flight->result)->this_update, issued_after))) {
            return *flight->result;
        }
    }
    auto flight = std::make_shared<Flight>();
    flight->key = key;
    in_flight_[url] = flight;
    lock.unlock();

    EntryResult result = fail(Errc::internal, "no result");
    try {
        result = fetch();
    } catch (const std::exception& error) {
        // Nothing below throws by design; this keeps waiters from waiting for ever if it does.
        result = fail(Errc::internal, error.what());
    }

    lock.lock();
    if (result) store(key, *result, clock_.now());
    flight->result = result;
    flight->done = true;
    in_flight_.erase(url);
    flight_done_.notify_all();
    return result;
}

Result<RevocationStatus> RevocationChecker::from_ocsp(const std::string& url, X509* cert, X509* issuer,
                                                      Timestamp issued_after) {
    const std::string key = "ocsp|" + url + "|" + cert_id_hex(cert, issuer);
    const std::string shown = http_client::redact_url(url);
    auto fetch = [&]() -> EntryResult {
        const Timestamp now = clock_.now();
        auto entry = std::make_shared<Entry>();
        entry->kind = SourceKind::ocsp;
        entry->source = shown;
        if (persistence_.load) {
            if (auto stored = persistence_.load(key)) {
                auto status =
                    check_ocsp_response(stored->der, cert, issuer, nullptr, now, options_.ocsp);
                if (status && status->status != CertStatus::unknown &&
                    recent_enough(status->this_update, issued_after)) {
                    status->source = shown;
                    entry->this_update = status->this_update;
                    entry->next_update = status->next_update;
                    entry->ocsp = std::move(*status);
                    return entry;
                }
            }
        }
        ++fetches_;
        RevocationStatus status;
        SIGNET_TRY(status, query_ocsp(url, cert, issuer, now, options_.ocsp));
        if (status.status == CertStatus::unknown)
            return fail(Errc::unavailable, "the responder answered \"unknown\"");
        if (persistence_.save) {
            persistence_.save(StoredEvidence{key, SourceKind::ocsp, shown, status.next_update,
                                             status.evidence_der});
        }
        entry->this_update = status.this_update;
        entry->next_update = status.next_update;
        entry->ocsp = std::move(status);
        return entry;
    };
    std::shared_ptr<const Entry> entry;
    SIGNET_TRY(entry, obtain(url, key, issued_after, fetch));
    return *entry->ocsp;
}

namespace {

// A local file's version: its modification time and size. In the cache key, so that a CRL an
// operator replaces (signetctl dev-crl, a CA's publication copied in) counts at once rather
// than at the old one's nextUpdate; the entry for the old version ages out.
std::string file_version(const std::filesystem::path& path) {
    std::error_code ec;
    const auto time = std::filesystem::last_write_time(path, ec);
    if (ec) return "?";
    const auto size = std::filesystem::file_size(path, ec);
    return std::to_string(time.time_since_epoch().count()) + "/" + (ec ? "?" : std::to_string(size));
}

}  // namespace

Result<RevocationStatus> RevocationChecker::from_crl(const std::string& source, SourceKind kind,
                                                     X509* cert, X509* issuer) {
    const std::string key = "crl|" + source + "|" + (kind == SourceKind::crl_file ? file_version(source) + "|" : "") +
                            issuer_digest(issuer);
    const std::string shown =
        kind == SourceKind::crl_url ? http_client::redact_url(source) : source;
    auto fetch = [&]() -> EntryResult {
        const Timestamp now = clock_.now();
        auto entry = std::make_shared<Entry>();
        entry->kind = kind;
        entry->source = shown;
        if (persistence_.load) {
            if (auto stored = persistence_.load(key)) {
                auto crl = parse_crl(stored->der);
                if (crl && verify_crl(crl->get(), issuer, now, options_.ocsp.skew)) {
                    entry->crl = std::move(*crl);
                    SIGNET_TRY(entry->next_update,
                               to_timestamp(X509_CRL_get0_nextUpdate(entry->crl.get())));
                    return entry;
                }
            }
        }
        ++fetches_;
        std::vector<std::uint8_t> bytes;
        if (kind == SourceKind::crl_url) {
            http_client::HttpOptions http = options_.ocsp.http;
            http.max_response_bytes = options_.max_crl_bytes;
            http_client::HttpResponse response;
            SIGNET_TRY(response, http_client::get(source, http));
            // RFC 5280 §4.2.1.13 names application/pkix-crl, but many servers label CRLs
            // otherwise: the bytes themselves are judged.
            if (response.status != 200)
                return fail(Errc::unavailable, "HTTP status " + std::to_string(response.status));
            bytes = std::move(response.body);
        } else {
            SIGNET_TRY(bytes, read_bounded(source, options_.max_crl_bytes));
        }
        SIGNET_TRY(entry->crl, parse_crl(bytes));
        SIGNET_CHECK(verify_crl(entry->crl.get(), issuer, now, options_.ocsp.skew));
        SIGNET_TRY(entry->next_update, to_timestamp(X509_CRL_get0_nextUpdate(entry->crl.get())));
        if (persistence_.save)
            persistence_.save(StoredEvidence{key, kind, shown, entry->next_update, bytes});
        return entry;
    };
    std::shared_ptr<const Entry> entry;
    SIGNET_TRY(entry, obtain(source, key, Timestamp{}, fetch));
    RevocationStatus status;
    SIGNET_TRY(status, status_in_crl(entry->crl.get(), cert));
    status.source_kind = kind;
    status.source = shown;
    return status;
}

Result<RevocationStatus> RevocationChecker::check(X509* cert, X509* issuer, std::optional<Timestamp> issued_after) {
    const std::string subject = name_text(X509_get_subject_name(cert));
    if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(issuer)) != 0) {
        return fail(Errc::invalid_certificate, "the certificate " + subject + " is not issued by " +
                                                   name_text(X509_get_subject_name(issuer)));
    }
    std::string failures;
    auto note = [&failures](const std::string& where, const Error& error) {
        if (!failures.empty()) failures += "; ";
        failures += where + ": " + error.message;
    };
    if (options_.use_ocsp) {
        for (const std::string& url : ocsp_urls(cert)) {
            auto status = from_ocsp(url, cert, issuer, issued_after.value_or(Timestamp{}));
            if (status) return status;
            note("OCSP " + http_client::redact_url(url), status.error());
        }
    }
    if (options_.use_crl_urls) {
        for (const std::string& url : crl_urls(cert)) {
            auto status = from_crl(url, SourceKind::crl_url, cert, issuer);
            if (status) return status;
            note("CRL " + http_client::redact_url(url), status.error());
        }
    }
    for (const std::filesystem::path& file : options_.crl_files) {
        auto status = from_crl(file.string(), SourceKind::crl_file, cert, issuer);
        if (status) return status;
        note("CRL file " + file.string(), status.error());
    }
    if (failures.empty()) {
        failures =
            "it names no OCSP responder and no http CRL distribution point, and no CRL "
            "file is configured";
    }
    return fail(Errc::unavailable, "no revocation status for " + subject + ": " + failures);
}

Result<std::vector<RevocationStatus>> RevocationChecker::check_chain(std::span<const ChainLink> chain,
                                                                    std::optional<Timestamp> issued_after) {
    std::vector<RevocationStatus> statuses;
    for (const ChainLink& link : chain) {
        RevocationStatus status;
        SIGNET_TRY(status, check(link.certificate, link.issuer, issued_after));
        statuses.push_back(std::move(status));
    }
    return statuses;
}

}  // namespace signet::revocation
