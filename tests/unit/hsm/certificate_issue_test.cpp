// Short-lived certificates issued by a CA key in SoftHSM, under a PKI the test makes itself (a
// software root, a CA whose key is in the token), checked by OpenSSL's chain verification and
// by reading every field back.

#include "hsm/certificate_issue.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/test/unit_test.hpp>

#include "base/base64.hpp"
#include "base/ssl_ptr.hpp"
#include "hsm/openssl_util.hpp"
#include "tests/unit/hsm/softhsm.hpp"

namespace signet::hsm {
namespace {

using namespace test;
using namespace std::chrono_literals;
using std::chrono::system_clock;

using StorePtr = std::unique_ptr<X509_STORE, SslDeleter<&X509_STORE_free>>;
using StoreContextPtr = std::unique_ptr<X509_STORE_CTX, SslDeleter<&X509_STORE_CTX_free>>;
using NamePtr = std::unique_ptr<X509_NAME, SslDeleter<&X509_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, SslDeleter<&GENERAL_NAMES_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, SslDeleter<&BASIC_CONSTRAINTS_free>>;

// What a test CA certificate says; nullptr leaves the extension out.
struct CaProfile {
    const char* basic_constraints = "critical,CA:TRUE,pathlen:0";
    const char* key_usage = "critical,keyCertSign,cRLSign";
    bool key_identifier = true;
};

void add_extension(X509* certificate, X509* issuer, int nid, const char* value) {
    X509V3_CTX context{};
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    BOOST_REQUIRE(extension != nullptr);
    const bool added = X509_add_ext(certificate, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    BOOST_REQUIRE(added);
}

// A CA certificate for `key`, made and signed in software with OpenSSL's own configuration
// strings, independently of the code under test. Self-signed when `issuer` is null.
X509Ptr make_ca_certificate(const char* name, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                            const CaProfile& profile = {}) {
    static long serial = 1;
    X509Ptr certificate(X509_new());
    NamePtr subject(X509_NAME_new());
    BOOST_REQUIRE(certificate && subject);
    BOOST_REQUIRE(X509_set_version(certificate.get(), X509_VERSION_3) == 1);
    BOOST_REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), ++serial) == 1);
    BOOST_REQUIRE(X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -24 * 3600) != nullptr);
    BOOST_REQUIRE(X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 3650L * 24 * 3600) !=
                  nullptr);
    BOOST_REQUIRE(X509_NAME_add_entry_by_txt(subject.get(), "CN", MBSTRING_UTF8,
                                             reinterpret_cast<const unsigned char*>(name), -1, -1,
                                             0) == 1);
    BOOST_REQUIRE(X509_set_subject_name(certificate.get(), subject.get()) == 1);
    BOOST_REQUIRE(X509_set_issuer_name(certificate.get(), issuer ? X509_get_subject_name(issuer)
                                                                 : subject.get()) == 1);
    BOOST_REQUIRE(X509_set_pubkey(certificate.get(), key) == 1);
    X509* signer = issuer ? issuer : certificate.get();
    if (profile.basic_constraints) {
        add_extension(certificate.get(), signer, NID_basic_constraints, profile.basic_constraints);
    }
    if (profile.key_usage) {
        add_extension(certificate.get(), signer, NID_key_usage, profile.key_usage);
    }
    if (profile.key_identifier) {
        add_extension(certificate.get(), signer, NID_subject_key_identifier, "hash");
    }
    if (issuer) {
        add_extension(certificate.get(), signer, NID_authority_key_identifier, "keyid:always");
    }
    BOOST_REQUIRE(X509_sign(certificate.get(), issuer_key, EVP_sha256()) > 0);
    return certificate;
}

// A software root, and a CA whose key pair is made in the token and certified by the root.
struct Pki {
    PkeyPtr root_key;
    X509Ptr root;
    KeyId ca_key;
    X509Ptr ca;
};

Pki make_pki(Token& token, KeyAlgorithm ca_algorithm) {
    Pki pki;
    pki.root_key.reset(EVP_EC_gen("P-256"));
    BOOST_REQUIRE(pki.root_key);
    pki.root =
        make_ca_certificate("signet test root", pki.root_key.get(), nullptr, pki.root_key.get(),
                            CaProfile{"critical,CA:TRUE", "critical,keyCertSign,cRLSign", true});
    pki.ca_key = {0xCA, static_cast<std::uint8_t>(ca_algorithm)};
    auto ca_public = token.generate_key_pair(ca_algorithm, pki.ca_key, "guests CA");
    BOOST_REQUIRE_MESSAGE(ca_public, (ca_public ? "" : message_of(ca_public.error())));
    pki.ca = make_ca_certificate("signet guests CA", ca_public->get(), pki.root.get(),
                                 pki.root_key.get());
    return pki;
}

PublicKey guest_key(Token& token, std::uint8_t number,
                    KeyAlgorithm algorithm = KeyAlgorithm::ec_p256) {
    auto key = token.generate_key_pair(algorithm, {0x6E, number}, "guest", KeyLifetime::session);
    BOOST_REQUIRE_MESSAGE(key, (key ? "" : message_of(key.error())));
    return std::move(*key);
}

LeafCertificateSpec spec_for(std::string name) {
    const auto start = std::chrono::floor<std::chrono::seconds>(system_clock::now());
    return LeafCertificateSpec{std::move(name), "marie.dupont@example.org", start, start + 15min};
}

IssuedCertificate issue(Token& token, const Pki& pki, EVP_PKEY* subject,
                        const LeafCertificateSpec& spec) {
    auto issued = issue_leaf_certificate(token, pki.ca_key, pki.ca.get(), subject, spec);
    BOOST_REQUIRE_MESSAGE(issued, (issued ? "" : message_of(issued.error())));
    return std::move(*issued);
}

X509Ptr parse(const std::vector<std::uint8_t>& der) {
    const unsigned char* in = der.data();
    X509Ptr certificate(d2i_X509(nullptr, &in, static_cast<long>(der.size())));
    BOOST_REQUIRE(certificate);
    BOOST_REQUIRE(in == der.data() + der.size());
    return certificate;
}

// X509_verify_cert with the root as the only trust anchor and the CA as an untrusted
// intermediate, at `when`, in OpenSSL's strict RFC 5280 mode: X509_V_OK or the failure.
int verify_chain(const Pki& pki, X509* leaf, system_clock::time_point when) {
    StorePtr store(X509_STORE_new());
    BOOST_REQUIRE(store && X509_STORE_add_cert(store.get(), pki.root.get()) == 1);
    struct StackFree {
        void operator()(STACK_OF(X509) * stack) const {
            sk_X509_free(stack);
        }  // not the certificates
    };
    std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
    BOOST_REQUIRE(untrusted && sk_X509_push(untrusted.get(), pki.ca.get()) > 0);
    StoreContextPtr context(X509_STORE_CTX_new());
    BOOST_REQUIRE(context &&
                  X509_STORE_CTX_init(context.get(), store.get(), leaf, untrusted.get()) == 1);
    X509_STORE_CTX_set_time(context.get(), 0, system_clock::to_time_t(when));
    X509_STORE_CTX_set_flags(context.get(), X509_V_FLAG_X509_STRICT);
    const int verified = X509_verify_cert(context.get());
    return verified == 1 ? X509_V_OK : X509_STORE_CTX_get_error(context.get());
}

std::string common_name(X509* certificate) {
    const X509_NAME* subject = X509_get_subject_name(certificate);
    BOOST_REQUIRE_EQUAL(X509_NAME_entry_count(subject), 1);  // CN only
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(subject, 0);
    BOOST_REQUIRE_EQUAL(OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry)), NID_commonName);
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(entry);
    BOOST_TEST(ASN1_STRING_type(value) == V_ASN1_UTF8STRING);
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                       static_cast<std::size_t>(ASN1_STRING_length(value)));
}

std::vector<std::string> emails(X509* certificate) {
    int critical = -1;
    GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(certificate, NID_subject_alt_name, &critical, nullptr)));
    BOOST_REQUIRE(names);
    BOOST_TEST(critical == 0);
    std::vector<std::string> found;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
        BOOST_REQUIRE(name->type == GEN_EMAIL);
        found.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.rfc822Name)),
                           static_cast<std::size_t>(ASN1_STRING_length(name->d.rfc822Name)));
    }
    return found;
}

bool critical(X509* certificate, int nid) {
    const int index = X509_get_ext_by_NID(certificate, nid, -1);
    BOOST_REQUIRE(index >= 0);
    BOOST_TEST(X509_get_ext_by_NID(certificate, nid, index) == -1);  // only once
    return X509_EXTENSION_get_critical(X509_get_ext(certificate, index)) == 1;
}

// Everything issue_leaf_certificate promises about one certificate.
void check_leaf(const Pki& pki, const IssuedCertificate& issued, EVP_PKEY* subject_key,
                const LeafCertificateSpec& spec, int signature_nid) {
    const X509Ptr leaf = parse(issued.der);
    BOOST_TEST(verify_chain(pki, leaf.get(), spec.not_before + 1min) == X509_V_OK);
    BOOST_TEST(X509_get_version(leaf.get()) == X509_VERSION_3);
    BOOST_TEST(EVP_PKEY_eq(X509_get0_pubkey(leaf.get()), subject_key) == 1);
    BOOST_TEST(
        X509_NAME_cmp(X509_get_issuer_name(leaf.get()), X509_get_subject_name(pki.ca.get())) == 0);
    BOOST_TEST(common_name(leaf.get()) == spec.common_name);
    BOOST_TEST(emails(leaf.get()) == std::vector<std::string>{spec.email});

    // The serial: 16 content bytes, positive, and what serial_hex says.
    const ASN1_INTEGER* serial = X509_get0_serialNumber(leaf.get());
    BOOST_TEST(ASN1_STRING_type(serial) == V_ASN1_INTEGER);
    BOOST_REQUIRE_EQUAL(ASN1_STRING_length(serial), 16);
    const unsigned char* serial_bytes = ASN1_STRING_get0_data(serial);
    BOOST_TEST((serial_bytes[0] != 0 && serial_bytes[0] < 0x80));
    BOOST_TEST(issued.serial_hex == hex_encode(std::span(serial_bytes, 16)));

    BOOST_TEST(critical(leaf.get(), NID_basic_constraints));
    BasicConstraintsPtr constraints(static_cast<BASIC_CONSTRAINTS*>(
        X509_get_ext_d2i(leaf.get(), NID_basic_constraints, nullptr, nullptr)));
    BOOST_REQUIRE(constraints);
    BOOST_TEST(constraints->ca == 0);
    BOOST_TEST(X509_check_ca(leaf.get()) == 0);
    BOOST_TEST(critical(leaf.get(), NID_key_usage));
    BOOST_TEST(X509_get_key_usage(leaf.get()) == (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION));
    BOOST_TEST(X509_get_extended_key_usage(leaf.get()) == UINT32_MAX);  // none
    BOOST_TEST(!critical(leaf.get(), NID_subject_alt_name));

    // subjectKeyIdentifier by RFC 5280 §4.2.1.2 method (1); the authority's is the CA's.
    BOOST_TEST(!critical(leaf.get(), NID_subject_key_identifier));
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    BOOST_REQUIRE(X509_pubkey_digest(leaf.get(), EVP_sha1(), digest.data(), &length) == 1);
    const ASN1_OCTET_STRING* key_id = X509_get0_subject_key_id(leaf.get());
    BOOST_REQUIRE(key_id);
    BOOST_TEST(hex_encode(std::span(ASN1_STRING_get0_data(key_id),
                                    static_cast<std::size_t>(ASN1_STRING_length(key_id)))) ==
               hex_encode(std::span(digest.data(), length)));
    BOOST_TEST(!critical(leaf.get(), NID_authority_key_identifier));
    BOOST_REQUIRE(X509_get0_authority_key_id(leaf.get()));
    BOOST_TEST(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(leaf.get()),
                                     X509_get0_subject_key_id(pki.ca.get())) == 0);

    // RFC 9608 noRevAvail, found by its number: present once, not critical, NULL.
    const Asn1ObjectPtr no_revocation(OBJ_txt2obj("2.5.29.56", 1));
    BOOST_REQUIRE(no_revocation);
    const int index = X509_get_ext_by_OBJ(leaf.get(), no_revocation.get(), -1);
    BOOST_REQUIRE(index >= 0);
    BOOST_TEST(X509_get_ext_by_OBJ(leaf.get(), no_revocation.get(), index) == -1);
    X509_EXTENSION* extension = X509_get_ext(leaf.get(), index);
    BOOST_TEST(X509_EXTENSION_get_critical(extension) == 0);
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(extension);
    BOOST_TEST(hex_encode(std::span(ASN1_STRING_get0_data(value),
                                    static_cast<std::size_t>(ASN1_STRING_length(value)))) ==
               "0500");
    BOOST_TEST(X509_get_ext_count(leaf.get()) == 6);

    BOOST_TEST(ASN1_TIME_cmp_time_t(X509_get0_notBefore(leaf.get()),
                                    system_clock::to_time_t(spec.not_before)) == 0);
    BOOST_TEST(ASN1_TIME_cmp_time_t(X509_get0_notAfter(leaf.get()),
                                    system_clock::to_time_t(spec.not_after)) == 0);

    // The signature algorithm, the same inside and outside the TBSCertificate, with NULL
    // parameters for RSA (RFC 4055 §5) and none for ECDSA (RFC 5758 §3.2).
    BOOST_TEST(X509_get_signature_nid(leaf.get()) == signature_nid);
    const ASN1_BIT_STRING* signature = nullptr;
    const X509_ALGOR* algorithm = nullptr;
    X509_get0_signature(&signature, &algorithm, leaf.get());
    BOOST_TEST(X509_ALGOR_cmp(algorithm, X509_get0_tbs_sigalg(leaf.get())) == 0);
    int parameter_type = -1;
    X509_ALGOR_get0(nullptr, &parameter_type, nullptr, algorithm);
    BOOST_TEST(parameter_type ==
               (signature_nid == NID_sha256WithRSAEncryption ? V_ASN1_NULL : V_ASN1_UNDEF));
    BOOST_TEST(X509_verify(leaf.get(), X509_get0_pubkey(pki.ca.get())) == 1);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(certificate_issue)

BOOST_FIXTURE_TEST_CASE(an_ec_ca_in_the_token_issues_a_leaf_that_verifies, test::OpenToken) {
    const Pki pki = make_pki(*token, KeyAlgorithm::ec_p256);
    const PublicKey guest = guest_key(*token, 1);
    const LeafCertificateSpec spec = spec_for("Marie Dupont");
    const IssuedCertificate issued = issue(*token, pki, guest.get(), spec);
    check_leaf(pki, issued, guest.get(), spec, NID_ecdsa_with_SHA256);

    // Outside its validity, the same chain does not verify.
    const X509Ptr leaf = parse(issued.der);
    BOOST_TEST(verify_chain(pki, leaf.get(), spec.not_after + 1s) == X509_V_ERR_CERT_HAS_EXPIRED);
    BOOST_TEST(verify_chain(pki, leaf.get(), spec.not_before - 1s) ==
               X509_V_ERR_CERT_NOT_YET_VALID);
}

BOOST_FIXTURE_TEST_CASE(an_rsa_ca_in_the_token_issues_a_leaf_that_verifies, test::OpenToken) {
    const Pki pki = make_pki(*token, KeyAlgorithm::rsa_3072);
    const PublicKey guest = guest_key(*token, 2, KeyAlgorithm::rsa_2048);
    const LeafCertificateSpec spec = spec_for("Jean-Luc Lefèvre");
    check_leaf(pki, issue(*token, pki, guest.get(), spec), guest.get(), spec,
               NID_sha256WithRSAEncryption);
}

BOOST_FIXTURE_TEST_CASE(long_accented_names_are_kept_as_utf8, test::OpenToken) {
    const Pki pki = make_pki(*token, KeyAlgorithm::ec_p256);
    const PublicKey guest = guest_key(*token, 3);
    // 100 and 128 characters, more than OpenSSL's ub-common-name of 64 and than their bytes
    // would suggest: "É", "ï" and "é" take two bytes each.
    for (const std::size_t length : {std::size_t{100}, std::size_t{128}}) {
        static constexpr std::array<const char*, 7> pieces{"É", "l", "o", "ï", "s", "e", "é"};
        std::string name;
        for (std::size_t i = 0; i < length; ++i) name += pieces[i % pieces.size()];
        BOOST_TEST_CONTEXT(length << " characters, " << name.size() << " bytes") {
            const LeafCertificateSpec spec = spec_for(name);
            check_leaf(pki, issue(*token, pki, guest.get(), spec), guest.get(), spec,
                       NID_ecdsa_with_SHA256);
        }
    }
}

BOOST_FIXTURE_TEST_CASE(the_validity_is_exactly_the_one_asked_for, test::OpenToken) {
    const Pki pki = make_pki(*token, KeyAlgorithm::ec_p256);
    const PublicKey guest = guest_key(*token, 4);
    // Across the UTCTime / GeneralizedTime boundary of RFC 5280 §4.1.2.5, with fractions of a
    // second that X.509 cannot carry.
    LeafCertificateSpec spec = spec_for("Marie Dupont");
    spec.not_before = system_clock::from_time_t(2524607970) + 250ms;  // 2049-12-31T23:59:30.25Z
    spec.not_after = system_clock::from_time_t(2524608030) + 999ms;   // 2050-01-01T00:00:30.999Z
    const X509Ptr leaf = parse(issue(*token, pki, guest.get(), spec).der);
    BOOST_TEST(ASN1_STRING_type(X509_get0_notBefore(leaf.get())) == V_ASN1_UTCTIME);
    BOOST_TEST(ASN1_STRING_type(X509_get0_notAfter(leaf.get())) == V_ASN1_GENERALIZEDTIME);
    BOOST_TEST(ASN1_TIME_cmp_time_t(X509_get0_notBefore(leaf.get()), 2524607970) == 0);
    BOOST_TEST(ASN1_TIME_cmp_time_t(X509_get0_notAfter(leaf.get()), 2524608030) == 0);
}

BOOST_FIXTURE_TEST_CASE(serials_are_random_and_never_repeat, test::OpenToken) {
    const Pki pki = make_pki(*token, KeyAlgorithm::ec_p256);
    const PublicKey guest = guest_key(*token, 5);
    const LeafCertificateSpec spec = spec_for("Marie Dupont");
    std::set<std::string> serials;
    for (int i = 0; i < 8; ++i) {
        const IssuedCertificate issued = issue(*token, pki, guest.get(), spec);
        BOOST_TEST(issued.serial_hex.size() == 32U);
        BOOST_TEST(issued.serial_hex.find_first_not_of("0123456789abcdef") == std::string::npos);
        serials.insert(issued.serial_hex);
    }
    BOOST_TEST(serials.size() == 8U);
}

BOOST_FIXTURE_TEST_CASE(specs_outside_the_limits_are_refused, test::OpenToken) {
    const Pki pki = make_pki(*token, KeyAlgorithm::ec_p256);
    const PublicKey guest = guest_key(*token, 6);
    const LeafCertificateSpec good = spec_for("Marie Dupont");
    std::vector<std::pair<std::string, LeafCertificateSpec>> bad;
    const auto with = [&](std::string why, auto change) {
        LeafCertificateSpec spec = good;
        change(spec);
        bad.emplace_back(std::move(why), std::move(spec));
    };
    with("empty name", [](auto& spec) { spec.common_name.clear(); });
    with("129 characters", [](auto& spec) { spec.common_name = std::string(129, 'a'); });
    with("129 two-byte characters", [](auto& spec) {
        spec.common_name.clear();
        for (int i = 0; i < 129; ++i) spec.common_name += "é";
    });
    with("not UTF-8", [](auto& spec) { spec.common_name = "Marie \xE9"; });
    with("an overlong form", [](auto& spec) { spec.common_name = "\xC0\xAF"; });
    with("a surrogate", [](auto& spec) { spec.common_name = "\xED\xA0\x80"; });
    with("a line break", [](auto& spec) { spec.common_name = "Marie\nDupont"; });
    with("a NUL", [](auto& spec) { spec.common_name = std::string("Marie\0Dupont", 12); });
    with("empty email", [](auto& spec) { spec.email.clear(); });
    with("non-ASCII email", [](auto& spec) { spec.email = "marié@example.org"; });
    with("email with a space", [](auto& spec) { spec.email = "marie dupont@example.org"; });
    with("email without @", [](auto& spec) { spec.email = "marie.dupont"; });
    with("email without domain", [](auto& spec) { spec.email = "marie@"; });
    with("email without local part", [](auto& spec) { spec.email = "@example.org"; });
    with("255-character email",
         [](auto& spec) { spec.email = std::string(243, 'm') + "@example.org"; });
    with("not_after == not_before", [](auto& spec) { spec.not_after = spec.not_before; });
    with("not_after < not_before", [](auto& spec) { spec.not_after = spec.not_before - 1s; });
    with("the same second", [](auto& spec) { spec.not_after = spec.not_before + 500ms; });
    for (const auto& [why, spec] : bad) {
        BOOST_TEST_CONTEXT(why) {
            const auto issued =
                issue_leaf_certificate(*token, pki.ca_key, pki.ca.get(), guest.get(), spec);
            BOOST_REQUIRE(!issued);
            BOOST_TEST(issued.error().code == Errc::bad_request, issued.error().message);
        }
    }
    const auto keyless = issue_leaf_certificate(*token, pki.ca_key, pki.ca.get(), nullptr, good);
    BOOST_TEST((!keyless && keyless.error().code == Errc::bad_request));
    // At the limits, accepted.
    LeafCertificateSpec limits = good;
    limits.common_name = std::string(128, 'a');
    limits.email = std::string(242, 'm') + "@example.org";
    limits.not_after = limits.not_before + 1s;
    BOOST_TEST(
        issue_leaf_certificate(*token, pki.ca_key, pki.ca.get(), guest.get(), limits).has_value());
}

BOOST_FIXTURE_TEST_CASE(a_certificate_that_cannot_issue_is_refused, test::OpenToken) {
    const Pki pki = make_pki(*token, KeyAlgorithm::ec_p256);
    const PublicKey guest = guest_key(*token, 7);
    const LeafCertificateSpec spec = spec_for("Marie Dupont");
    const PublicKey ca_public = *token->public_key(pki.ca_key);
    const X509Ptr leaf = parse(issue(*token, pki, guest.get(), spec).der);
    const X509Ptr no_constraints =
        make_ca_certificate("no basicConstraints", ca_public.get(), pki.root.get(),
                            pki.root_key.get(), CaProfile{nullptr});
    const X509Ptr not_a_ca =
        make_ca_certificate("CA:FALSE", ca_public.get(), pki.root.get(), pki.root_key.get(),
                            CaProfile{"critical,CA:FALSE"});
    const X509Ptr no_cert_sign =
        make_ca_certificate("no keyCertSign", ca_public.get(), pki.root.get(), pki.root_key.get(),
                            CaProfile{"critical,CA:TRUE", "critical,digitalSignature"});
    const X509Ptr no_key_id = make_ca_certificate(
        "no subjectKeyIdentifier", ca_public.get(), pki.root.get(), pki.root_key.get(),
        CaProfile{"critical,CA:TRUE", "critical,keyCertSign", false});
    for (X509* ca :
         {leaf.get(), no_constraints.get(), not_a_ca.get(), no_cert_sign.get(), no_key_id.get()}) {
        BOOST_TEST_CONTEXT(common_name(ca)) {
            const auto issued = issue_leaf_certificate(*token, pki.ca_key, ca, guest.get(), spec);
            BOOST_REQUIRE(!issued);
            BOOST_TEST(issued.error().code == Errc::bad_request, issued.error().message);
        }
    }
    BOOST_TEST(
        (issue_leaf_certificate(*token, pki.ca_key, nullptr, guest.get(), spec).error().code ==
         Errc::bad_request));
}

BOOST_FIXTURE_TEST_CASE(a_ca_key_that_is_not_the_certificates_is_caught, test::OpenToken) {
    const Pki pki = make_pki(*token, KeyAlgorithm::ec_p256);
    const PublicKey guest = guest_key(*token, 8);
    const LeafCertificateSpec spec = spec_for("Marie Dupont");
    // Another EC key of the token signs: the result is refused, not handed out.
    const KeyId other{0xCA, 0xFF};
    BOOST_REQUIRE(token->generate_key_pair(KeyAlgorithm::ec_p256, other, "another CA"));
    const auto wrong = issue_leaf_certificate(*token, other, pki.ca.get(), guest.get(), spec);
    BOOST_REQUIRE(!wrong);
    BOOST_TEST(wrong.error().code == Errc::invalid_certificate, wrong.error().message);
    // A key the token does not have.
    const auto missing =
        issue_leaf_certificate(*token, KeyId{0xCA, 0xEE}, pki.ca.get(), guest.get(), spec);
    BOOST_REQUIRE(!missing);
    BOOST_TEST(missing.error().code == Errc::not_found, missing.error().message);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::hsm
