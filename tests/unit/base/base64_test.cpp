#include "base/base64.hpp"

#include <boost/test/unit_test.hpp>

namespace {

std::vector<std::uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(base64)

// RFC 4648 §10 test vectors.
BOOST_AUTO_TEST_CASE(rfc4648_vectors_round_trip) {
    const std::vector<std::pair<std::string, std::string>> vectors = {
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, encoded] : vectors) {
        BOOST_TEST(signet::base64_encode(bytes(plain)) == encoded);
        auto decoded = signet::base64_decode(encoded);
        BOOST_REQUIRE(decoded);
        BOOST_TEST((*decoded == bytes(plain)));
    }
}

BOOST_AUTO_TEST_CASE(large_input_crosses_chunks) {
    std::vector<std::uint8_t> data(9 * 1024 * 1024 + 7);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31);
    auto decoded = signet::base64_decode(signet::base64_encode(data));
    BOOST_REQUIRE(decoded);
    BOOST_TEST((*decoded == data));
}

BOOST_AUTO_TEST_CASE(malformed_text_is_refused) {
    for (const char* bad : {"Zg=", "Zm9v!g==", "Zm 9v", "Z===", "=Zm9", "Zm9v\n"}) {
        auto decoded = signet::base64_decode(bad);
        BOOST_TEST(!decoded, bad);
        if (!decoded) BOOST_TEST(static_cast<int>(decoded.error().code) == static_cast<int>(signet::Errc::bad_request));
    }
}

BOOST_AUTO_TEST_CASE(hex_round_trip_and_refusals) {
    std::vector<std::uint8_t> data = {0x00, 0x7f, 0xff, 0x10};
    BOOST_TEST(signet::hex_encode(data) == "007fff10");
    auto decoded = signet::hex_decode("007FfF10");
    BOOST_REQUIRE(decoded);
    BOOST_TEST((*decoded == data));
    BOOST_TEST(!signet::hex_decode("abc"));
    BOOST_TEST(!signet::hex_decode("zz"));
}

BOOST_AUTO_TEST_CASE(sha256_of_abc) {
    // FIPS 180-2 appendix B.1.
    BOOST_TEST(signet::sha256_hex(bytes("abc")) ==
               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_SUITE_END()
