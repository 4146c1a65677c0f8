// What a DSS gets from a chain and its statuses (revocation/evidence.hpp): each certificate once,
// the OCSP response with the delegated responder's certificate it carries, the CRL.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>

#include "base/x509_encoding.hpp"
#include "revocation/evidence.hpp"
#include "revocation/revocation_checker.hpp"
#include "tests/support/need.hpp"
#include "tests/unit/revocation/fixture.hpp"

namespace signet::revocation {
namespace {

using namespace std::chrono_literals;
using test::error_of;

bool holds(const std::vector<Der>& list, X509* certificate) {
    auto der = to_der(certificate);
    return der && std::find(list.begin(), list.end(), Der(der->begin(), der->end())) != list.end();
}

BOOST_AUTO_TEST_SUITE(evidence)

BOOST_FIXTURE_TEST_CASE(chains_responses_and_crls_each_once, test::RevocationWorld) {
    const SystemClock clock;
    CheckerOptions options;
    options.ocsp.http.connect_timeout = 2000ms;
    options.ocsp.http.total_timeout = 5000ms;
    RevocationChecker checker(options, clock);
    const auto by_ocsp = checker.check(leaf.get(), ca.get());
    BOOST_REQUIRE_MESSAGE(by_ocsp, error_of(by_ocsp));

    EvidenceSet set;
    X509* chain[] = {leaf.get(), ca.get(), leaf.get()};
    BOOST_REQUIRE(add_certificates(set, chain).has_value());
    BOOST_TEST(set.certificates.size() == 2u);
    BOOST_REQUIRE(add_status(set, *by_ocsp).has_value());
    BOOST_REQUIRE(add_status(set, *by_ocsp).has_value());
    BOOST_TEST(set.ocsp_responses.size() == 1u);
    BOOST_TEST((set.ocsp_responses.front() == by_ocsp->evidence_der));
    // The delegated responder signed it: its certificate travels with the response.
    const X509Ptr responder_cert = test::load_cert(pki.responder_cert);
    BOOST_TEST(holds(set.certificates, responder_cert.get()));
    BOOST_TEST(set.certificates.size() == 3u);

    pki.make_crl(dir / "ca.crl", 24);
    CheckerOptions files;
    files.use_ocsp = false;
    files.use_crl_urls = false;
    files.crl_files = {dir / "ca.crl"};
    RevocationChecker crl_checker(files, clock);
    const auto by_crl = crl_checker.check(leaf_none.get(), ca.get());
    BOOST_REQUIRE_MESSAGE(by_crl, error_of(by_crl));
    BOOST_REQUIRE(add_status(set, *by_crl).has_value());
    BOOST_REQUIRE(add_status(set, *by_crl).has_value());
    BOOST_TEST(set.crls.size() == 1u);
    BOOST_TEST(set.ocsp_responses.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::revocation
