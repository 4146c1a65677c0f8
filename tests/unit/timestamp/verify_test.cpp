// check_response against answers of an independent TSA (`openssl ts -reply` behind
// tests/support/responders/tsa_responder.hpp): a good token passes and reads right; each way a token can
// fail is refused with the right code and a message naming the check. check_tsa_certificate_usage
// against certificates made for each case.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/ssl_ptr.hpp"
#include "base/time.hpp"
#include "devpki/dev_pki.hpp"
#include "tests/support/need.hpp"
#include "tests/support/pdf_fixtures.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/responders/tsa_responder.hpp"
#include "timestamp/request.hpp"
#include "timestamp/verify.hpp"

namespace signet::timestamp::test {
namespace {

using namespace std::chrono_literals;
using signet::test::need;
using signet::test::TempDir;
using signet::test::TsaResponder;
using Mode = TsaResponder::Mode;
using X509Extension = std::unique_ptr<X509_EXTENSION, SslDeleter<&X509_EXTENSION_free>>;

constexpr TsaResponder::Ports test_ports{18400, 18489};

devpki::CertificateSpec spec(std::string name, devpki::Usage usage) {
    devpki::CertificateSpec result;
    result.common_name = std::move(name);
    result.usage = usage;
    return result;
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

std::vector<std::uint8_t> sha256_of(std::string_view data) {
    std::vector<std::uint8_t> digest(EVP_MAX_MD_SIZE);
    unsigned int length = 0;
    BOOST_REQUIRE(
        EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) == 1);
    digest.resize(length);
    return digest;
}

struct Tsa {
    TempDir dir{"signet-tsa-verify"};
    TsaResponder responder{dir.path(), Mode::good, test_ports};

    // What signetd expects for a request over "the document" with a fresh nonce.
    Expectation expectation() const {
        Expectation expected;
        expected.hash_nid = NID_sha256;
        expected.imprint = sha256_of("the document");
        expected.nonce = need(random_nonce());
        expected.trust = responder.ca_pem_path();
        const auto now = std::chrono::system_clock::now();
        expected.not_before = now - 1h;
        expected.not_after = now + 1h;
        return expected;
    }

    std::vector<std::uint8_t> answer_for(const Expectation& expected, Mode mode) {
        responder.set_mode(mode);
        return responder.answer(
            need(make_request(expected.hash_nid, expected.imprint, expected.nonce)));
    }
};

void require_refused(const Result<CheckedToken>& checked, Errc code, std::string_view part) {
    BOOST_REQUIRE_MESSAGE(!checked, "the token was accepted");
    BOOST_TEST(to_string(checked.error().code) == to_string(code));
    BOOST_TEST_MESSAGE(checked.error().message);
    BOOST_TEST(contains(checked.error().message, part),
               checked.error().message << " should name " << part);
}

BOOST_FIXTURE_TEST_SUITE(check_response_tests, Tsa)

BOOST_AUTO_TEST_CASE(a_good_token_passes_and_reads_right) {
    const Expectation expected = expectation();
    const auto response = answer_for(expected, Mode::good);
    const auto checked = check_response(response, expected);
    BOOST_REQUIRE_MESSAGE(checked, (checked ? std::string() : checked.error().message));

    // The serial number as `openssl ts -reply -text` prints it, an independent reading.
    pdf::test::write_bytes(dir / "good.tsr", response);
    const auto text =
        signet::test::run({"openssl", "ts", "-reply", "-in", (dir / "good.tsr").string(), "-text"});
    BOOST_REQUIRE_EQUAL(text.exit_code, 0);
    const TokenInfo& info = checked->info;
    BOOST_TEST(contains(
                   text.output, "Serial number: 0x" +
                                    [&] {
                                        std::string upper = info.serial_hex;
                                        std::transform(
                                            upper.begin(), upper.end(), upper.begin(),
                                            [](unsigned char c) { return std::toupper(c); });
                                        return upper;
                                    }()),
               text.output << " vs " << info.serial_hex);
    BOOST_TEST(info.serial_hex.find_first_not_of("0123456789abcdef") == std::string::npos);
    BOOST_TEST(info.serial_hex.front() != '0');

    const auto now = std::chrono::system_clock::now();
    BOOST_TEST((info.gen_time > now - 5min && info.gen_time < now + 1min));
    BOOST_TEST(info.gen_time_text ==
               format_timestamp(std::chrono::floor<std::chrono::seconds>(info.gen_time)));
    BOOST_TEST(info.gen_time_text.size() == std::string_view("2026-12-05T18:00:00Z").size());
    BOOST_TEST(info.tsa == "CN=signet test TSA,O=signet development");
    BOOST_TEST(info.policy_oid == "1.2.3.4.1");

    // The token is returned as the TSA made it and reads back the same.
    const auto again = read_token(checked->token);
    BOOST_REQUIRE(again);
    BOOST_TEST(again->serial_hex == info.serial_hex);
    BOOST_TEST(again->tsa == info.tsa);

    // A second token has another serial number.
    const auto second = check_response(answer_for(expected, Mode::good), expected);
    BOOST_REQUIRE(second);
    BOOST_TEST(second->info.serial_hex != info.serial_hex);
}

BOOST_AUTO_TEST_CASE(a_token_over_another_imprint_is_refused) {
    const Expectation expected = expectation();
    require_refused(check_response(answer_for(expected, Mode::wrong_imprint), expected),
                    Errc::invalid_certificate, "imprint does not match");
}

BOOST_AUTO_TEST_CASE(a_token_with_another_hash_algorithm_is_refused) {
    Expectation expected = expectation();
    const auto response = answer_for(expected, Mode::good);
    expected.hash_nid = NID_sha384;
    require_refused(check_response(response, expected), Errc::invalid_certificate, "SHA256");
}

BOOST_AUTO_TEST_CASE(a_nonce_mismatch_is_refused) {
    const Expectation asked = expectation();
    const auto response = answer_for(asked, Mode::good);
    Expectation expected = asked;
    expected.nonce = need(random_nonce());
    require_refused(check_response(response, expected), Errc::invalid_certificate, "nonce");
}

BOOST_AUTO_TEST_CASE(a_signer_without_the_eku_is_refused) {
    const Expectation expected = expectation();
    require_refused(check_response(answer_for(expected, Mode::no_eku_signer), expected),
                    Errc::invalid_certificate, "no extendedKeyUsage");
}

BOOST_AUTO_TEST_CASE(an_untrusted_tsa_is_refused) {
    auto key = need(devpki::generate_key("ec-p256"));
    auto other =
        need(devpki::issue(spec("another CA", devpki::Usage::ca), key.get(), nullptr, key.get()));
    need(devpki::write_certificate(dir / "other-ca.pem", other.get()));
    Expectation expected = expectation();
    const auto response = answer_for(expected, Mode::good);
    expected.trust = dir / "other-ca.pem";
    require_refused(check_response(response, expected), Errc::invalid_certificate, "not trusted");
}

BOOST_AUTO_TEST_CASE(a_tampered_signature_is_refused) {
    const Expectation expected = expectation();
    auto response = answer_for(expected, Mode::good);
    // The last byte belongs to the signature value (no unsigned attributes follow it).
    response.back() ^= 0x01;
    require_refused(check_response(response, expected), Errc::invalid_certificate, "signature");
}

BOOST_AUTO_TEST_CASE(a_gen_time_outside_the_window_is_refused) {
    Expectation expected = expectation();
    const auto response = answer_for(expected, Mode::good);
    const auto now = std::chrono::system_clock::now();
    expected.not_before = now - 2h;
    expected.not_after = now - 1h;
    require_refused(check_response(response, expected), Errc::invalid_certificate, "genTime");
    expected.not_before = now + 1h;
    expected.not_after = now + 2h;
    require_refused(check_response(response, expected), Errc::invalid_certificate,
                    "outside the allowed window");
}

BOOST_AUTO_TEST_CASE(a_rejection_is_a_bad_request_quoting_the_status) {
    const Expectation expected = expectation();
    const auto checked = check_response(answer_for(expected, Mode::rejection), expected);
    require_refused(checked, Errc::bad_request, "status rejection");
    BOOST_TEST(contains(checked.error().message, "badAlg"), checked.error().message);
}

BOOST_AUTO_TEST_CASE(garbage_is_a_bad_request) {
    const Expectation expected = expectation();
    require_refused(check_response(answer_for(expected, Mode::garbage), expected),
                    Errc::bad_request, "not a DER TimeStampResp");
    require_refused(check_response({}, expected), Errc::bad_request, "not a TimeStampResp");
}

BOOST_AUTO_TEST_CASE(trailing_bytes_are_a_bad_request) {
    const Expectation expected = expectation();
    auto response = answer_for(expected, Mode::good);
    response.push_back(0);
    require_refused(check_response(response, expected), Errc::bad_request,
                    "not a DER TimeStampResp");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(read_token_refuses_what_is_not_a_token) {
    const std::vector<std::uint8_t> garbage{0x30, 0x03, 0x02, 0x01, 0x01};
    const auto info = read_token(garbage);
    BOOST_REQUIRE(!info);
    BOOST_TEST(to_string(info.error().code) == "bad_request");
    BOOST_TEST(!read_token({}));
}

// check_tsa_certificate_usage: certificates from devpki, some with their extendedKeyUsage
// replaced (the check reads extensions only, so the broken signature does not matter).
struct UsageCertificates {
    devpki::Key ca_key = need(devpki::generate_key("ec-p256"));
    devpki::Cert ca = need(
        devpki::issue(spec("usage CA", devpki::Usage::ca), ca_key.get(), nullptr, ca_key.get()));
    devpki::Key key = need(devpki::generate_key("ec-p256"));

    devpki::Cert issue(devpki::Usage usage) {
        return need(devpki::issue(spec("usage TSA", usage), key.get(), ca.get(), ca_key.get()));
    }

    static void replace_extension(X509* cert, int nid, const char* value) {
        const int position = X509_get_ext_by_NID(cert, nid, -1);
        if (position >= 0) X509_EXTENSION_free(X509_delete_ext(cert, position));
        X509Extension extension(X509V3_EXT_conf_nid(nullptr, nullptr, nid, value));
        BOOST_REQUIRE(extension);
        BOOST_REQUIRE(X509_add_ext(cert, extension.get(), -1) == 1);
    }
};

void require_usage_refused(X509* cert, std::string_view part) {
    const auto status = check_tsa_certificate_usage(cert);
    BOOST_REQUIRE_MESSAGE(!status, "the certificate was accepted");
    BOOST_TEST(to_string(status.error().code) == "invalid_certificate");
    BOOST_TEST(contains(status.error().message, part),
               status.error().message << " should name " << part);
}

BOOST_FIXTURE_TEST_SUITE(tsa_certificate_usage, UsageCertificates)

BOOST_AUTO_TEST_CASE(a_critical_time_stamping_eku_is_accepted) {
    const auto cert = issue(devpki::Usage::time_stamping);
    const auto status = check_tsa_certificate_usage(cert.get());
    BOOST_TEST(status.has_value(), (status ? "" : status.error().message));
}

BOOST_AUTO_TEST_CASE(a_non_critical_eku_is_refused) {
    require_usage_refused(issue(devpki::Usage::time_stamping_noncritical).get(), "not critical");
}

BOOST_AUTO_TEST_CASE(an_eku_with_another_purpose_is_refused) {
    auto cert = issue(devpki::Usage::time_stamping);
    replace_extension(cert.get(), NID_ext_key_usage, "critical,timeStamping,codeSigning");
    require_usage_refused(cert.get(), "timeStamping only");
}

BOOST_AUTO_TEST_CASE(an_eku_without_time_stamping_is_refused) {
    auto cert = issue(devpki::Usage::time_stamping);
    replace_extension(cert.get(), NID_ext_key_usage, "critical,codeSigning");
    require_usage_refused(cert.get(), "timeStamping only");
}

BOOST_AUTO_TEST_CASE(no_eku_is_refused) {
    require_usage_refused(issue(devpki::Usage::signing).get(), "no extendedKeyUsage");
}

BOOST_AUTO_TEST_CASE(a_key_usage_without_signatures_is_refused) {
    auto cert = issue(devpki::Usage::time_stamping);
    replace_extension(cert.get(), NID_key_usage, "critical,keyEncipherment");
    require_usage_refused(cert.get(), "keyUsage");
}

BOOST_AUTO_TEST_CASE(non_repudiation_alone_is_accepted) {
    auto cert = issue(devpki::Usage::time_stamping);
    replace_extension(cert.get(), NID_key_usage, "critical,nonRepudiation");
    BOOST_TEST(check_tsa_certificate_usage(cert.get()).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::timestamp::test
