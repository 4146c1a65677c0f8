#include "devpki/dev_crl.hpp"

#include <boost/test/unit_test.hpp>

#include <array>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>

#include <openssl/x509v3.h>

#include "devpki/dev_pki.hpp"
#include "tests/support/need.hpp"
#include "tests/support/temp_dir.hpp"

using namespace signet::devpki;
using signet::test::TempDir;

namespace {

struct Ca {
    Key key;
    Cert cert;
};

Ca make_ca(const std::string& name) {
    auto key = generate_key("ec-p256");
    BOOST_REQUIRE(key);
    CertificateSpec spec;
    spec.common_name = name;
    spec.usage = Usage::ca;
    auto cert = issue(spec, key->get(), nullptr, key->get());
    BOOST_REQUIRE_MESSAGE(cert, signet::test::error_of(cert));
    return Ca{std::move(*key), std::move(*cert)};
}

Cert leaf(const Ca& ca, const std::string& name) {
    auto key = generate_key("ec-p256");
    BOOST_REQUIRE(key);
    CertificateSpec spec;
    spec.common_name = name;
    spec.usage = Usage::signing;
    auto cert = issue(spec, key->get(), ca.cert.get(), ca.key.get());
    BOOST_REQUIRE_MESSAGE(cert, signet::test::error_of(cert));
    return std::move(*cert);
}

long crl_number(X509_CRL* crl) {
    std::unique_ptr<ASN1_INTEGER, signet::SslDeleter<&ASN1_INTEGER_free>> number(
        static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, nullptr, nullptr)));
    BOOST_REQUIRE(number);
    return ASN1_INTEGER_get(number.get());
}

bool lists(X509_CRL* crl, X509* cert) {
    X509_REVOKED* entry = nullptr;
    return X509_CRL_get0_by_serial(crl, &entry, X509_get0_serialNumber(cert)) == 1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_empty_crl_is_signed_by_its_ca_and_valid_for_the_days_asked) {
    Ca ca = make_ca("CRL CA");
    auto crl = next_crl(ca.cert.get(), ca.key.get(), nullptr, {}, std::chrono::days(30));
    BOOST_REQUIRE_MESSAGE(crl, signet::test::error_of(crl));
    BOOST_TEST(X509_CRL_verify(crl->get(), X509_get0_pubkey(ca.cert.get())) == 1);
    BOOST_TEST(X509_NAME_cmp(X509_CRL_get_issuer(crl->get()), X509_get_subject_name(ca.cert.get())) == 0);
    BOOST_TEST(X509_CRL_get_REVOKED(crl->get()) == nullptr);  // no entries: no list at all
    BOOST_TEST(crl_number(crl->get()) == 1);
    int days = 0;
    int seconds = 0;
    BOOST_REQUIRE(ASN1_TIME_diff(&days, &seconds, X509_CRL_get0_lastUpdate(crl->get()),
                                 X509_CRL_get0_nextUpdate(crl->get())) == 1);
    BOOST_TEST(days == 30);
    // An authority key identifier, so that a validator finds the CA among several of one name.
    BOOST_TEST(X509_CRL_get_ext_by_NID(crl->get(), NID_authority_key_identifier, -1) >= 0);
}

BOOST_AUTO_TEST_CASE(the_next_crl_keeps_the_entries_adds_the_revoked_and_counts_up) {
    TempDir dir;
    Ca ca = make_ca("CRL CA");
    Cert first = leaf(ca, "first");
    Cert second = leaf(ca, "second");
    Cert kept = leaf(ca, "kept");
    std::array<X509*, 1> revoke_first{first.get()};
    auto one = next_crl(ca.cert.get(), ca.key.get(), nullptr, revoke_first, std::chrono::days(7));
    BOOST_REQUIRE_MESSAGE(one, signet::test::error_of(one));
    BOOST_REQUIRE(write_crl(dir / "ca.crl", one->get()));
    auto read = read_crl(dir / "ca.crl");
    BOOST_REQUIRE_MESSAGE(read, signet::test::error_of(read));

    // Revoking `first` again lists it once.
    std::array<X509*, 2> revoke_more{second.get(), first.get()};
    auto two = next_crl(ca.cert.get(), ca.key.get(), read->get(), revoke_more, std::chrono::days(7));
    BOOST_REQUIRE_MESSAGE(two, signet::test::error_of(two));
    BOOST_TEST(X509_CRL_verify(two->get(), X509_get0_pubkey(ca.cert.get())) == 1);
    BOOST_TEST(crl_number(two->get()) == 2);
    BOOST_TEST(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(two->get())) == 2);
    BOOST_TEST(lists(two->get(), first.get()));
    BOOST_TEST(lists(two->get(), second.get()));
    BOOST_TEST(!lists(two->get(), kept.get()));
    BOOST_REQUIRE(write_crl(dir / "ca.crl", two->get()));  // replaces the file
    auto reread = read_crl(dir / "ca.crl");
    BOOST_REQUIRE(reread);
    BOOST_TEST(crl_number(reread->get()) == 2);
    BOOST_TEST(!std::filesystem::exists(dir / "ca.crl.partial"));
}

BOOST_AUTO_TEST_CASE(a_certificate_of_another_ca_or_another_cas_crl_is_refused) {
    Ca ca = make_ca("CRL CA");
    Ca other = make_ca("Other CA");
    Cert stranger = leaf(other, "stranger");
    std::array<X509*, 1> revoke{stranger.get()};
    auto refused = next_crl(ca.cert.get(), ca.key.get(), nullptr, revoke, std::chrono::days(7));
    BOOST_REQUIRE(!refused);
    BOOST_TEST((refused.error().code == signet::Errc::invalid_certificate));

    auto others = next_crl(other.cert.get(), other.key.get(), nullptr, {}, std::chrono::days(7));
    BOOST_REQUIRE(others);
    auto mixed = next_crl(ca.cert.get(), ca.key.get(), others->get(), {}, std::chrono::days(7));
    BOOST_REQUIRE(!mixed);
    BOOST_TEST(mixed.error().message.find("not this CA's") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(revocation_urls_go_into_the_certificate) {
    Ca ca = make_ca("CRL CA");
    auto key = generate_key("ec-p256");
    BOOST_REQUIRE(key);
    CertificateSpec spec;
    spec.common_name = "with urls";
    spec.usage = Usage::signing;
    spec.ocsp_url = "http://127.0.0.1:1/ocsp";
    spec.crl_url = "http://127.0.0.1:1/ca.crl";
    auto cert = issue(spec, key->get(), ca.cert.get(), ca.key.get());
    BOOST_REQUIRE(cert);
    std::unique_ptr<STACK_OF(OPENSSL_STRING), decltype(&X509_email_free)> ocsp(X509_get1_ocsp(cert->get()),
                                                                              X509_email_free);
    BOOST_REQUIRE(ocsp);
    BOOST_REQUIRE(sk_OPENSSL_STRING_num(ocsp.get()) == 1);
    BOOST_TEST(std::string(sk_OPENSSL_STRING_value(ocsp.get(), 0)) == spec.ocsp_url);
    std::unique_ptr<CRL_DIST_POINTS, signet::SslDeleter<&CRL_DIST_POINTS_free>> points(
        static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(cert->get(), NID_crl_distribution_points, nullptr, nullptr)));
    BOOST_REQUIRE(points);
    BOOST_REQUIRE(sk_DIST_POINT_num(points.get()) == 1);
    const GENERAL_NAMES* names = sk_DIST_POINT_value(points.get(), 0)->distpoint->name.fullname;
    const GENERAL_NAME* uri = sk_GENERAL_NAME_value(names, 0);
    BOOST_REQUIRE(uri->type == GEN_URI);
    BOOST_TEST(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri->d.uniformResourceIdentifier))) ==
               spec.crl_url);

    auto plain = issue([] {
        CertificateSpec s;
        s.common_name = "plain";
        s.usage = Usage::signing;
        return s;
    }(), key->get(), ca.cert.get(), ca.key.get());
    BOOST_REQUIRE(plain);
    BOOST_TEST(X509_get_ext_by_NID(plain->get(), NID_info_access, -1) < 0);
    BOOST_TEST(X509_get_ext_by_NID(plain->get(), NID_crl_distribution_points, -1) < 0);
}
