// OCSP against the real `openssl ocsp` (tests/support/responders/ocsp_responder.hpp): good, revoked,
// POST and GET, responder certificates the issuer did or did not authorise, stale answers, answers
// about another certificate, nonces, and responders that are down or hang.

#include <boost/test/unit_test.hpp>

#include <chrono>

#include "revocation/ocsp.hpp"
#include "tests/support/need.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/revocation/fixture.hpp"

namespace signet::revocation {
namespace {

using namespace std::chrono_literals;
using test::contains;
using test::error_of;

OcspOptions quick() {
    OcspOptions options;
    options.http.connect_timeout = 2000ms;
    options.http.total_timeout = 5000ms;
    return options;
}

BOOST_AUTO_TEST_SUITE(ocsp)

BOOST_FIXTURE_TEST_CASE(good_by_post_checked_by_openssl_too, test::RevocationWorld) {
    const auto status = query_ocsp(pki.ocsp_url(), leaf.get(), ca.get(), test::real_now(), quick());
    BOOST_REQUIRE_MESSAGE(status, error_of(status));
    BOOST_TEST(status->status == CertStatus::good);
    BOOST_TEST(status->source == pki.ocsp_url());
    BOOST_TEST((status->next_update > status->this_update));
    BOOST_TEST(responder.ocsp_requests() == 1u);
    BOOST_TEST(responder.ocsp_get_requests() == 0u);
    // The evidence kept for the DSS is a response openssl itself accepts for this certificate.
    const auto evidence = dir / "evidence.der";
    test::write_file(evidence,
                     std::string(status->evidence_der.begin(), status->evidence_der.end()));
    const auto check = test::run({"openssl", "ocsp", "-no_nonce", "-respin", evidence.string(),
                                  "-CAfile", pki.ca_cert.string(), "-issuer", pki.ca_cert.string(),
                                  "-cert", pki.leaf.string()});
    BOOST_TEST(check.exit_code == 0, check.output);
    BOOST_TEST(contains(check.output, "Response verify OK"), check.output);
    BOOST_TEST(contains(check.output, ": good"), check.output);
}

BOOST_FIXTURE_TEST_CASE(good_by_get, test::RevocationWorld) {
    OcspOptions options = quick();
    options.use_get = true;
    const auto status = query_ocsp(pki.ocsp_url(), leaf.get(), ca.get(), test::real_now(), options);
    BOOST_REQUIRE_MESSAGE(status, error_of(status));
    BOOST_TEST(status->status == CertStatus::good);
    BOOST_TEST(responder.ocsp_get_requests() == 1u);
}

BOOST_AUTO_TEST_CASE(get_url_is_url_encoded_base64) {
    const std::vector<std::uint8_t> der{0xfb, 0xff};  // base64 "+/8="
    BOOST_TEST(ocsp_get_url("http://h/ocsp", der) == "http://h/ocsp/%2B%2F8%3D");
    BOOST_TEST(ocsp_get_url("http://h/", der) == "http://h/%2B%2F8%3D");
}

BOOST_FIXTURE_TEST_CASE(revoked_with_time_and_reason, test::RevocationWorld) {
    pki.revoke(pki.leaf, "keyCompromise");
    const auto status = query_ocsp(pki.ocsp_url(), leaf.get(), ca.get(), test::real_now(), quick());
    BOOST_REQUIRE_MESSAGE(status, error_of(status));
    BOOST_TEST(status->status == CertStatus::revoked);
    BOOST_TEST(status->reason == 1);  // keyCompromise
    BOOST_REQUIRE(status->revocation_time.has_value());
    BOOST_TEST((*status->revocation_time <= test::real_now() + 60s));
    // The other leaf is untouched.
    const auto other = query_ocsp(pki.ocsp_url(), leaf2.get(), ca.get(), test::real_now(), quick());
    BOOST_REQUIRE_MESSAGE(other, error_of(other));
    BOOST_TEST(other->status == CertStatus::good);
}

BOOST_FIXTURE_TEST_CASE(the_ca_itself_may_answer, test::RevocationWorld) {
    responder.configure(pki, pki.ca_cert, pki.ca_key);
    const auto status = query_ocsp(pki.ocsp_url(), leaf.get(), ca.get(), test::real_now(), quick());
    BOOST_REQUIRE_MESSAGE(status, error_of(status));
    BOOST_TEST(status->status == CertStatus::good);
}

BOOST_FIXTURE_TEST_CASE(a_responder_without_ocsp_signing_is_refused, test::RevocationWorld) {
    responder.configure(pki, pki.plain_cert, pki.plain_key);
    const auto status = query_ocsp(pki.ocsp_url(), leaf.get(), ca.get(), test::real_now(), quick());
    BOOST_REQUIRE(!status);
    BOOST_TEST(contains(status.error().message, "id-kp-OCSPSigning"), status.error().message);
}

BOOST_FIXTURE_TEST_CASE(a_responder_of_another_ca_is_refused, test::RevocationWorld) {
    responder.configure(pki, pki.other_ca_cert, pki.other_ca_key);
    const auto status = query_ocsp(pki.ocsp_url(), leaf.get(), ca.get(), test::real_now(), quick());
    BOOST_REQUIRE(!status);
    BOOST_TEST(contains(status.error().message, "neither the issuer nor certified by it"),
               status.error().message);
}

BOOST_FIXTURE_TEST_CASE(a_stale_response_is_refused, test::RevocationWorld) {
    responder.configure(pki, pki.responder_cert, pki.responder_key, 1);  // nextUpdate in 1 min
    const auto status =
        query_ocsp(pki.ocsp_url(), leaf.get(), ca.get(), test::real_now() + 1h, quick());
    BOOST_REQUIRE(!status);
    BOOST_TEST(contains(status.error().message, "stale"), status.error().message);
}

BOOST_FIXTURE_TEST_CASE(no_next_update_gets_a_bounded_lifetime, test::RevocationWorld) {
    responder.configure(pki, pki.responder_cert, pki.responder_key, 0);
    OcspOptions options = quick();
    const auto status = query_ocsp(pki.ocsp_url(), leaf.get(), ca.get(), test::real_now(), options);
    BOOST_REQUIRE_MESSAGE(status, error_of(status));
    BOOST_TEST((status->next_update == status->this_update + options.lifetime_without_next_update));
    const auto later =
        query_ocsp(pki.ocsp_url(), leaf.get(), ca.get(), test::real_now() + 2h, options);
    BOOST_REQUIRE(!later);
    BOOST_TEST(contains(later.error().message, "no nextUpdate"), later.error().message);
}

BOOST_FIXTURE_TEST_CASE(a_response_about_another_serial_is_refused, test::RevocationWorld) {
    const auto status = query_ocsp(pki.ocsp_url(), leaf.get(), ca.get(), test::real_now(), quick());
    BOOST_REQUIRE_MESSAGE(status, error_of(status));
    const auto other = check_ocsp_response(status->evidence_der, leaf2.get(), ca.get(), nullptr,
                                           test::real_now(), quick());
    BOOST_REQUIRE(!other);
    BOOST_TEST(contains(other.error().message, "no status for serial"), other.error().message);
}

BOOST_FIXTURE_TEST_CASE(a_nonce_that_does_not_match_is_refused, test::RevocationWorld) {
    const auto status = query_ocsp(pki.ocsp_url(), leaf.get(), ca.get(), test::real_now(), quick());
    BOOST_REQUIRE_MESSAGE(status, error_of(status));
    // The response echoes the first request's nonce; a second request has another one.
    const auto second = test::need(make_ocsp_request(leaf.get(), ca.get(), true));
    const auto replayed = check_ocsp_response(status->evidence_der, leaf.get(), ca.get(),
                                              second.request.get(), test::real_now(), quick());
    BOOST_REQUIRE(!replayed);
    BOOST_TEST(contains(replayed.error().message, "nonce"), replayed.error().message);
    // Without a nonce in the request, the response is accepted as it stands.
    const auto plain = test::need(make_ocsp_request(leaf.get(), ca.get(), false));
    const auto accepted = check_ocsp_response(status->evidence_der, leaf.get(), ca.get(),
                                              plain.request.get(), test::real_now(), quick());
    BOOST_TEST(accepted.has_value(), error_of(accepted));
}

BOOST_FIXTURE_TEST_CASE(a_forged_byte_breaks_the_signature, test::RevocationWorld) {
    const auto status = query_ocsp(pki.ocsp_url(), leaf.get(), ca.get(), test::real_now(), quick());
    BOOST_REQUIRE_MESSAGE(status, error_of(status));
    auto forged = status->evidence_der;
    forged[forged.size() - 3] ^= 0x01;  // inside the responder certificate or the signature
    const auto checked =
        check_ocsp_response(forged, leaf.get(), ca.get(), nullptr, test::real_now(), quick());
    BOOST_TEST(!checked.has_value());
}

BOOST_AUTO_TEST_CASE(a_responder_that_is_down_is_reported) {
    test::TempDir dir("signet-revocation");
    const std::uint16_t port = test::unused_port(test::first_port, test::last_port);
    test::TestPki pki(dir / "pki", port);
    const auto leaf = test::load_cert(pki.leaf);
    const auto ca = test::load_cert(pki.ca_cert);
    const auto status = query_ocsp(pki.ocsp_url(), leaf.get(), ca.get(), test::real_now(), quick());
    BOOST_REQUIRE(!status);
    BOOST_TEST((status.error().code == Errc::unavailable));
    BOOST_TEST(contains(status.error().message, "connection refused"), status.error().message);
}

BOOST_FIXTURE_TEST_CASE(a_hung_responder_times_out, test::RevocationWorld) {
    responder.set_mode(test::OcspResponder::Mode::hang);
    OcspOptions options = quick();
    options.http.total_timeout = 800ms;
    const auto start = std::chrono::steady_clock::now();
    const auto status = query_ocsp(pki.ocsp_url(), leaf.get(), ca.get(), test::real_now(), options);
    const auto took = std::chrono::steady_clock::now() - start;
    BOOST_REQUIRE(!status);
    BOOST_TEST(contains(status.error().message, "timed out"), status.error().message);
    BOOST_TEST((took < 3s));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::revocation
