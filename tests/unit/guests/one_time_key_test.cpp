// A guest's one-time key: made in the token as a session object (the token's own objects do
// not change), certified by the development guest CA for an hour with the guest's name and
// e-mail, able to sign, and gone after destroy() or with the object.

#include <boost/test/unit_test.hpp>
#include <openssl/x509v3.h>

#include "guests/one_time_key.hpp"
#include "tests/support/dev_installation.hpp"

namespace {

using namespace signet;
using signet::test::DevInstallation;
using signet::test::need;

daemon::Guest guest() {
    daemon::Guest guest;
    guest.id = "g-0123";
    guest.email = "marie@example.fr";
    guest.name = "Marie-Hélène Dupré";
    return guest;
}

std::string text_of(const ASN1_STRING* text) {
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)), static_cast<std::size_t>(ASN1_STRING_length(text)));
}

BOOST_FIXTURE_TEST_CASE(a_one_time_key_is_certified_for_the_guest_and_destroyed, DevInstallation) {
    auto guest_ca = guest_ca_slot.get();
    BOOST_REQUIRE(guest_ca);
    const auto now = clock.now();
    auto made = need(daemon::OneTimeKey::make(*token, *guest_ca, hsm::KeyAlgorithm::ec_p256, guest(), now));
    auto key = made->key();
    X509* certificate = key->certificate.get();

    // Subject CN and e-mail, one hour, the guest CA as issuer, a non-CA signing certificate.
    char cn[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, cn, sizeof cn);
    BOOST_TEST(std::string(cn) == "Marie-Hélène Dupré");
    std::unique_ptr<GENERAL_NAMES, decltype(&GENERAL_NAMES_free)> names(
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)), GENERAL_NAMES_free);
    BOOST_REQUIRE(names);
    BOOST_REQUIRE(sk_GENERAL_NAME_num(names.get()) == 1);
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), 0);
    BOOST_TEST(name->type == GEN_EMAIL);
    BOOST_TEST(text_of(name->d.rfc822Name) == "marie@example.fr");
    BOOST_TEST((key->validity.not_before == now));
    BOOST_TEST((key->validity.not_after == now + std::chrono::hours(1)));
    BOOST_TEST(X509_NAME_cmp(X509_get_issuer_name(certificate), X509_get_subject_name(guest_ca->certificate.get())) == 0);
    BOOST_TEST(X509_check_ca(certificate) == 0);
    BOOST_TEST((X509_get_key_usage(certificate) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) ==
               (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION));
    BOOST_TEST(X509_verify(certificate, X509_get0_pubkey(guest_ca->certificate.get())) == 1);
    BOOST_REQUIRE(key->chain.size() >= 1U);
    BOOST_TEST(X509_cmp(key->chain.front().get(), guest_ca->certificate.get()) == 0);
    BOOST_TEST(!made->certificate_serial().empty());

    // It signs, and the signature verifies with the certificate's key.
    const std::vector<std::uint8_t> data{'s', 'i', 'g', 'n', 'e', 't'};
    auto signature = need(token->sign(key->id, data));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    BOOST_REQUIRE(EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, X509_get0_pubkey(certificate)) == 1);
    BOOST_TEST(EVP_DigestVerify(context.get(), signature.data(), signature.size(), data.data(), data.size()) == 1);

    BOOST_TEST(made->destroy().has_value());
    auto after = token->sign(key->id, data);
    BOOST_REQUIRE(!after.has_value());
    BOOST_TEST((after.error().code == Errc::not_found));
}

BOOST_FIXTURE_TEST_CASE(a_one_time_key_goes_with_its_object_when_the_job_fails, DevInstallation) {
    hsm::KeyId id;
    {
        auto made = need(daemon::OneTimeKey::make(*token, *guest_ca_slot.get(), hsm::KeyAlgorithm::rsa_2048, guest(), clock.now()));
        id = made->key()->id;
        BOOST_TEST(token->public_key(id).has_value());
    }
    auto gone = token->public_key(id);
    BOOST_REQUIRE(!gone.has_value());
    BOOST_TEST((gone.error().code == Errc::not_found));
}

BOOST_FIXTURE_TEST_CASE(two_one_time_keys_have_different_serials, DevInstallation) {
    auto first = need(daemon::OneTimeKey::make(*token, *guest_ca_slot.get(), hsm::KeyAlgorithm::ec_p256, guest(), clock.now()));
    auto second = need(daemon::OneTimeKey::make(*token, *guest_ca_slot.get(), hsm::KeyAlgorithm::ec_p256, guest(), clock.now()));
    BOOST_TEST(first->certificate_serial() != second->certificate_serial());
    BOOST_TEST((first->key()->id != second->key()->id));
}

}  // namespace
