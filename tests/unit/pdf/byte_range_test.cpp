// Finding and fixing PoDoFo's placeholder in the written bytes.

#include <boost/test/unit_test.hpp>

#include <string_view>

#include <openssl/evp.h>

#include "pdf/byte_range.hpp"
#include "tests/unit/pdf/fixtures.hpp"

namespace signet::pdf::test {
namespace {

const std::string placeholder = "/ByteRange[ 0 1234567890 1234567890 1234567890]/Contents<";

std::vector<std::uint8_t> bytes_of(const std::string& text) {
    return std::vector<std::uint8_t>(text.begin(), text.end());
}

std::string_view text_of(const std::vector<std::uint8_t>& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// An "original" part and an "update" with one signature dictionary of `size` bytes.
std::string document(std::size_t size, const std::string& between = {}) {
    return "%PDF-1.4 original part\n%%EOF\n11 0 obj<</Type/Sig" +
           placeholder.substr(0, placeholder.find("/Contents")) + between +
           placeholder.substr(placeholder.find("/Contents")) + std::string(2 * size, '0') +
           ">/Filter/Adobe.PPKLite>>\nendobj\nxref\n...trailer\n%%EOF\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(byte_range_test)

BOOST_AUTO_TEST_CASE(the_placeholder_is_found_and_patched_in_place) {
    auto bytes = bytes_of(document(16));
    const std::size_t size_before = bytes.size();
    auto placeholder_found = patch_byte_range(bytes, 10, 16);
    BOOST_REQUIRE_MESSAGE(placeholder_found, placeholder_found.error().message);
    const auto& r = placeholder_found->byte_range;
    std::string_view text = text_of(bytes);
    BOOST_TEST(bytes.size() == size_before);
    BOOST_TEST(r[0] == 0u);
    BOOST_TEST(text[r[1]] == '<');
    BOOST_TEST(text[r[2] - 1] == '>');
    BOOST_TEST(r[2] - r[1] == 34u);
    BOOST_TEST(r[2] + r[3] == bytes.size());
    BOOST_TEST(placeholder_found->contents_offset == r[1] + 1);
    BOOST_TEST(placeholder_found->contents_size == 16u);
    std::string expected = "/ByteRange[0 " + std::to_string(r[1]) + " " + std::to_string(r[2]) +
                           " " + std::to_string(r[3]);
    expected.resize(placeholder.find("/Contents") - 1, ' ');
    expected += "]/Contents<";
    BOOST_TEST(text.find(expected) != std::string_view::npos, expected);
}

BOOST_AUTO_TEST_CASE(the_digest_covers_both_ranges) {
    auto bytes = bytes_of(document(4));
    auto found = patch_byte_range(bytes, 0, 4);
    BOOST_REQUIRE(found);
    auto digest = byte_range_digest(bytes, found->byte_range);
    BOOST_REQUIRE(digest);
    std::string covered(text_of(bytes).substr(0, found->byte_range[1]));
    covered += text_of(bytes).substr(found->byte_range[2]);
    std::array<std::uint8_t, 32> expected{};
    unsigned int length = 0;
    EVP_Digest(covered.data(), covered.size(), expected.data(), &length, EVP_sha256(), nullptr);
    BOOST_TEST((*digest == expected));
    BOOST_TEST(!byte_range_digest(bytes, {0, 10, bytes.size() - 5, 10}));
    BOOST_TEST(!byte_range_digest(bytes, {0, bytes.size() + 1, 0, 0}));
}

BOOST_AUTO_TEST_CASE(anything_but_one_clean_placeholder_is_an_internal_error) {
    // None after the start of the update.
    auto bytes = bytes_of(document(4));
    BOOST_TEST(!patch_byte_range(bytes, bytes.size() - 10, 4));
    BOOST_TEST(!patch_byte_range(bytes, bytes.size() + 1, 4));
    // A key between /ByteRange and /Contents (NOTES trap 3).
    bytes = bytes_of(document(4, "/Cert(x)"));
    auto result = patch_byte_range(bytes, 0, 4);
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::internal);
    // Two of them.
    bytes = bytes_of(document(4) + document(4));
    BOOST_TEST(!patch_byte_range(bytes, 0, 4));
    // The first one before the update is not ours.
    bytes = bytes_of(document(4) + document(4));
    const auto second = document(4).size();
    BOOST_TEST(patch_byte_range(bytes, second, 4).has_value());
    // A different size than asked, or not zeros.
    bytes = bytes_of(document(4));
    BOOST_TEST(!patch_byte_range(bytes, 0, 5));
    BOOST_TEST(!patch_byte_range(bytes, 0, 3));
    std::string dirty = document(4);
    dirty[dirty.find("<00") + 3] = '1';
    bytes = bytes_of(dirty);
    BOOST_TEST(!patch_byte_range(bytes, 0, 4));
}

BOOST_AUTO_TEST_CASE(whitespace_that_pdf_allows_is_accepted) {
    std::string text =
        "%PDF\n1 0 obj<</ByteRange [ 0 1234567890 1234567890 1234567890]\n"
        "/Contents <0000>>>\nendobj\n";
    auto bytes = bytes_of(text);
    auto found = patch_byte_range(bytes, 0, 2);
    BOOST_REQUIRE(found);
    BOOST_TEST(text_of(bytes)[found->byte_range[1]] == '<');
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
