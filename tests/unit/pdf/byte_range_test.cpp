// Finding and fixing PoDoFo's placeholder in the written bytes.

#include <boost/test/unit_test.hpp>

#include <string_view>

#include <openssl/evp.h>

#include "pdf/byte_range.hpp"
#include "tests/support/pdf_fixtures.hpp"
#include "tests/support/need.hpp"

namespace signet::pdf::test {
namespace {
using signet::test::need;

const std::string placeholder = "/ByteRange[ 0 1234567890 1234567890 1234567890]/Contents<";

std::vector<std::uint8_t> bytes_of(const std::string& text) {
    return std::vector<std::uint8_t>(text.begin(), text.end());
}

std::string_view text_of(const std::vector<std::uint8_t>& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

const std::string original_part = "%PDF-1.4 original part\n%%EOF\n";

// An update with one signature dictionary of `size` bytes, to follow `original_part`.
std::string update(std::size_t size, const std::string& between = {}) {
    return "11 0 obj<</Type/Sig" + placeholder.substr(0, placeholder.find("/Contents")) + between +
           placeholder.substr(placeholder.find("/Contents")) + std::string(2 * size, '0') +
           ">/Filter/Adobe.PPKLite>>\nendobj\nxref\n...trailer\n%%EOF\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(byte_range_test)

BOOST_AUTO_TEST_CASE(the_placeholder_is_found_and_patched_in_place) {
    auto bytes = bytes_of(update(16));
    const std::size_t size_before = bytes.size();
    auto placeholder_found = patch_byte_range(bytes, original_part.size(), 16);
    BOOST_REQUIRE_MESSAGE(placeholder_found, signet::test::error_of(placeholder_found));
    const auto& r = placeholder_found->byte_range;
    // The offsets are in the signed file, original + update.
    std::string text = original_part + std::string(text_of(bytes));
    BOOST_TEST(bytes.size() == size_before);
    BOOST_TEST(r[0] == 0u);
    BOOST_TEST(text[r[1]] == '<');
    BOOST_TEST(text[r[2] - 1] == '>');
    BOOST_TEST(r[2] - r[1] == 34u);
    BOOST_TEST(r[2] + r[3] == text.size());
    BOOST_TEST(placeholder_found->contents_offset == r[1] + 1);
    BOOST_TEST(placeholder_found->contents_size == 16u);
    std::string expected = "/ByteRange[0 " + std::to_string(r[1]) + " " + std::to_string(r[2]) +
                           " " + std::to_string(r[3]);
    expected.resize(placeholder.find("/Contents") - 1, ' ');
    expected += "]/Contents<";
    BOOST_TEST(text.find(expected) != std::string_view::npos, expected);
}

BOOST_AUTO_TEST_CASE(the_digest_covers_both_ranges_of_original_and_update) {
    const auto original = bytes_of(original_part);
    auto bytes = bytes_of(update(4));
    auto found = patch_byte_range(bytes, original.size(), 4);
    BOOST_REQUIRE(found);
    auto digest = byte_range_digest(original, bytes, found->byte_range);
    BOOST_REQUIRE(digest);
    const std::string file = original_part + std::string(text_of(bytes));
    std::string covered = file.substr(0, found->byte_range[1]) + file.substr(found->byte_range[2]);
    std::array<std::uint8_t, 32> expected{};
    unsigned int length = 0;
    EVP_Digest(covered.data(), covered.size(), expected.data(), &length, EVP_sha256(), nullptr);
    BOOST_TEST((*digest == expected));
    // Any split of the same file between the two parts hashes the same.
    for (std::size_t split : {std::size_t{0}, std::size_t{7}, file.size() - 3, file.size()}) {
        BOOST_TEST_CONTEXT("split at " << split) {
            auto again = byte_range_digest(bytes_of(file.substr(0, split)), bytes_of(file.substr(split)),
                                           found->byte_range);
            BOOST_REQUIRE(again);
            BOOST_TEST((*again == expected));
        }
    }
    BOOST_TEST(!byte_range_digest(original, bytes, {0, 10, file.size() - 5, 10}));
    BOOST_TEST(!byte_range_digest(original, bytes, {0, file.size() + 1, 0, 0}));
}

// One pass over the original: the document's digest, the ByteRange's and the signed file's from
// copies of the state agree with hashing each of them whole.
BOOST_AUTO_TEST_CASE(a_prefix_digest_gives_the_three_digests_of_a_seal) {
    const auto original = bytes_of(original_part);
    auto bytes = bytes_of(update(4));
    auto found = patch_byte_range(bytes, original.size(), 4);
    BOOST_REQUIRE(found);
    auto prefix = need(PrefixDigest::of(original));
    BOOST_TEST(prefix.size() == original.size());
    auto sha = [](std::string_view text) {
        std::array<std::uint8_t, 32> out{};
        unsigned int length = 0;
        EVP_Digest(text.data(), text.size(), out.data(), &length, EVP_sha256(), nullptr);
        return out;
    };
    BOOST_TEST((prefix.digest() == sha(original_part)));
    const std::string file = original_part + std::string(text_of(bytes));
    BOOST_TEST((need(prefix.followed_by(bytes)) == sha(file)));
    BOOST_TEST((need(prefix.byte_range(bytes, found->byte_range)) ==
                need(byte_range_digest(original, bytes, found->byte_range))));
    // Each digest can be taken again: the state itself is never finished.
    BOOST_TEST((need(prefix.followed_by(bytes)) == sha(file)));
    // A range that does not begin with the whole original, or does not end the file, is refused.
    BOOST_TEST(!prefix.byte_range(bytes, {0, 10, file.size() - 5, 5}));
    BOOST_TEST(!prefix.byte_range(bytes, {0, original.size() + 2, original.size() + 4, 3}));
}

BOOST_AUTO_TEST_CASE(anything_but_one_clean_placeholder_is_an_internal_error) {
    // None.
    auto bytes = bytes_of("11 0 obj<</Type/Sig>>\nendobj\n");
    BOOST_TEST(!patch_byte_range(bytes, 10, 4));
    // A key between /ByteRange and /Contents (NOTES trap 3).
    bytes = bytes_of(update(4, "/Cert(x)"));
    auto result = patch_byte_range(bytes, 10, 4);
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::internal);
    // Two of them.
    bytes = bytes_of(update(4) + update(4));
    BOOST_TEST(!patch_byte_range(bytes, 10, 4));
    // A different size than asked, or not zeros.
    bytes = bytes_of(update(4));
    BOOST_TEST(!patch_byte_range(bytes, 10, 5));
    BOOST_TEST(!patch_byte_range(bytes, 10, 3));
    std::string dirty = update(4);
    dirty[dirty.find("<00") + 3] = '1';
    bytes = bytes_of(dirty);
    BOOST_TEST(!patch_byte_range(bytes, 10, 4));
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
