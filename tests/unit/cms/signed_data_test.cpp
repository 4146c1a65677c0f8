// load_pem_certificates: one or many certificates, text around them, and the damaged ones.

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "base/x509_encoding.hpp"
#include "cms/signed_data.hpp"
#include "tests/support/pdf_fixtures.hpp"
#include "tests/support/need.hpp"

namespace signet::cms::test {
using pdf::test::make_pki;
using pdf::test::Pki;

BOOST_AUTO_TEST_SUITE(signed_data_test)

BOOST_AUTO_TEST_CASE(pem_certificates_load_one_or_many) {
    Pki pki = make_pki("ec-p256", 1);
    auto as_bytes = [](const std::string& text) {
        return std::vector<std::uint8_t>(text.begin(), text.end());
    };
    auto pem = [](X509* cert) {
        auto text = signet::to_pem(cert);
        BOOST_REQUIRE(text);
        return *text;
    };
    auto one = load_pem_certificates(as_bytes(pem(pki.cert.get())));
    BOOST_REQUIRE_MESSAGE(one, signet::test::error_of(one));
    BOOST_TEST(one->size() == 1u);
    BOOST_TEST(X509_cmp((*one)[0].get(), pki.cert.get()) == 0);

    auto three = load_pem_certificates(as_bytes("leading text\n" + pem(pki.cert.get()) +
                                                pem(pki.intermediates[0].get()) + "between\n" +
                                                pem(pki.root.get())));
    BOOST_REQUIRE_MESSAGE(three, signet::test::error_of(three));
    BOOST_TEST(three->size() == 3u);
    BOOST_TEST(X509_cmp((*three)[2].get(), pki.root.get()) == 0);

    for (std::string bad : {std::string(), std::string("no certificate here\n"),
                            std::string("-----BEGIN CERTIFICATE-----\nAAAA!!!!\n"
                                        "-----END CERTIFICATE-----\n")}) {
        auto result = load_pem_certificates(as_bytes(bad));
        BOOST_REQUIRE(!result);
        BOOST_TEST(result.error().code == Errc::invalid_certificate);
        BOOST_TEST_MESSAGE(result.error().message);
    }
    // A damaged certificate after a good one is an error, not a silent shorter list.
    std::string damaged = pem(pki.root.get());
    damaged.replace(damaged.find('\n') + 10, 4, "****");
    auto mixed = load_pem_certificates(as_bytes(pem(pki.cert.get()) + damaged));
    BOOST_REQUIRE(!mixed);
    BOOST_TEST(mixed.error().code == Errc::invalid_certificate);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::cms::test
