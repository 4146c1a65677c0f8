// read_token (timestamp/token_info.hpp) on tokens issue_token made, and on the same tokens with
// their genTime rewritten: a GeneralizedTime may say any year up to 9999, beyond what the
// system clock holds (found by tests/fuzz/timestamp_token_fuzz.cpp: the conversion overflowed).

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/obj_mac.h>

#include "devpki/dev_pki.hpp"
#include "tests/support/pdf_fixtures.hpp"
#include "timestamp/token.hpp"
#include "timestamp/token_info.hpp"

namespace signet::timestamp::test {
namespace {

// 2026-01-02T03:04:05Z, as a GeneralizedTime's text.
constexpr std::string_view issued_text = "20260102030405Z";

// A token issued at issued_text by a self-signed TSA certificate.
std::vector<std::uint8_t> issued_token() {
    auto key = devpki::generate_key("ec-p256");
    BOOST_REQUIRE(key);
    devpki::CertificateSpec spec;
    spec.common_name = "signet test TSA";
    spec.usage = devpki::Usage::time_stamping;
    auto certificate = devpki::issue(spec, key->get(), nullptr, key->get());
    BOOST_REQUIRE(certificate);
    TokenFields fields;
    fields.policy_oid = "1.3.6.1.4.1.57264.7.1";
    fields.serial = {0x01, 0x02};
    fields.gen_time = std::chrono::sys_days{std::chrono::year{2026} / 1 / 2} +
                      std::chrono::hours{3} + std::chrono::minutes{4} + std::chrono::seconds{5};
    fields.hash_nid = NID_sha256;
    fields.imprint = std::vector<std::uint8_t>(32, 0xab);
    auto token = issue_token(fields, cms::Signer{certificate->get(), {}},
                             pdf::test::software_signer(key->get()));
    BOOST_REQUIRE_MESSAGE(token, (token ? "" : token.error().message));
    return *token;
}

// `token` with its genTime's text replaced by `text` (same length): the signature no longer
// verifies, which read_token does not check.
std::vector<std::uint8_t> with_gen_time(std::vector<std::uint8_t> token, std::string_view text) {
    auto at = std::search(token.begin(), token.end(), issued_text.begin(), issued_text.end());
    BOOST_REQUIRE(at != token.end());
    std::copy(text.begin(), text.end(), at);
    return token;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(token_info)

BOOST_AUTO_TEST_CASE(reads_the_gen_time_of_an_issued_token) {
    auto info = read_token(issued_token());
    BOOST_REQUIRE(info);
    BOOST_TEST(info->gen_time_text == "2026-01-02T03:04:05Z");
    BOOST_TEST(info->policy_oid == "1.3.6.1.4.1.57264.7.1");
}

BOOST_AUTO_TEST_CASE(gen_times_the_clock_cannot_hold_are_refused) {
    const auto token = issued_token();
    for (std::string_view text :
         {"99991231235959Z", "22630101000000Z", "16770101000000Z", "00010101000000Z"}) {
        BOOST_TEST_CONTEXT(text) {
            auto info = read_token(with_gen_time(token, text));
            BOOST_REQUIRE(!info);
            BOOST_TEST(static_cast<int>(info.error().code) == static_cast<int>(Errc::bad_request));
            BOOST_TEST(info.error().message.find("genTime is outside") != std::string::npos);
        }
    }
    // The ends that fit are read.
    auto late = read_token(with_gen_time(token, "22620101000000Z"));
    BOOST_REQUIRE(late);
    BOOST_TEST(late->gen_time_text == "2262-01-01T00:00:00Z");
    auto early = read_token(with_gen_time(token, "16780101000000Z"));
    BOOST_REQUIRE(early);
    BOOST_TEST(early->gen_time_text == "1678-01-01T00:00:00Z");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::timestamp::test
