#include "image/png_reader.hpp"

#include <algorithm>

#include <zlib.h>

#include <boost/test/unit_test.hpp>

#include "image/logo_image.hpp"
#include "tests/support/image_fixtures.hpp"

using namespace signet::image;
using namespace signet::image::test;
using signet::Errc;

namespace {

// 8-bit samples of one channel of a w x h image: a pattern that differs per pixel and channel.
std::vector<std::uint16_t> pattern(std::size_t count, unsigned modulo = 256) {
    std::vector<std::uint16_t> values(count);
    for (std::size_t i = 0; i < count; ++i)
        values[i] = static_cast<std::uint16_t>((i * 37 + 11) % modulo);
    return values;
}

// The channels [first, first + count) of every pixel of interleaved 8-bit samples.
Bytes channels(const std::vector<std::uint16_t>& samples, unsigned per_pixel, unsigned first,
               unsigned count) {
    Bytes out;
    for (std::size_t i = 0; i < samples.size(); i += per_pixel) {
        for (unsigned c = first; c < first + count; ++c)
            out.push_back(static_cast<std::uint8_t>(samples[i + c]));
    }
    return out;
}

// A small palette image: its indices, its palette (RGB) and tRNS.
PngSpec palette_png(std::uint8_t depth) {
    PngSpec spec{.width = 7, .height = 3, .bit_depth = depth, .colour_type = png_palette};
    const unsigned entries = 1u << depth < 16 ? 1u << depth : 16;
    for (unsigned e = 0; e < entries; ++e) {
        spec.palette.insert(spec.palette.end(),
                            {static_cast<std::uint8_t>(e * 15), static_cast<std::uint8_t>(200 - e),
                             static_cast<std::uint8_t>(e * 7 + 3)});
    }
    spec.trns = {0, 85, 170};  // entries past the third are opaque (§11.3.2.1)
    spec.trns.resize(std::min<std::size_t>(spec.trns.size(), entries));
    spec.samples = pattern(std::size_t{spec.width} * spec.height, entries);
    return spec;
}

void check_palette(std::uint8_t depth) {
    const PngSpec spec = palette_png(depth);
    auto logo = decode_logo(encode_png(spec));
    BOOST_REQUIRE_MESSAGE(logo, logo.error().message);
    BOOST_TEST((logo->colour == Colour::rgb));
    const std::size_t pixels = std::size_t{spec.width} * spec.height;
    const Bytes rgb = inflate(logo->data, pixels * 3);
    const Bytes alpha = inflate(logo->alpha, pixels);
    for (std::size_t i = 0; i < pixels; ++i) {
        const unsigned index = spec.samples[i];
        BOOST_TEST(alpha[i] == (index < spec.trns.size() ? spec.trns[index] : 255), "pixel " << i);
        for (unsigned c = 0; c < 3; ++c)
            BOOST_TEST(rgb[i * 3 + c] == spec.palette[index * 3 + c], "pixel " << i);
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(png_reader)

BOOST_AUTO_TEST_CASE(rgba_with_partial_alpha_keeps_its_mask) {
    PngSpec spec{.width = 5, .height = 4, .colour_type = png_rgba};
    spec.samples = pattern(5 * 4 * 4);
    for (std::size_t i = 3; i < spec.samples.size(); i += 4)
        spec.samples[i] = static_cast<std::uint16_t>(i * 13 % 256);
    auto logo = decode_logo(encode_png(spec));
    BOOST_REQUIRE_MESSAGE(logo, logo.error().message);
    BOOST_TEST((logo->format == Format::png));
    BOOST_TEST(logo->width == 5u);
    BOOST_TEST(logo->height == 4u);
    BOOST_TEST((logo->colour == Colour::rgb));
    BOOST_TEST(!logo->inverted_cmyk);
    const Bytes alpha = inflate(logo->alpha, 20);
    BOOST_TEST(alpha == channels(spec.samples, 4, 3, 1), boost::test_tools::per_element());
    // Colour under alpha 0 carries no information, and libpng may change it: compare the rest.
    const Bytes rgb = inflate(logo->data, 60);
    const Bytes expected = channels(spec.samples, 4, 0, 3);
    for (std::size_t i = 0; i < 20; ++i) {
        if (alpha[i] == 0) continue;
        for (std::size_t c = 0; c < 3; ++c)
            BOOST_TEST(rgb[i * 3 + c] == expected[i * 3 + c], "pixel " << i);
    }
}

BOOST_AUTO_TEST_CASE(opaque_rgb_has_no_mask) {
    PngSpec spec{.width = 6, .height = 3, .colour_type = png_rgb};
    spec.samples = pattern(6 * 3 * 3);
    auto logo = decode_logo(encode_png(spec));
    BOOST_REQUIRE_MESSAGE(logo, logo.error().message);
    BOOST_TEST(logo->alpha.empty());
    BOOST_TEST(inflate(logo->data, 54) == channels(spec.samples, 3, 0, 3),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(rgba_fully_opaque_drops_the_mask) {
    PngSpec spec{.width = 3, .height = 3, .colour_type = png_rgba};
    spec.samples = pattern(3 * 3 * 4);
    for (std::size_t i = 3; i < spec.samples.size(); i += 4) spec.samples[i] = 255;
    auto logo = decode_logo(encode_png(spec));
    BOOST_REQUIRE_MESSAGE(logo, logo.error().message);
    BOOST_TEST(logo->alpha.empty());
    BOOST_TEST(inflate(logo->data, 27) == channels(spec.samples, 4, 0, 3),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(gray_with_alpha_splits_into_gray_and_mask) {
    PngSpec spec{.width = 4, .height = 2, .colour_type = png_gray_alpha};
    spec.samples = pattern(4 * 2 * 2);
    for (std::size_t i = 1; i < spec.samples.size(); i += 2)
        spec.samples[i] = static_cast<std::uint16_t>(40 + i);
    auto logo = decode_logo(encode_png(spec));
    BOOST_REQUIRE_MESSAGE(logo, logo.error().message);
    BOOST_TEST((logo->colour == Colour::gray));
    BOOST_TEST(inflate(logo->data, 8) == channels(spec.samples, 2, 0, 1),
               boost::test_tools::per_element());
    BOOST_TEST(inflate(logo->alpha, 8) == channels(spec.samples, 2, 1, 1),
               boost::test_tools::per_element());
}

// PoDoFo 0.9.8's own loader unpacks sub-8-bit palette indices in the wrong order.
BOOST_AUTO_TEST_CASE(palette_with_trns_at_2_bits) { check_palette(2); }
BOOST_AUTO_TEST_CASE(palette_with_trns_at_8_bits) { check_palette(8); }
BOOST_AUTO_TEST_CASE(palette_with_trns_at_1_and_4_bits) {
    check_palette(1);
    check_palette(4);
}

// Without gAMA or sRGB, a 16-bit file is read as sRGB like an 8-bit one (browsers do the
// same), not as linear light, which would make it lighter.
BOOST_AUTO_TEST_CASE(gray_16_bit_becomes_8_bit) {
    PngSpec spec{.width = 5, .height = 1, .bit_depth = 16, .colour_type = png_gray};
    spec.samples = {0x0000, 0xffff, 0x8080, 0x1234, 0xfefe};
    auto logo = decode_logo(encode_png(spec));
    BOOST_REQUIRE_MESSAGE(logo, logo.error().message);
    BOOST_TEST((logo->colour == Colour::gray));
    BOOST_TEST(logo->alpha.empty());
    const Bytes expected = {0x00, 0xff, 0x80, 0x12, 0xfe};
    BOOST_TEST(inflate(logo->data, 5) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(gray_at_low_bit_depths_is_scaled_to_8_bits) {
    PngSpec spec{.width = 9, .height = 2, .bit_depth = 4, .colour_type = png_gray};
    spec.samples = pattern(18, 16);
    auto logo = decode_logo(encode_png(spec));
    BOOST_REQUIRE_MESSAGE(logo, logo.error().message);
    const Bytes gray = inflate(logo->data, 18);
    for (std::size_t i = 0; i < 18; ++i) BOOST_TEST(gray[i] == spec.samples[i] * 17, "pixel " << i);
}

BOOST_AUTO_TEST_CASE(interlaced_rgba_is_read_whole) {
    PngSpec spec{.width = 13, .height = 11, .colour_type = png_rgba, .interlaced = true};
    spec.samples = pattern(13 * 11 * 4);
    for (std::size_t i = 3; i < spec.samples.size(); i += 4)
        spec.samples[i] = static_cast<std::uint16_t>(100 + i % 155);
    auto logo = decode_logo(encode_png(spec));
    BOOST_REQUIRE_MESSAGE(logo, logo.error().message);
    BOOST_TEST(inflate(logo->data, 13 * 11 * 3) == channels(spec.samples, 4, 0, 3),
               boost::test_tools::per_element());
    BOOST_TEST(inflate(logo->alpha, 13 * 11) == channels(spec.samples, 4, 3, 1),
               boost::test_tools::per_element());
}

// The largest accepted logo: the samples come back whole (16 MiB from a few KB of zlib).
BOOST_AUTO_TEST_CASE(gray_4096_square_is_accepted) {
    PngSpec spec{.width = max_side, .height = max_side, .colour_type = png_gray};
    spec.samples.assign(std::size_t{max_side} * max_side, 0);
    const Bytes png = encode_png(spec);
    BOOST_TEST(png.size() < 64 * 1024u);
    auto logo = decode_logo(png);
    BOOST_REQUIRE_MESSAGE(logo, logo.error().message);
    BOOST_TEST(logo->width == max_side);
    BOOST_TEST(logo->height == max_side);
    BOOST_TEST(logo->alpha.empty());
    const Bytes gray = inflate(logo->data, std::size_t{max_side} * max_side);
    BOOST_TEST(
        (std::count(gray.begin(), gray.end(), 0) == static_cast<std::ptrdiff_t>(gray.size())));
}

BOOST_AUTO_TEST_CASE(declared_60000_square_is_too_large_before_any_pixel) {
    // 57 bytes that declare 10.8 GB of RGB samples, and hold none.
    check_refused(decode_logo(png_header_only(60000, 60000)), Errc::too_large,
                  "the logo declares 60000 x 60000 pixels; the limit is 4096 x 4096");
}

BOOST_AUTO_TEST_CASE(one_pixel_past_the_limit_is_too_large) {
    PngSpec spec{.width = max_side + 1, .height = 1, .colour_type = png_gray};
    spec.samples.assign(max_side + 1, 7);
    check_refused(decode_logo(encode_png(spec)), Errc::too_large, "4097 x 1");
    check_refused(decode_logo(png_header_only(1, 4097)), Errc::too_large, "1 x 4097");
}

BOOST_AUTO_TEST_CASE(zero_sides_are_invalid) {
    check_refused(decode_logo(png_header_only(0, 0)), Errc::invalid_document, "0 x 0");
    check_refused(decode_logo(png_header_only(5, 0)), Errc::invalid_document, "5 x 0");
}

BOOST_AUTO_TEST_CASE(truncated_png_is_invalid) {
    PngSpec spec{.width = 40, .height = 40, .colour_type = png_rgb};
    spec.samples = pattern(40 * 40 * 3);
    Bytes png = encode_png(spec);
    png.resize(png.size() / 2);
    check_refused(decode_logo(png), Errc::invalid_document, "truncated");
    png.resize(20);  // inside IHDR
    check_refused(decode_logo(png), Errc::invalid_document, "truncated");
}

BOOST_AUTO_TEST_CASE(missing_iend_is_truncated) {
    PngSpec spec{.width = 4, .height = 4, .colour_type = png_gray};
    spec.samples = pattern(16);
    Bytes png = encode_png(spec);
    png.resize(png.size() - 12);
    check_refused(decode_logo(png), Errc::invalid_document, "truncated");
}

BOOST_AUTO_TEST_CASE(bad_crc_of_idat_is_invalid) {
    PngSpec spec{.width = 8, .height = 8, .colour_type = png_rgb};
    spec.samples = pattern(8 * 8 * 3);
    Bytes png = encode_png(spec);
    const std::size_t idat = find_png_chunk(png, "IDAT");
    const std::size_t length = (std::size_t{png[idat - 6]} << 8) | png[idat - 5];  // < 64 KiB
    Bytes bad_crc = png;
    bad_crc[idat + length] ^= 0x01;  // data kept, CRC changed
    check_refused(decode_logo(bad_crc), Errc::invalid_document,
                  "the logo's PNG data is invalid: IDAT: CRC error");
    png[idat + 3] ^= 0x40;  // data changed, CRC kept: zlib finds it first
    check_refused(decode_logo(png), Errc::invalid_document,
                  "the logo's PNG data is invalid: IDAT: ");
}

BOOST_AUTO_TEST_CASE(corrupt_idat_with_right_crc_is_invalid) {
    const Bytes garbage = {0x78, 0x9c, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x00, 0x11};
    Bytes png = png_header_only(8, 8);
    const Bytes idat = png_chunk("IDAT", garbage);
    png.insert(png.end() - 12, idat.begin(), idat.end());
    check_refused(decode_logo(png), Errc::invalid_document, "the logo's PNG data is invalid: ");
}

BOOST_AUTO_TEST_CASE(not_enough_image_data_is_invalid) {
    PngSpec spec{.width = 8, .height = 8, .colour_type = png_rgb};
    spec.samples = pattern(8 * 8 * 3);
    const Bytes full = encode_png(spec);
    PngSpec small = spec;
    small.height = 2;
    small.samples.resize(8 * 2 * 3);
    Bytes png = encode_png(small);
    // The IHDR of the 8-row image, the IDAT of the 2-row one.
    std::copy(full.begin() + 8, full.begin() + 33, png.begin() + 8);
    check_refused(decode_logo(png), Errc::invalid_document, "the logo's PNG data is invalid: ");
}

BOOST_AUTO_TEST_CASE(no_image_data_is_invalid) {
    check_refused(decode_logo(png_header_only(4096, 4096)), Errc::invalid_document,
                  "no image data (IDAT)");
}

// Deflate expands at most 1032 times: 40 bytes cannot hold 4096 x 4096 RGB pixels.
BOOST_AUTO_TEST_CASE(too_little_image_data_for_the_size_is_refused_before_allocation) {
    Bytes png = png_header_only(4096, 4096);
    const Bytes idat = png_chunk("IDAT", Bytes(40, 0));
    png.insert(png.end() - 12, idat.begin(), idat.end());
    check_refused(decode_logo(png), Errc::invalid_document,
                  "holds 40 bytes of image data, too few for its declared 4096 x 4096 pixels");
}

BOOST_AUTO_TEST_CASE(first_chunk_other_than_ihdr_is_invalid) {
    Bytes png = png_header_only(4, 4);
    png[12] = 'X';
    check_refused(decode_logo(png), Errc::invalid_document, "IHDR");
}

BOOST_AUTO_TEST_CASE(huge_iccp_chunk_is_refused_before_libpng) {
    PngSpec spec{.width = 2, .height = 2, .colour_type = png_rgb};
    spec.samples = pattern(12);
    Bytes profile = {'s', 'R', 'G', 'B', 0, 0};  // name, separator, compression method
    profile.resize(400 * 1000, 0x5a);
    spec.extra_chunks.emplace_back("iCCP", profile);
    check_refused(decode_logo(encode_png(spec)), Errc::invalid_document, "400000-byte iCCP chunk");
}

BOOST_AUTO_TEST_CASE(small_broken_iccp_chunk_is_only_ignored) {
    // libpng warns and drops a bad profile; the colours do not depend on it (DeviceRGB).
    PngSpec spec{.width = 2, .height = 2, .colour_type = png_rgb};
    spec.samples = pattern(12);
    spec.extra_chunks.emplace_back("iCCP", Bytes{'x', 0, 0, 1, 2, 3});
    auto logo = decode_logo(encode_png(spec));
    BOOST_REQUIRE_MESSAGE(logo, logo.error().message);
    BOOST_TEST(inflate(logo->data, 12) == channels(spec.samples, 3, 0, 3),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(chunk_running_past_the_end_is_truncated) {
    PngSpec spec{.width = 2, .height = 2, .colour_type = png_rgb};
    spec.samples = pattern(12);
    Bytes png = encode_png(spec);
    const std::size_t idat = find_png_chunk(png, "IDAT");
    png[idat - 8] = 0x7f;  // IDAT's length: 2 GB
    check_refused(decode_logo(png), Errc::invalid_document, "IDAT chunk runs past the end");
}

BOOST_AUTO_TEST_CASE(malformed_chunk_type_is_invalid) {
    PngSpec spec{.width = 2, .height = 2, .colour_type = png_rgb};
    spec.samples = pattern(12);
    Bytes png = encode_png(spec);
    png[find_png_chunk(png, "IDAT") - 3] = '#';
    check_refused(decode_logo(png), Errc::invalid_document, "malformed chunk");
}

BOOST_AUTO_TEST_SUITE_END()

// A PNG whose image data goes on inflating after its pixels: refused when the stream passes
// what the declared size can hold, before libpng would inflate it to its end. Honest files of
// every kind above stay under that bound, interlaced ones included.
BOOST_AUTO_TEST_CASE(image_data_that_inflates_past_the_declared_size_is_a_bomb) {
    Bytes raw(16 * (1 + 16), 0);       // 16 x 16 grey, filter byte 0 on each row
    raw.resize(raw.size() + (8 << 20));  // and 8 MiB more
    Bytes compressed(compressBound(static_cast<uLong>(raw.size())));
    uLongf length = static_cast<uLongf>(compressed.size());
    BOOST_REQUIRE(compress2(compressed.data(), &length, raw.data(), static_cast<uLong>(raw.size()), 9) == Z_OK);
    compressed.resize(length);
    Bytes png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    for (const auto& chunk : {png_chunk("IHDR", Bytes{0, 0, 0, 16, 0, 0, 0, 16, 8, png_gray, 0, 0, 0}),
                              png_chunk("IDAT", compressed), png_chunk("IEND", {})}) {
        png.insert(png.end(), chunk.begin(), chunk.end());
    }
    check_refused(decode_logo(png), Errc::invalid_document, "decompression bomb");
}
