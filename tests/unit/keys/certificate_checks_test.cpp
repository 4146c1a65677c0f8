#include "keys/certificate_checks.hpp"

#include <chrono>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/test/unit_test.hpp>

#include "tests/support/temp_dir.hpp"

namespace signet::daemon {
namespace {

using namespace std::chrono_literals;
using policy::KeyPurpose;
using signet::Timestamp;

constexpr std::chrono::seconds day = 24h;

// A fixed instant, not the clock: every certificate below is dated around it and every check is
// made at it, so the outcome is the same whatever day the tests run.
const Timestamp today =
    std::chrono::sys_days{std::chrono::year{2031} / std::chrono::March / 15} + 12h;

struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

Key make_key() {
    Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    BOOST_REQUIRE(key);
    return key;
}

std::time_t time_of(Timestamp when) { return std::chrono::system_clock::to_time_t(when); }

// What a test certificate says; the defaults make a seal certificate valid at `today`.
struct Spec {
    std::string common_name = "Cabinet Exemple seal";
    Timestamp not_before = today - day;
    Timestamp not_after = today + 365 * day;
    // The keyUsage extension's configuration text; empty leaves the extension out.
    std::string key_usage = "critical,digitalSignature,nonRepudiation";
    std::string extended_key_usage;  // its configuration text; empty leaves it out
    bool ca = false;
    std::string ca_constraints = "critical,CA:TRUE";  // basicConstraints when `ca`
    std::optional<Timestamp> key_not_before;  // the private key usage period, when either is set
    std::optional<Timestamp> key_not_after;
};

void add_extension(X509* certificate, int nid, const std::string& value) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, nullptr, nid, value.c_str());
    BOOST_REQUIRE_MESSAGE(extension != nullptr, "extension " << OBJ_nid2sn(nid) << " = " << value);
    const int added = X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
    BOOST_REQUIRE(added == 1);
}

void set_time(ASN1_TIME* field, Timestamp when) {
    // Offsets from a base rather than ASN1_TIME_set, so that OpenSSL picks UTCTime or
    // GeneralizedTime by the year as a CA would.
    std::time_t base = time_of(today);
    BOOST_REQUIRE(X509_time_adj_ex(field, 0, (when - today).count(), &base) != nullptr);
}

// The private key usage period has no configuration syntax in OpenSSL (v3_pku.c only prints
// it), so it is built as the structure itself.
void add_key_usage_period(X509* certificate, const Spec& spec) {
    std::unique_ptr<PKEY_USAGE_PERIOD, decltype(&PKEY_USAGE_PERIOD_free)> period(PKEY_USAGE_PERIOD_new(),
                                                                                  PKEY_USAGE_PERIOD_free);
    BOOST_REQUIRE(period);
    if (spec.key_not_before) {
        period->notBefore = ASN1_GENERALIZEDTIME_set(nullptr, time_of(*spec.key_not_before));
        BOOST_REQUIRE(period->notBefore != nullptr);
    }
    if (spec.key_not_after) {
        period->notAfter = ASN1_GENERALIZEDTIME_set(nullptr, time_of(*spec.key_not_after));
        BOOST_REQUIRE(period->notAfter != nullptr);
    }
    BOOST_REQUIRE(X509_add1_ext_i2d(certificate, NID_private_key_usage_period, period.get(), 0,
                                X509V3_ADD_DEFAULT) == 1);
}

// A certificate of `subject_key` signed by `issuer_key`; self-signed when `issuer` is null.
cms::Certificate issue(const Spec& spec, EVP_PKEY* subject_key, X509* issuer, EVP_PKEY* issuer_key) {
    static long serial = 1;
    cms::Certificate certificate(X509_new());
    BOOST_REQUIRE(certificate);
    X509* cert = certificate.get();
    BOOST_REQUIRE(X509_set_version(cert, X509_VERSION_3) == 1);
    BOOST_REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++) == 1);
    set_time(X509_getm_notBefore(cert), spec.not_before);
    set_time(X509_getm_notAfter(cert), spec.not_after);
    BOOST_REQUIRE(X509_set_pubkey(cert, subject_key) == 1);
    BOOST_REQUIRE(X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_UTF8,
                                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()),
                                             -1, -1, 0) == 1);
    BOOST_REQUIRE(X509_set_issuer_name(cert, issuer != nullptr ? X509_get_subject_name(issuer)
                                                               : X509_get_subject_name(cert)) == 1);
    if (spec.ca) add_extension(cert, NID_basic_constraints, spec.ca_constraints);
    if (!spec.key_usage.empty()) add_extension(cert, NID_key_usage, spec.key_usage);
    if (!spec.extended_key_usage.empty()) add_extension(cert, NID_ext_key_usage, spec.extended_key_usage);
    if (spec.key_not_before || spec.key_not_after) add_key_usage_period(cert, spec);
    BOOST_REQUIRE(X509_sign(cert, issuer_key, EVP_sha256()) > 0);
    return certificate;
}

std::string pem_of(X509* certificate) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    BOOST_REQUIRE(bio);
    BOOST_REQUIRE(PEM_write_bio_X509(bio.get(), certificate) == 1);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    BOOST_REQUIRE(length > 0);
    return std::string(data, static_cast<std::size_t>(length));
}

// A CA spanning ten years either side of `today`.
Spec ca_spec(std::string common_name) {
    Spec spec;
    spec.common_name = std::move(common_name);
    spec.not_before = today - 3650 * day;
    spec.not_after = today + 3650 * day;
    spec.key_usage = "critical,keyCertSign,cRLSign";
    spec.ca = true;
    return spec;
}

// A signing CA written as the configured trust anchor file, and the key (as the HSM would hold
// it) whose certificate is being imported.
struct Pki {
    signet::test::TempDir dir{"signet-certificate-checks"};
    Key ca_key = make_key();
    cms::Certificate ca = issue(ca_spec("signet test signing CA"), ca_key.get(), nullptr, ca_key.get());
    std::filesystem::path anchors = dir / "signing-anchors.pem";
    Key key = make_key();

    Pki() { signet::test::write_file(anchors, pem_of(ca.get())); }

    // The submission as the API would receive it: the certificate and its chain as PEM texts.
    CertificateSubmission submit(const cms::Certificate& certificate,
                                 const std::vector<X509*>& chain = {}) {
        std::vector<std::string> chain_pems;
        for (X509* issuer : chain) chain_pems.push_back(pem_of(issuer));
        auto submission = read_submission(pem_of(certificate.get()), chain_pems);
        BOOST_REQUIRE_MESSAGE(submission, (submission ? "" : submission.error().message));
        return std::move(*submission);
    }

    CertificateSubmission submit(const Spec& spec) {
        return submit(issue(spec, key.get(), ca.get(), ca_key.get()));
    }

    Status check(const CertificateSubmission& submission, KeyPurpose purpose = KeyPurpose::seal) {
        return check_for_key(submission, key.get(), purpose, anchors, today);
    }
};

void require_accepted(const Status& status) {
    BOOST_TEST(status.has_value(), (status ? "" : status.error().message));
}

void require_refused(const Status& status, std::string_view reason) {
    BOOST_REQUIRE_MESSAGE(!status, "accepted; expected a refusal naming '" << reason << "'");
    BOOST_TEST((status.error().code == Errc::invalid_certificate), status.error().message);
    BOOST_TEST(contains(status.error().message, reason), status.error().message << " lacks " << reason);
}

void require_unavailable(const Status& status, std::string_view reason) {
    BOOST_REQUIRE_MESSAGE(!status, "usable; expected a refusal naming '" << reason << "'");
    BOOST_TEST((status.error().code == Errc::unavailable), status.error().message);
    BOOST_TEST(contains(status.error().message, reason), status.error().message << " lacks " << reason);
}

Validity plain_validity() {
    return Validity{today - 30 * day, today + 30 * day, std::nullopt, std::nullopt};
}

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(certificate_validity)

BOOST_AUTO_TEST_CASE(reads_not_before_and_not_after) {
    const Key key = make_key();
    Spec spec;
    spec.not_before = today - 2 * day - 5s;  // odd seconds: nothing may round to a day
    spec.not_after = today + 90 * day + 7s;
    const auto certificate = issue(spec, key.get(), nullptr, key.get());
    const auto validity = validity_of(certificate.get());
    BOOST_REQUIRE_MESSAGE(validity, (validity ? "" : validity.error().message));
    BOOST_TEST((validity->not_before == spec.not_before));
    BOOST_TEST((validity->not_after == spec.not_after));
    BOOST_TEST(!validity->key_not_before.has_value());
    BOOST_TEST(!validity->key_not_after.has_value());
    BOOST_TEST((validity->usable_until() == spec.not_after));
}

BOOST_AUTO_TEST_CASE(dates_past_2049_are_generalized_time) {
    // RFC 5280 §4.1.2.5: from 2050 on the dates are GeneralizedTime, not UTCTime.
    const Key key = make_key();
    Spec spec;
    spec.not_after = Timestamp(std::chrono::sys_days{std::chrono::year{2061} / 1 / 1});
    const auto certificate = issue(spec, key.get(), nullptr, key.get());
    BOOST_REQUIRE(ASN1_STRING_type(X509_get0_notAfter(certificate.get())) == V_ASN1_GENERALIZEDTIME);
    const auto validity = validity_of(certificate.get());
    BOOST_REQUIRE(validity);
    BOOST_TEST((validity->not_after == spec.not_after));
}

BOOST_AUTO_TEST_CASE(a_key_usage_period_ending_first_bounds_usable_until) {
    const Key key = make_key();
    Spec spec;
    spec.key_not_before = today - day;
    spec.key_not_after = today + 30 * day;
    const auto certificate = issue(spec, key.get(), nullptr, key.get());
    const auto validity = validity_of(certificate.get());
    BOOST_REQUIRE_MESSAGE(validity, (validity ? "" : validity.error().message));
    BOOST_TEST((validity->not_after == spec.not_after));
    BOOST_REQUIRE(validity->key_not_before.has_value());
    BOOST_REQUIRE(validity->key_not_after.has_value());
    BOOST_TEST((*validity->key_not_before == *spec.key_not_before));
    BOOST_TEST((*validity->key_not_after == *spec.key_not_after));
    BOOST_TEST((validity->usable_until() == *spec.key_not_after));
}

BOOST_AUTO_TEST_CASE(a_key_usage_period_ending_later_does_not_extend_the_certificate) {
    const Key key = make_key();
    Spec spec;
    spec.key_not_after = spec.not_after + 365 * day;
    const auto certificate = issue(spec, key.get(), nullptr, key.get());
    const auto validity = validity_of(certificate.get());
    BOOST_REQUIRE(validity);
    BOOST_TEST(!validity->key_not_before.has_value());  // the period may state one end only
    BOOST_REQUIRE(validity->key_not_after.has_value());
    BOOST_TEST((validity->usable_until() == spec.not_after));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(certificate_usable)

BOOST_AUTO_TEST_CASE(before_not_before_is_unavailable) {
    const Validity validity = plain_validity();
    const auto status = check_usable(validity, validity.not_before - 1s, 0s, "the seal key 0a1b");
    require_unavailable(status, "not valid before");
    BOOST_TEST(contains(status.error().message, "the seal key 0a1b"), status.error().message);
    BOOST_TEST(contains(status.error().message, signet::format_timestamp(validity.not_before)),
               status.error().message);
}

BOOST_AUTO_TEST_CASE(after_the_end_is_unavailable) {
    const Validity validity = plain_validity();
    const auto status = check_usable(validity, validity.not_after + 1s, 0s, "the seal key 0a1b");
    require_unavailable(status, "ended on");
    BOOST_TEST(contains(status.error().message, "the seal key 0a1b's certificate"), status.error().message);
    BOOST_TEST(contains(status.error().message, signet::format_timestamp(validity.not_after)),
               status.error().message);
}

BOOST_AUTO_TEST_CASE(within_the_minimum_remaining_validity_is_unavailable) {
    const Validity validity = plain_validity();
    const auto status = check_usable(validity, validity.not_after - 6 * day, 7 * day, "the audit key");
    require_unavailable(status, "minimum remaining validity");
    BOOST_TEST(contains(status.error().message, "rotate"), status.error().message);
}

BOOST_AUTO_TEST_CASE(inside_the_validity_with_time_left_is_usable) {
    const Validity validity = plain_validity();
    require_accepted(check_usable(validity, today, 7 * day, "the seal key"));
    // Both ends are inclusive (RFC 5280 §4.1.2.5), and exactly the minimum left is enough.
    require_accepted(check_usable(validity, validity.not_before, 0s, "the seal key"));
    require_accepted(check_usable(validity, validity.not_after, 0s, "the seal key"));
    require_accepted(check_usable(validity, validity.not_after - 7 * day, 7 * day, "the seal key"));
    require_unavailable(check_usable(validity, validity.not_after - 7 * day + 1s, 7 * day, "the seal key"),
                        "minimum remaining validity");
}

BOOST_AUTO_TEST_CASE(an_earlier_key_usage_period_end_is_honoured) {
    Validity validity = plain_validity();
    validity.key_not_after = today + 10 * day;
    // Past the key's end but well inside the certificate's.
    auto status = check_usable(validity, today + 11 * day, 0s, "the seal key");
    require_unavailable(status, "ended on");
    BOOST_TEST(contains(status.error().message, "private key usage period"), status.error().message);
    BOOST_TEST(contains(status.error().message, signet::format_timestamp(*validity.key_not_after)),
               status.error().message);
    // The minimum remaining validity counts from the key's end too.
    require_unavailable(check_usable(validity, today + 5 * day, 7 * day, "the seal key"),
                        "minimum remaining validity");
    require_accepted(check_usable(validity, today + 2 * day, 7 * day, "the seal key"));
}

BOOST_AUTO_TEST_CASE(a_key_usage_period_read_from_the_certificate_is_honoured) {
    const Key key = make_key();
    Spec spec;
    spec.key_not_after = today + 10 * day;
    const auto certificate = issue(spec, key.get(), nullptr, key.get());
    const auto validity = validity_of(certificate.get());
    BOOST_REQUIRE(validity);
    require_accepted(check_usable(*validity, today, 0s, "the seal key"));
    require_unavailable(check_usable(*validity, today + 11 * day, 0s, "the seal key"), "ended on");
}

BOOST_AUTO_TEST_CASE(before_the_key_usage_period_is_unavailable) {
    Validity validity = plain_validity();
    validity.key_not_before = today + day;
    require_unavailable(check_usable(validity, today, 0s, "the seal key"), "may not sign before");
    require_accepted(check_usable(validity, today + day, 0s, "the seal key"));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(certificate_submission)

BOOST_AUTO_TEST_CASE(text_that_is_not_pem_is_invalid) {
    for (const std::string text : {"", "not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n"}) {
        const auto submission = read_submission(text, {});
        BOOST_REQUIRE_MESSAGE(!submission, "accepted: " << text);
        BOOST_TEST((submission.error().code == Errc::invalid_certificate), submission.error().message);
        BOOST_TEST(contains(submission.error().message, "\"certificate\""), submission.error().message);
    }
}

BOOST_AUTO_TEST_CASE(two_certificates_in_certificate_are_invalid) {
    Pki pki;
    const auto leaf = issue(Spec{}, pki.key.get(), pki.ca.get(), pki.ca_key.get());
    const auto submission = read_submission(pem_of(leaf.get()) + pem_of(pki.ca.get()), {});
    BOOST_REQUIRE(!submission);
    BOOST_TEST((submission.error().code == Errc::invalid_certificate), submission.error().message);
    BOOST_TEST(contains(submission.error().message, "more than one"), submission.error().message);
}

BOOST_AUTO_TEST_CASE(a_chain_of_one_is_read) {
    Pki pki;
    const auto leaf = issue(Spec{}, pki.key.get(), pki.ca.get(), pki.ca_key.get());
    const auto submission = read_submission(pem_of(leaf.get()), {pem_of(pki.ca.get())});
    BOOST_REQUIRE_MESSAGE(submission, (submission ? "" : submission.error().message));
    BOOST_TEST(X509_cmp(submission->certificate.get(), leaf.get()) == 0);
    BOOST_REQUIRE(submission->chain.size() == 1U);
    BOOST_TEST(X509_cmp(submission->chain.front().get(), pki.ca.get()) == 0);
}

BOOST_AUTO_TEST_CASE(a_bad_chain_entry_is_named) {
    Pki pki;
    const auto leaf = issue(Spec{}, pki.key.get(), pki.ca.get(), pki.ca_key.get());
    const auto submission = read_submission(pem_of(leaf.get()), {pem_of(pki.ca.get()), "garbage"});
    BOOST_REQUIRE(!submission);
    BOOST_TEST((submission.error().code == Errc::invalid_certificate), submission.error().message);
    BOOST_TEST(contains(submission.error().message, "\"chain\"[1]"), submission.error().message);
}

BOOST_AUTO_TEST_CASE(anything_beside_the_one_certificate_is_refused) {
    const Key key = make_key();
    const std::string pem = pem_of(issue(Spec{}, key.get(), nullptr, key.get()).get());
    // A private key pasted before it is never skipped silently.
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    BOOST_REQUIRE(PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
    char* data = nullptr;
    // The size first: the order in which a constructor's arguments are evaluated is the compiler's.
    const auto size = static_cast<std::size_t>(BIO_get_mem_data(bio.get(), &data));
    const std::string private_pem(data, size);
    const std::string garbled_second = pem + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    const std::vector<std::pair<std::string, std::string>> cases{
        {private_pem + pem, "not a PEM certificate"},
        {pem + private_pem, "more than one PEM block"},
        {garbled_second, "more than one PEM block"},
        {pem + "trailing words\n", "text after its certificate"},
        {pem.substr(0, pem.size() - 30), "truncated"},
        {"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "not a readable X.509 certificate"},
    };
    for (const auto& [text, reason] : cases) {
        auto read = read_submission(text, {});
        BOOST_REQUIRE(!read);
        BOOST_TEST((read.error().code == Errc::invalid_certificate));
        BOOST_TEST(contains(read.error().message, reason), read.error().message << " lacks " << reason);
    }
    BOOST_TEST(read_submission("\n  " + pem + "\n\n", {}).has_value());  // white space around is fine
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(certificate_for_key)

BOOST_AUTO_TEST_CASE(a_certificate_from_the_anchor_is_accepted) {
    Pki pki;
    const auto submission = pki.submit(Spec{});
    require_accepted(pki.check(submission, KeyPurpose::seal));
    require_accepted(pki.check(submission, KeyPurpose::personal));
    require_accepted(pki.check(submission, KeyPurpose::audit));
}

BOOST_AUTO_TEST_CASE(a_certificate_of_another_key_is_refused) {
    Pki pki;
    const Key other = make_key();
    const auto submission = pki.submit(issue(Spec{}, other.get(), pki.ca.get(), pki.ca_key.get()));
    require_refused(pki.check(submission), "not this key");
}

BOOST_AUTO_TEST_CASE(an_expired_certificate_is_refused) {
    Pki pki;
    Spec spec;
    spec.not_before = today - 400 * day;
    spec.not_after = today - 30 * day;
    const auto status = pki.check(pki.submit(spec));
    require_refused(status, "expired on");
    BOOST_TEST(contains(status.error().message, signet::format_timestamp(spec.not_after)), status.error().message);
}

BOOST_AUTO_TEST_CASE(a_certificate_not_yet_valid_is_refused) {
    Pki pki;
    Spec spec;
    spec.not_before = today + day;
    require_refused(pki.check(pki.submit(spec)), "not valid before");
}

BOOST_AUTO_TEST_CASE(a_certificate_from_a_foreign_ca_is_refused) {
    Pki pki;
    const Key foreign_key = make_key();
    const auto foreign = issue(ca_spec("someone else's CA"), foreign_key.get(), nullptr, foreign_key.get());
    // Even with its own CA handed over as the chain: only the configured anchors are trusted.
    const auto submission =
        pki.submit(issue(Spec{}, pki.key.get(), foreign.get(), foreign_key.get()), {foreign.get()});
    require_refused(pki.check(submission), "does not chain");
}

BOOST_AUTO_TEST_CASE(a_seal_certificate_without_non_repudiation_is_refused) {
    Pki pki;
    Spec spec;
    spec.key_usage = "critical,digitalSignature";
    const auto submission = pki.submit(spec);
    require_refused(pki.check(submission, KeyPurpose::seal), "lacks nonRepudiation");
    require_refused(pki.check(submission, KeyPurpose::personal), "lacks nonRepudiation");
    // The audit key signs checkpoints, not documents: digitalSignature is enough for it.
    require_accepted(pki.check(submission, KeyPurpose::audit));
}

BOOST_AUTO_TEST_CASE(a_seal_certificate_without_key_usage_is_refused) {
    Pki pki;
    Spec spec;
    spec.key_usage.clear();
    const auto submission = pki.submit(spec);
    BOOST_REQUIRE(X509_get_ext_by_NID(submission.certificate.get(), NID_key_usage, -1) < 0);
    require_refused(pki.check(submission, KeyPurpose::seal), "no key usage extension");
}

BOOST_AUTO_TEST_CASE(an_audit_certificate_without_a_signing_usage_is_refused) {
    Pki pki;
    Spec spec;
    spec.key_usage = "critical,keyEncipherment";
    require_refused(pki.check(pki.submit(spec), KeyPurpose::audit), "neither digitalSignature nor nonRepudiation");
}

// RFC 3161 §2.3: a TSA certificate says timeStamping, critically, and nothing else; its key
// usage must still let it sign.
BOOST_AUTO_TEST_CASE(a_tsa_certificate_needs_the_critical_time_stamping_purpose_alone) {
    Pki pki;
    Spec spec;
    spec.key_usage = "critical,digitalSignature";
    spec.extended_key_usage = "critical,timeStamping";
    require_accepted(pki.check(pki.submit(spec), KeyPurpose::tsa));

    spec.extended_key_usage = "timeStamping";
    require_refused(pki.check(pki.submit(spec), KeyPurpose::tsa), "not critical");
    spec.extended_key_usage = "critical,timeStamping,codeSigning";
    require_refused(pki.check(pki.submit(spec), KeyPurpose::tsa), "timeStamping only");
    spec.extended_key_usage.clear();
    require_refused(pki.check(pki.submit(spec), KeyPurpose::tsa), "no extendedKeyUsage");
    spec.extended_key_usage = "critical,timeStamping";
    spec.key_usage = "critical,keyEncipherment";
    require_refused(pki.check(pki.submit(spec), KeyPurpose::tsa), "neither digitalSignature nor nonRepudiation");
    spec.key_usage.clear();
    require_refused(pki.check(pki.submit(spec), KeyPurpose::tsa), "neither digitalSignature nor nonRepudiation");
}

BOOST_AUTO_TEST_CASE(no_trust_anchor_configured_is_refused) {
    Pki pki;
    const auto submission = pki.submit(Spec{});
    require_refused(check_for_key(submission, pki.key.get(), KeyPurpose::seal, {}, today),
                    "no signing trust anchor");
}

BOOST_AUTO_TEST_CASE(an_intermediate_ca_is_reached_through_the_chain) {
    Pki pki;
    const Key intermediate_key = make_key();
    const auto intermediate =
        issue(ca_spec("signet test intermediate CA"), intermediate_key.get(), pki.ca.get(), pki.ca_key.get());
    const auto leaf = issue(Spec{}, pki.key.get(), intermediate.get(), intermediate_key.get());
    require_accepted(pki.check(pki.submit(leaf, {intermediate.get()})));
    // Without the intermediate the path to the anchor is missing.
    require_refused(pki.check(pki.submit(leaf)), "does not chain");
    // An operator may name the intermediate itself as the anchor.
    signet::test::write_file(pki.anchors, pem_of(intermediate.get()));
    require_accepted(pki.check(pki.submit(leaf)));
}

BOOST_AUTO_TEST_CASE(an_ended_key_usage_period_is_refused_at_import) {
    Pki pki;
    Spec spec;
    spec.key_not_after = today - day;
    require_refused(pki.check(pki.submit(spec)), "private key usage period ended on");
}

BOOST_AUTO_TEST_CASE(a_ca_certificate_is_not_a_signing_key_certificate) {
    Pki pki;
    Spec spec;
    spec.ca = true;
    spec.key_usage = "critical,keyCertSign,nonRepudiation";
    require_refused(pki.check(pki.submit(spec)), "is a CA certificate");
}

BOOST_AUTO_TEST_CASE(a_repeated_key_usage_period_is_not_ignored) {
    const Key key = make_key();
    Spec spec;
    spec.key_not_after = today + 10 * day;
    auto certificate = issue(spec, key.get(), nullptr, key.get());
    // A second copy of the extension: which end counts is unknowable, so none is guessed.
    std::unique_ptr<PKEY_USAGE_PERIOD, decltype(&PKEY_USAGE_PERIOD_free)> period(PKEY_USAGE_PERIOD_new(),
                                                                                  PKEY_USAGE_PERIOD_free);
    period->notAfter = ASN1_GENERALIZEDTIME_set(nullptr, time_of(today + 400 * day));
    BOOST_REQUIRE(X509_add1_ext_i2d(certificate.get(), NID_private_key_usage_period, period.get(), 0,
                                    X509V3_ADD_APPEND) == 1);
    BOOST_REQUIRE(X509_sign(certificate.get(), key.get(), EVP_sha256()) > 0);
    auto validity = validity_of(certificate.get());
    BOOST_REQUIRE(!validity);
    BOOST_TEST(contains(validity.error().message, "malformed or repeated"), validity.error().message);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// The guest CA (issue 22): a CA certificate with pathLenConstraint 0 and keyCertSign, chained to
// the signing trust anchors; an end-entity certificate or a CA that could certify CAs is refused.
BOOST_AUTO_TEST_SUITE(guest_ca_certificates)

Spec guest_ca(std::string constraints, std::string key_usage = "critical,keyCertSign,cRLSign") {
    Spec spec;
    spec.common_name = "Cabinet guest CA";
    spec.ca = true;
    spec.ca_constraints = std::move(constraints);
    spec.key_usage = std::move(key_usage);
    return spec;
}

BOOST_AUTO_TEST_CASE(a_ca_with_path_length_zero_and_key_cert_sign_is_accepted) {
    Pki pki;
    require_accepted(pki.check(pki.submit(guest_ca("critical,CA:TRUE,pathlen:0")), KeyPurpose::guest_ca));
}

BOOST_AUTO_TEST_CASE(an_end_entity_certificate_is_refused) {
    Pki pki;
    require_refused(pki.check(pki.submit(Spec{}), KeyPurpose::guest_ca), "not a CA certificate");
}

BOOST_AUTO_TEST_CASE(a_ca_that_may_certify_cas_is_refused) {
    Pki pki;
    require_refused(pki.check(pki.submit(guest_ca("critical,CA:TRUE")), KeyPurpose::guest_ca), "pathLenConstraint 0");
    require_refused(pki.check(pki.submit(guest_ca("critical,CA:TRUE,pathlen:1")), KeyPurpose::guest_ca),
                    "pathLenConstraint 0");
}

BOOST_AUTO_TEST_CASE(a_ca_without_key_cert_sign_is_refused) {
    Pki pki;
    require_refused(pki.check(pki.submit(guest_ca("critical,CA:TRUE,pathlen:0", "critical,cRLSign")), KeyPurpose::guest_ca),
                    "keyCertSign");
    require_refused(pki.check(pki.submit(guest_ca("critical,CA:TRUE,pathlen:0", "")), KeyPurpose::guest_ca), "keyCertSign");
}

BOOST_AUTO_TEST_CASE(a_guest_ca_from_another_ca_is_refused) {
    Pki pki;
    Key other_key = make_key();
    auto other = issue(ca_spec("another CA"), other_key.get(), nullptr, other_key.get());
    auto foreign = issue(guest_ca("critical,CA:TRUE,pathlen:0"), pki.key.get(), other.get(), other_key.get());
    require_refused(pki.check(pki.submit(foreign, {other.get()}), KeyPurpose::guest_ca), "does not chain");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::daemon
