#include "evidence/revocation_gate.hpp"

#include "base/base64.hpp"
#include "base/x509_encoding.hpp"
#include "evidence/evidence_store.hpp"
#include "revocation/status.hpp"

namespace signet::evidence {
namespace {

revocation::CheckerOptions checker_options(const config::Revocation& settings) {
    revocation::CheckerOptions options;
    options.crl_files = settings.crl_files;
    options.use_ocsp = settings.ocsp;
    options.use_crl_urls = settings.crl_urls;
    options.ocsp.nonce = settings.ocsp_nonce;
    options.ocsp.use_get = settings.ocsp_get;
    options.ocsp.http.connect_timeout = settings.connect_timeout;
    options.ocsp.http.total_timeout = settings.timeout;
    return options;
}

// Each certificate with its issuer, the chain's last (the anchor) excluded.
std::vector<revocation::ChainLink> links(const std::vector<X509*>& chain) {
    std::vector<revocation::ChainLink> links;
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) links.push_back({chain[i], chain[i + 1]});
    return links;
}

// RFC 9608 noRevAvail (id-ce 56): a short-lived certificate (a guest's, one hour) for which no
// revocation information will ever exist; its issuer is asked about, not it.
bool no_revocation_available(X509* certificate) {
    std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)> oid(OBJ_txt2obj("2.5.29.56", 1), ASN1_OBJECT_free);
    return oid && X509_get_ext_by_OBJ(certificate, oid.get(), -1) >= 0;
}

std::string serial_hex(X509* certificate) {
    const ASN1_INTEGER* serial = X509_get0_serialNumber(certificate);
    return hex_encode(std::span<const std::uint8_t>(ASN1_STRING_get0_data(serial),
                                                    static_cast<std::size_t>(ASN1_STRING_length(serial))));
}

}  // namespace

RevocationGate::RevocationGate(const config::Revocation& settings, std::vector<X509Ptr> anchors,
                               const Clock& clock, store::Database& db, store::DatabaseMutex& db_mutex)
    : settings_(settings),
      anchors_(std::move(anchors)),
      clock_(clock),
      db_(db),
      db_mutex_(db_mutex),
      checker_(std::make_unique<revocation::RevocationChecker>(checker_options(settings), clock,
                                                               database_persistence(db, db_mutex, clock))) {}


std::vector<X509*> RevocationGate::chain_of(const daemon::ActiveKey& key) const {
    const cms::Signer signer = key.signer();
    std::vector<X509*> chain{signer.certificate};
    chain.insert(chain.end(), signer.chain.begin(), signer.chain.end());
    if (X509_check_issued(chain.back(), chain.back()) == X509_V_OK) return chain;
    for (const X509Ptr& anchor : anchors_) {
        if (X509_check_issued(anchor.get(), chain.back()) == X509_V_OK) {
            chain.push_back(anchor.get());
            break;
        }
    }
    return chain;
}

Result<KeyStatus> RevocationGate::statuses(const daemon::ActiveKey& key, const std::string& name,
                                           std::optional<Timestamp> issued_after) {
    const std::vector<X509*> whole = chain_of(key);
    if (whole.size() < 2) {
        return fail(Errc::unavailable, "no revocation status for " + name +
                                           ": its issuer is neither in its imported chain nor among [keys] "
                                           "signing_trust_anchors, so there is no issuer to ask about it");
    }
    const std::size_t first = no_revocation_available(whole.front()) ? 1 : 0;
    const std::vector<X509*> chain(whole.begin() + static_cast<std::ptrdiff_t>(first), whole.end());
    if (chain.size() < 2) return KeyStatus{"", {}, first};
    auto found = checker_->check_chain(links(chain), issued_after);
    if (!found) {
        if (settings_.mode == config::RevocationMode::prefer && found.error().code == Errc::unavailable) {
            return KeyStatus{found.error().message, {}, first};
        }
        return fail(found.error().code, found.error().message + " ([revocation] mode = \"require\": " + name +
                                            " is not used without it)");
    }
    KeyStatus status;
    status.statuses = std::move(*found);
    status.first = first;
    return status;
}

Result<KeyStatus> RevocationGate::before_use(const daemon::ActiveKey& key, const std::string& name) {
    KeyStatus status;
    SIGNET_TRY(status, statuses(key, name, std::nullopt));
    const std::vector<X509*> chain = chain_of(key);
    for (std::size_t i = 0; i < status.statuses.size(); ++i) {
        const revocation::RevocationStatus& found = status.statuses[i];
        if (found.status != revocation::CertStatus::revoked) continue;
        X509* revoked = chain[i + status.first];
        std::string reason = (i + status.first == 0 ? "the certificate of " + name : "its issuer " + name_text(X509_get_subject_name(revoked))) +
                             " (serial " + serial_hex(revoked) + ") is revoked";
        if (found.revocation_time) reason += " since " + format_timestamp(*found.revocation_time);
        reason += std::string(" (") + revocation::reason_text(found.reason) + "), says " + found.source +
                  ": the key is not used";
        mark_revoked(key, reason);
        return fail(Errc::certificate_revoked, reason);
    }
    return status;
}

Result<KeyStatus> RevocationGate::for_evidence(const daemon::ActiveKey& key, Timestamp issued_after) {
    return statuses(key, "the key " + key.id_hex, issued_after);
}

void RevocationGate::mark_revoked(const daemon::ActiveKey& key, const std::string& reason) {
    std::lock_guard lock(db_mutex_);
    auto statement =
        db_.prepare("UPDATE keys SET revoked_at = ?, revocation_reason = ? WHERE key_id = ? AND revoked_at IS NULL");
    if (!statement) return;
    // The refusal itself is on record in the log; this row only shows the state, so a failure
    // here costs the display, not the refusal.
    (void)statement->bind(1, format_timestamp(clock_.now())).bind(2, reason).bind(3, key.id_hex).run();
}

}  // namespace signet::evidence
