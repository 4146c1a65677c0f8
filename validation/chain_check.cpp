#include "validation/chain_check.hpp"

#include <memory>
#include <optional>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "base/openssl_error.hpp"
#include "base/x509_encoding.hpp"
#include "revocation/algorithm_policy.hpp"

namespace signet::validation {
namespace {

using X509StoreCtx = std::unique_ptr<X509_STORE_CTX, SslDeleter<&X509_STORE_CTX_free>>;

std::string subject_of(X509* certificate) { return name_text(X509_get_subject_name(certificate)); }

// "the signer certificate CN=…" for the leaf, "the CA certificate CN=… of the signer
// certificate's chain" above it.
std::string who(const std::vector<X509Ptr>& chain, std::size_t index, const std::string& role) {
    if (index == 0) return role + " " + subject_of(chain[0].get());
    return "the CA certificate " + subject_of(chain[index].get()) + " of " + role + "'s chain";
}

}  // namespace

Result<revocation::X509Store> anchor_store(std::span<X509* const> anchors) {
    revocation::X509Store store(X509_STORE_new());
    if (!store) return openssl_failure(Errc::internal, "allocating a certificate store");
    for (X509* anchor : anchors) {
        if (anchor == nullptr || X509_STORE_add_cert(store.get(), anchor) != 1) {
            return openssl_failure(Errc::internal, "adding a trust anchor");
        }
    }
    if (X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN) != 1) {
        return openssl_failure(Errc::internal, "configuring the certificate store");
    }
    return store;
}

Result<std::vector<X509Ptr>> verified_chain(X509_STORE* store, X509* leaf, STACK_OF(X509) * untrusted,
                                            Timestamp at, const std::string& role) {
    ERR_clear_error();
    X509StoreCtx context(X509_STORE_CTX_new());
    if (!context || X509_STORE_CTX_init(context.get(), store, leaf, untrusted) != 1) {
        return openssl_failure(Errc::internal, "preparing a chain check");
    }
    // The time the signature is proven to exist, not now: a certificate that has ended since
    // does not undo it (ETSI EN 319 102-1 §5.6.2.1).
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(context.get()), at.time_since_epoch().count());
    if (X509_verify_cert(context.get()) != 1) {
        const int error = X509_STORE_CTX_get_error(context.get());
        drain_openssl_errors();
        return fail(Errc::invalid_certificate, role + " " + subject_of(leaf) + " is not valid under the trust anchors on " +
                                                   format_timestamp(at) + " (" +
                                                   X509_verify_cert_error_string(error) + ")");
    }
    revocation::X509Stack built(X509_STORE_CTX_get1_chain(context.get()));
    if (!built || sk_X509_num(built.get()) < 1) return openssl_failure(Errc::internal, "reading a verified chain");
    std::vector<X509Ptr> chain;
    for (int i = 0; i < sk_X509_num(built.get()); ++i) {
        X509* certificate = sk_X509_value(built.get(), i);
        if (X509_up_ref(certificate) != 1) return openssl_failure(Errc::internal, "keeping a certificate");
        chain.emplace_back(certificate);
    }
    // Each certificate's signature by its issuer's key, and so every key but the leaf's (the
    // SignerInfo check judges that one); the anchor's own signature is not evidence.
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
        auto judged = revocation::acceptable_certificate_signature(chain[i].get(), X509_get0_pubkey(chain[i + 1].get()));
        if (!judged) return fail(Errc::invalid_certificate, who(chain, i, role) + " is refused: " + judged.error().message);
    }
    return chain;
}

Result<Revocations> check_revocation(const std::vector<X509Ptr>& chain, Timestamp proven, bool timestamped,
                                     const Options& options, const std::string& role) {
    const std::optional<Timestamp> issued_after = timestamped ? std::optional<Timestamp>(proven) : std::nullopt;
    Revocations found;
    auto add_note = [&found](const std::string& sentence) {
        found.note += (found.note.empty() ? "" : "; ") + sentence;
    };
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
        auto status = options.checker->check(chain[i].get(), chain[i + 1].get(), issued_after);
        if (!status) {
            if (options.require_revocation || status.error().code != Errc::unavailable) {
                return std::unexpected(status.error());
            }
            add_note("revocation status unknown: " + status.error().message);
            continue;
        }
        if (status->status == revocation::CertStatus::revoked) {
            const std::string when = status->revocation_time ? format_timestamp(*status->revocation_time) : "an unknown date";
            const std::string sentence = who(chain, i, role) + " was revoked on " + when + " (" +
                                         revocation::reason_text(status->reason) + ")";
            if (!status->revocation_time || *status->revocation_time <= proven) {
                return fail(Errc::invalid_certificate, sentence);
            }
            add_note(sentence + ", after " + format_timestamp(proven) + " when the signature is proven to exist");
        }
        found.statuses.push_back(std::move(*status));
    }
    return found;
}

}  // namespace signet::validation
