// TOTP through liboath against RFC 6238's own test vectors, and the otpauth URI an
// authenticator app reads.

#include "persons/totp.hpp"

#include <boost/test/unit_test.hpp>

namespace {

using signet::Secret;
using signet::daemon::otpauth_uri;
using signet::daemon::totp_code;
using signet::daemon::totp_step_of;

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII "12345678901234567890".
Secret rfc_seed() { return Secret("12345678901234567890"); }

signet::Timestamp at(long long unix_seconds) {
    return signet::Timestamp(std::chrono::seconds(unix_seconds));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(totp)

BOOST_AUTO_TEST_CASE(codes_match_rfc_6238_appendix_b) {
    // The RFC's 8-digit values, of which a 6-digit code is the last six digits.
    const std::pair<long long, std::string> vectors[] = {
        {59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}};
    for (const auto& [time, code] : vectors) {
        auto made = totp_code(rfc_seed(), time / 30);
        BOOST_REQUIRE(made);
        BOOST_TEST(*made == code);
        auto step = totp_step_of(rfc_seed(), code, at(time));
        BOOST_REQUIRE(step);
        BOOST_TEST(step->value_or(-1) == time / 30);
    }
}

BOOST_AUTO_TEST_CASE(one_step_of_drift_either_side_and_no_more) {
    const auto code = *totp_code(rfc_seed(), 1000);
    BOOST_TEST(totp_step_of(rfc_seed(), code, at(1000 * 30 + 31))->value_or(-1) == 1000);
    BOOST_TEST(totp_step_of(rfc_seed(), code, at(1000 * 30 - 1))->value_or(-1) == 1000);
    BOOST_TEST(!totp_step_of(rfc_seed(), code, at(1000 * 30 + 61))->has_value());
    BOOST_TEST(!totp_step_of(rfc_seed(), code, at(1000 * 30 - 31))->has_value());
}

BOOST_AUTO_TEST_CASE(malformed_codes_match_nothing) {
    for (const std::string code : {"", "28708", "2870822", "28708a", " 287082", "287 82"}) {
        auto step = totp_step_of(rfc_seed(), code, at(59));
        BOOST_REQUIRE(step);
        BOOST_TEST(!step->has_value(), code);
    }
}

BOOST_AUTO_TEST_CASE(the_uri_carries_the_base32_seed_and_an_encoded_label) {
    auto uri = otpauth_uri(rfc_seed(), "signet", "marie durand@cabinet");
    BOOST_REQUIRE(uri);
    BOOST_TEST(*uri == "otpauth://totp/signet:marie%20durand%40cabinet?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                       "&issuer=signet&algorithm=SHA1&digits=6&period=30");
}

BOOST_AUTO_TEST_CASE(new_seeds_are_twenty_random_bytes) {
    auto first = signet::daemon::new_totp_seed();
    auto second = signet::daemon::new_totp_seed();
    BOOST_REQUIRE(first);
    BOOST_REQUIRE(second);
    BOOST_TEST(first->size() == 20U);
    BOOST_TEST((first->reveal() != second->reveal()));
}

BOOST_AUTO_TEST_SUITE_END()
