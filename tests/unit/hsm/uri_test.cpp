#include "hsm/uri.hpp"

#include <boost/test/unit_test.hpp>

namespace signet::hsm {
namespace {

BOOST_AUTO_TEST_SUITE(uri)

BOOST_AUTO_TEST_CASE(recognises_the_scheme) {
    BOOST_TEST(is_pkcs11_uri("pkcs11:token=a"));
    BOOST_TEST(is_pkcs11_uri("PKCS11:token=a"));
    BOOST_TEST(is_pkcs11_uri("pkcs11:"));
    BOOST_TEST(!is_pkcs11_uri("pkcs11"));
    BOOST_TEST(!is_pkcs11_uri("seal-token"));
    BOOST_TEST(!is_pkcs11_uri(""));
}

BOOST_AUTO_TEST_CASE(parses_token_attributes) {
    const auto uri = parse_token_uri(
        "pkcs11:token=Seal%20token;manufacturer=SoftHSM%20project;serial=0a1b2c;model=SoftHSM%"
        "20v2");
    BOOST_REQUIRE(uri);
    BOOST_TEST(*uri->token == "Seal token");
    BOOST_TEST(*uri->manufacturer == "SoftHSM project");
    BOOST_TEST(*uri->serial == "0a1b2c");
    BOOST_TEST(*uri->model == "SoftHSM v2");
}

BOOST_AUTO_TEST_CASE(absent_attributes_match_anything) {
    const auto uri = parse_token_uri("pkcs11:serial=42");
    BOOST_REQUIRE(uri);
    BOOST_TEST(!uri->token);
    BOOST_TEST(uri->matches("any label", "any maker", "42", "any model"));
    BOOST_TEST(!uri->matches("any label", "any maker", "43", "any model"));
    const auto everything = parse_token_uri("pkcs11:");
    BOOST_REQUIRE(everything);
    BOOST_TEST(everything->matches("a", "b", "c", "d"));
}

BOOST_AUTO_TEST_CASE(matching_is_exact) {
    const auto uri = parse_token_uri("pkcs11:token=seal");
    BOOST_REQUIRE(uri);
    BOOST_TEST(uri->matches("seal", "", "", ""));
    BOOST_TEST(!uri->matches("Seal", "", "", ""));
    BOOST_TEST(!uri->matches("seal2", "", "", ""));
    BOOST_TEST(!uri->matches("sea", "", "", ""));
}

BOOST_AUTO_TEST_CASE(object_attributes_and_query_are_ignored) {
    const auto uri = parse_token_uri(
        "pkcs11:token=seal;object=seal%20key;id=%01%02;type=private;slot-id=3"
        "?pin-value=secret&module-path=/tmp/evil.so");
    BOOST_REQUIRE(uri);
    BOOST_TEST(*uri->token == "seal");
    BOOST_TEST(!uri->serial);
}

BOOST_AUTO_TEST_CASE(decodes_reserved_and_binary_characters) {
    const auto uri = parse_token_uri("pkcs11:token=a%3Bb%3dc%25d%2f%C3%A9");
    BOOST_REQUIRE(uri);
    BOOST_TEST(*uri->token == "a;b=c%d/\xC3\xA9");
}

BOOST_AUTO_TEST_CASE(refuses_malformed_uris) {
    for (const char* bad :
         {"token=seal", "pkcs11:token=seal;", "pkcs11:token", "pkcs11:=seal",
          "pkcs11:token=a;token=b", "pkcs11:token=%", "pkcs11:token=%4", "pkcs11:token=%zz",
          "pkcs11:tokne=seal", "pkcs11:x-vendor=1", "pkcs11:token=a;;serial=b"}) {
        const auto uri = parse_token_uri(bad);
        BOOST_TEST(!uri, bad);
        if (!uri) BOOST_TEST((uri.error().code == Errc::bad_request), bad);
    }
}

BOOST_AUTO_TEST_CASE(errors_do_not_echo_the_query) {
    const auto uri = parse_token_uri("pkcs11:token=%zz?pin-value=hunter2");
    BOOST_REQUIRE(!uri);
    BOOST_TEST(uri.error().message.find("hunter2") == std::string::npos);
    BOOST_TEST(uri.error().message.find("token") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(percent_decoding) {
    BOOST_TEST(*percent_decode("") == "");
    BOOST_TEST(*percent_decode("plain") == "plain");
    BOOST_TEST(*percent_decode("%41%62c") == "Abc");
    BOOST_TEST(percent_decode("%00").value() == std::string(1, '\0'));
    BOOST_TEST(!percent_decode("abc%"));
    BOOST_TEST(!percent_decode("%g0"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::hsm
