#include "keys/certificate_checks.hpp"

#include "timestamp/verify.hpp"

#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "base/openssl_error.hpp"

namespace signet::daemon {
namespace {

Result<signet::Timestamp> timestamp_of(const ASN1_TIME* time, const char* what) {
    std::tm parts{};
    if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) {
        return openssl_failure(Errc::invalid_certificate, std::string("its ") + what + " cannot be read");
    }
    return signet::Timestamp(std::chrono::seconds(timegm(&parts)));
}

std::unexpected<Error> refuse(std::string reason) {
    ERR_clear_error();
    return fail(Errc::invalid_certificate, std::move(reason));
}

bool blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// Exactly one "CERTIFICATE" PEM block and nothing else but white space: a private key pasted
// along with it, a second block or trailing text is refused rather than skipped.
Result<cms::Certificate> one_pem_certificate(const std::string& pem, const std::string& what) {
    constexpr std::string_view begin = "-----BEGIN CERTIFICATE-----";
    constexpr std::string_view end = "-----END CERTIFICATE-----";
    const auto first = pem.find("-----BEGIN ");
    if (first == std::string::npos || pem.compare(first, begin.size(), begin) != 0 ||
        !blank(std::string_view(pem).substr(0, first))) {
        return refuse(what + " is not a PEM certificate (one -----BEGIN CERTIFICATE----- block)");
    }
    const auto last = pem.find(end, first);
    if (last == std::string::npos) return refuse(what + " is a truncated PEM certificate");
    const std::string_view rest = std::string_view(pem).substr(last + end.size());
    if (rest.find("-----BEGIN ") != std::string_view::npos) {
        return refuse(what + " holds more than one PEM block; give the CA certificates in \"chain\"");
    }
    if (!blank(rest)) return refuse(what + " has text after its certificate");
    // From BEGIN to END only: white space before BEGIN on its line would confuse the reader.
    const std::string_view block = std::string_view(pem).substr(first, last + end.size() - first);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(block.data(), static_cast<int>(block.size())),
                                                  BIO_free);
    if (!bio) return openssl_failure(Errc::internal, "cannot read " + what);
    cms::Certificate certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!certificate) return refuse(what + " is not a readable X.509 certificate");
    return certificate;
}

std::string day_text(signet::Timestamp when) { return signet::format_timestamp(when); }

Status check_key_usage(X509* certificate, policy::KeyPurpose purpose) {
    const std::uint32_t usage = X509_get_key_usage(certificate);  // UINT32_MAX: no extension
    const bool stated = (X509_get_extension_flags(certificate) & EXFLAG_KUSAGE) != 0;
    const std::string purpose_name(policy::to_string(purpose));
    if (purpose == policy::KeyPurpose::tsa) {
        // RFC 3161 §2.3: the EKU says what the key is for; the key usage must still let it sign.
        if (!stated || (usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0) {
            return refuse("its key usage has neither digitalSignature nor nonRepudiation, one of which a "
                          "time-stamping key's certificate needs");
        }
        if (auto eku = timestamp::check_tsa_certificate_usage(certificate); !eku) return refuse(eku.error().message);
        return {};
    }
    if (purpose == policy::KeyPurpose::audit) {
        if (stated && (usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0) {
            return refuse("its key usage has neither digitalSignature nor nonRepudiation, one of which an audit "
                          "key's certificate needs");
        }
        return {};
    }
    if (!stated) {
        return refuse("it has no key usage extension; a " + purpose_name +
                      " key's certificate must state nonRepudiation (contentCommitment)");
    }
    if ((usage & KU_NON_REPUDIATION) == 0) {
        return refuse("its key usage lacks nonRepudiation (contentCommitment), which a " + purpose_name +
                      " key's certificate must have");
    }
    return {};
}

// The guest CA certifies one-time keys and nothing else: a CA (basicConstraints CA:TRUE, critical
// as RFC 5280 §4.2.1.9 requires of a CA) that may sign certificates (keyCertSign) and has no CA
// below it (pathLenConstraint 0), so that a guest's certificate can never certify another.
Status check_guest_ca(X509* certificate) {
    const std::uint32_t flags = X509_get_extension_flags(certificate);
    if ((flags & EXFLAG_INVALID) != 0) return refuse("its extensions cannot be read");
    if ((flags & EXFLAG_CA) == 0 || (flags & EXFLAG_BCONS) == 0) {
        return refuse("it is not a CA certificate; a guest CA's certificate needs basicConstraints CA:TRUE");
    }
    if (X509_get_pathlen(certificate) != 0) {
        return refuse("its basicConstraints has no pathLenConstraint 0; a guest CA must certify end entities only");
    }
    const std::uint32_t usage = X509_get_key_usage(certificate);
    if ((flags & EXFLAG_KUSAGE) == 0 || (usage & KU_KEY_CERT_SIGN) == 0) {
        return refuse("its key usage lacks keyCertSign, which a guest CA's certificate needs");
    }
    return {};
}

Status check_chain(const CertificateSubmission& submission, const std::filesystem::path& trust_anchors,
                   signet::Timestamp now) {
    if (trust_anchors.empty()) {
        return refuse("no signing trust anchor is configured ([keys] signing_trust_anchors in signetd.toml)");
    }
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
    if (!store || X509_STORE_load_file(store.get(), trust_anchors.c_str()) != 1) {
        return openssl_failure(Errc::unavailable, "cannot read the signing trust anchors " + trust_anchors.string());
    }
    // The stack borrows the certificates: sk_X509_free (a macro) frees the stack only.
    struct StackFree {
        void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }
    };
    std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
    if (!untrusted) return openssl_failure(Errc::internal, "cannot build the certificate chain");
    for (const auto& issuer : submission.chain) {
        if (sk_X509_push(untrusted.get(), issuer.get()) <= 0) {
            return openssl_failure(Errc::internal, "cannot build the certificate chain");
        }
    }
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> context(X509_STORE_CTX_new(),
                                                                            X509_STORE_CTX_free);
    if (!context ||
        X509_STORE_CTX_init(context.get(), store.get(), submission.certificate.get(), untrusted.get()) != 1) {
        return openssl_failure(Errc::internal, "cannot set up the chain verification");
    }
    X509_VERIFY_PARAM* parameters = X509_STORE_CTX_get0_param(context.get());
    X509_VERIFY_PARAM_set_time(parameters, std::chrono::system_clock::to_time_t(now));
    // An operator may name an intermediate CA as the anchor: the chain may stop there.
    X509_VERIFY_PARAM_set_flags(parameters, X509_V_FLAG_PARTIAL_CHAIN);
    if (X509_verify_cert(context.get()) != 1) {
        const int error = X509_STORE_CTX_get_error(context.get());
        return refuse("it does not chain to a configured signing trust anchor (" +
                      std::string(X509_verify_cert_error_string(error)) + ")");
    }
    return {};
}

}  // namespace

signet::Timestamp Validity::usable_until() const {
    return key_not_after && *key_not_after < not_after ? *key_not_after : not_after;
}

Result<Validity> validity_of(const X509* certificate) {
    Validity validity;
    SIGNET_TRY(validity.not_before, timestamp_of(X509_get0_notBefore(certificate), "notBefore"));
    SIGNET_TRY(validity.not_after, timestamp_of(X509_get0_notAfter(certificate), "notAfter"));
    int critical = 0;  // -1: absent, -2: repeated, else present (decoded or not)
    std::unique_ptr<PKEY_USAGE_PERIOD, decltype(&PKEY_USAGE_PERIOD_free)> period(
        static_cast<PKEY_USAGE_PERIOD*>(
            X509_get_ext_d2i(certificate, NID_private_key_usage_period, &critical, nullptr)),
        PKEY_USAGE_PERIOD_free);
    if (!period && critical != -1) {
        // Falling back to notAfter would let the key sign past the period its CA set.
        return refuse("its private key usage period extension is malformed or repeated");
    }
    if (period) {
        if (period->notBefore != nullptr) {
            SIGNET_TRY(validity.key_not_before, timestamp_of(period->notBefore, "private key usage period"));
        }
        if (period->notAfter != nullptr) {
            SIGNET_TRY(validity.key_not_after, timestamp_of(period->notAfter, "private key usage period"));
        }
    }
    ERR_clear_error();  // an absent extension leaves nothing worth reporting
    return validity;
}

Status check_usable(const Validity& validity, signet::Timestamp now, std::chrono::seconds min_remaining,
                    const std::string& what) {
    if (now < validity.not_before) {
        return fail(Errc::unavailable, what + "'s certificate is not valid before " + day_text(validity.not_before));
    }
    if (validity.key_not_before && now < *validity.key_not_before) {
        return fail(Errc::unavailable, what + " may not sign before " + day_text(*validity.key_not_before) +
                                           " (its private key usage period)");
    }
    const signet::Timestamp until = validity.usable_until();
    const char* end = until == validity.not_after ? "'s certificate" : "'s private key usage period";
    if (now > until) return fail(Errc::unavailable, what + end + " ended on " + day_text(until));
    if (until - now < min_remaining) {
        return fail(Errc::unavailable, what + end + " ends on " + day_text(until) +
                                           ", within the configured minimum remaining validity; an officer "
                                           "must rotate the key");
    }
    return {};
}

Result<CertificateSubmission> read_submission(const std::string& certificate_pem,
                                              const std::vector<std::string>& chain_pems) {
    CertificateSubmission submission;
    SIGNET_TRY(submission.certificate, one_pem_certificate(certificate_pem, "\"certificate\""));
    for (std::size_t i = 0; i < chain_pems.size(); ++i) {
        auto issuer = one_pem_certificate(chain_pems[i], "\"chain\"[" + std::to_string(i) + "]");
        if (!issuer) return std::unexpected(issuer.error());
        submission.chain.push_back(std::move(*issuer));
    }
    return submission;
}

Status check_for_key(const CertificateSubmission& submission, EVP_PKEY* key, policy::KeyPurpose purpose,
                     const std::filesystem::path& trust_anchors, signet::Timestamp now) {
    X509* certificate = submission.certificate.get();
    const EVP_PKEY* certified = X509_get0_pubkey(certificate);
    if (certified == nullptr || EVP_PKEY_eq(key, certified) != 1) {
        return refuse("its public key is not this key's: it was issued for another request");
    }
    auto validity = validity_of(certificate);
    if (!validity) return std::unexpected(validity.error());
    if (now < validity->not_before) return refuse("it is not valid before " + day_text(validity->not_before));
    if (now > validity->not_after) return refuse("it expired on " + day_text(validity->not_after));
    if (validity->key_not_after && now > *validity->key_not_after) {
        return refuse("its private key usage period ended on " + day_text(*validity->key_not_after));
    }
    if (purpose == policy::KeyPurpose::guest_ca) {
        SIGNET_CHECK(check_guest_ca(certificate));
    } else {
        if (X509_check_ca(certificate) != 0) {
            return refuse("it is a CA certificate; a signing key's certificate must be an end-entity one");
        }
        SIGNET_CHECK(check_key_usage(certificate, purpose));
    }
    return check_chain(submission, trust_anchors, now);
}

Result<std::vector<cms::Certificate>> read_trust_anchors(const std::filesystem::path& trust_anchors) {
    if (trust_anchors.empty()) return std::vector<cms::Certificate>{};
    std::ifstream in(trust_anchors, std::ios::binary);
    const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof()) return fail(Errc::invalid_config, "cannot read " + trust_anchors.string());
    auto anchors = cms::load_pem_certificates(std::span(reinterpret_cast<const std::uint8_t*>(pem.data()), pem.size()));
    if (!anchors || anchors->empty()) {
        return fail(Errc::invalid_config, trust_anchors.string() + " holds no PEM certificate");
    }
    return anchors;
}

}  // namespace signet::daemon
