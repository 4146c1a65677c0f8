// embed(): a byte patch that either writes the whole CMS as hex or changes nothing.

#include <boost/test/unit_test.hpp>

#include <string_view>

#include "pdf/prepare.hpp"
#include "tests/support/pdf_fixtures.hpp"
#include "tests/support/need.hpp"

namespace signet::pdf::test {
namespace {

// An update "head<" + 2 * size zeros + ">tail" to a 100-byte original, as prepare() leaves
// it.
constexpr std::size_t original_size = 100;
PreparedDocument placeholder_document(std::size_t size) {
    PreparedDocument document;
    std::string text = "head<" + std::string(2 * size, '0') + ">tail";
    document.original_size = original_size;
    document.update.assign(text.begin(), text.end());
    document.contents_offset = original_size + 5;
    document.contents_size = size;
    document.byte_range = {0, original_size + 4, original_size + 5 + 2 * size + 1, 4};
    return document;
}

std::string_view text_of(const PreparedDocument& document) {
    return {reinterpret_cast<const char*>(document.update.data()), document.update.size()};
}

std::vector<std::uint8_t> hex_decode(std::string_view hex) {
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        bytes.push_back(
            static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    }
    return bytes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(embed_test)

BOOST_AUTO_TEST_CASE(writes_hex_and_leaves_the_rest_zero) {
    auto document = placeholder_document(8);
    const std::vector<std::uint8_t> cms{0x30, 0x03, 0x02, 0x01, 0xAB};
    BOOST_REQUIRE(embed(document, cms));
    BOOST_TEST(text_of(document) == "head<30030201AB000000>tail");
}

BOOST_AUTO_TEST_CASE(an_exact_fit_fills_the_placeholder) {
    auto document = placeholder_document(3);
    const std::vector<std::uint8_t> cms{0xFF, 0x00, 0x7E};
    BOOST_REQUIRE(embed(document, cms));
    BOOST_TEST(text_of(document) == "head<FF007E>tail");
}

BOOST_AUTO_TEST_CASE(too_large_fails_and_changes_nothing) {
    auto document = placeholder_document(4);
    const auto before = document.update;
    const std::vector<std::uint8_t> cms(5, 0x11);
    auto result = embed(document, cms);
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::internal);
    BOOST_TEST(result.error().message ==
               "the signature (5 bytes) does not fit the reserved 4 bytes");
    BOOST_TEST(document.update == before, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_second_embed_leaves_no_tail_of_the_first) {
    auto document = placeholder_document(4);
    BOOST_REQUIRE(embed(document, std::vector<std::uint8_t>{1, 2, 3, 4}));
    BOOST_REQUIRE(embed(document, std::vector<std::uint8_t>{9}));
    BOOST_TEST(text_of(document) == "head<09000000>tail");
}

BOOST_AUTO_TEST_CASE(a_document_whose_offsets_are_wrong_is_refused_untouched) {
    const std::vector<std::uint8_t> cms{1};
    // In the original, at its last byte, off by one either way, beyond the update.
    for (std::size_t offset : {std::size_t{0}, std::size_t{5}, original_size, original_size + 4,
                               original_size + 6, original_size + 1000}) {
        BOOST_TEST_CONTEXT("offset " << offset) {
            auto document = placeholder_document(4);
            document.contents_offset = offset;
            const auto before = document.update;
            auto result = embed(document, cms);
            BOOST_REQUIRE(!result);
            BOOST_TEST(result.error().code == Errc::internal);
            BOOST_TEST(document.update == before, boost::test_tools::per_element());
        }
    }
    auto document = placeholder_document(4);
    document.contents_size = 5;  // claims one byte more than the bytes hold
    BOOST_TEST(!embed(document, cms));
}

BOOST_AUTO_TEST_CASE(the_embedded_cms_verifies_over_the_byte_range) {
    TempDir dir("signet-pdf-embed");
    Pki pki = make_pki("rsa-3072", 1);
    make_groff(dir / "in.pdf");
    auto prepared = prepare(dir / "in.pdf", invisible_request(pki));
    BOOST_REQUIRE_MESSAGE(prepared, signet::test::error_of(prepared));
    auto cms =
        build_cades_signature(prepared->digest, pki.signer(), software_signer(pki.key.get()));
    BOOST_REQUIRE_MESSAGE(cms, signet::test::error_of(cms));
    const auto original = read_bytes(dir / "in.pdf");
    const auto before = joined(original, *prepared);
    BOOST_REQUIRE(embed(*prepared, *cms));
    const auto after = joined(original, *prepared);

    // Only the inside of <...> changed.
    const auto& r = prepared->byte_range;
    BOOST_TEST(std::equal(after.begin(), after.begin() + static_cast<long>(r[1] + 1), before.begin()));
    BOOST_TEST(std::equal(after.begin() + static_cast<long>(r[2] - 1), after.end(),
                          before.begin() + static_cast<long>(r[2] - 1)));
    // The hex decodes to the CMS followed by zeros.
    auto decoded = hex_decode(text_of(*prepared).substr(prepared->contents_offset - original.size(),
                                                        2 * prepared->contents_size));
    BOOST_TEST(std::equal(cms->begin(), cms->end(), decoded.begin()));
    BOOST_TEST(std::all_of(decoded.begin() + static_cast<long>(cms->size()), decoded.end(),
                           [](std::uint8_t b) { return b == 0; }));

    // openssl cms -verify over the two ranges of the final file.
    check_cms(dir, pki, after, *prepared, *cms);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
