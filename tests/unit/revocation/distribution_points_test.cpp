// The AIA OCSP URLs and CDP URLs that `openssl ca` wrote into the test certificates.

#include <boost/test/unit_test.hpp>

#include "revocation/distribution_points.hpp"
#include "tests/unit/revocation/fixture.hpp"

namespace signet::revocation {
namespace {

BOOST_AUTO_TEST_SUITE(distribution_points)

BOOST_AUTO_TEST_CASE(urls_from_aia_and_cdp) {
    test::TempDir dir("signet-revocation");
    test::TestPki pki(dir / "pki", 19499);
    const auto leaf = test::load_cert(pki.leaf);
    const auto cdp_only = test::load_cert(pki.leaf_cdp);
    const auto none = test::load_cert(pki.leaf_none);
    BOOST_TEST(ocsp_urls(leaf.get()) == std::vector<std::string>{pki.ocsp_url()},
               boost::test_tools::per_element());
    BOOST_TEST(crl_urls(leaf.get()) == std::vector<std::string>{pki.crl_url()},
               boost::test_tools::per_element());
    BOOST_TEST(ocsp_urls(cdp_only.get()).empty());
    BOOST_TEST(crl_urls(cdp_only.get()).size() == 1u);
    BOOST_TEST(ocsp_urls(none.get()).empty());
    BOOST_TEST(crl_urls(none.get()).empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::revocation
