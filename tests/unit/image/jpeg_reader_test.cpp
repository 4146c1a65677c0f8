#include "image/jpeg_reader.hpp"

#include <boost/test/unit_test.hpp>

#include "image/logo_image.hpp"
#include "tests/support/image_fixtures.hpp"

using namespace signet::image;
using namespace signet::image::test;
using signet::Errc;

namespace {

// Checks that a JPEG made by libjpeg is accepted unchanged, with these properties.
void check_accepted(const JpegSpec& spec, Colour colour) {
    const Bytes jpeg = encode_jpeg(spec);
    auto logo = decode_logo(jpeg);
    BOOST_REQUIRE_MESSAGE(logo, logo.error().message);
    BOOST_TEST((logo->format == Format::jpeg));
    BOOST_TEST(logo->width == spec.width);
    BOOST_TEST(logo->height == spec.height);
    BOOST_TEST((logo->colour == colour));
    BOOST_TEST(logo->inverted_cmyk == (spec.components == 4));
    BOOST_TEST((logo->data == jpeg));
    BOOST_TEST(logo->alpha.empty());
}

// A JPEG whose frame header (SOF0) is changed by `edit`, given the offset of its data.
template <class Edit>
Bytes with_frame(Edit edit, JpegSpec spec = {.width = 32, .height = 16, .components = 3}) {
    Bytes jpeg = encode_jpeg(spec);
    edit(jpeg, find_jpeg_segment(jpeg, spec.progressive ? 0xC2 : 0xC0));
    return jpeg;
}

void put16(Bytes& bytes, std::size_t at, unsigned value) {
    bytes[at] = static_cast<std::uint8_t>(value >> 8);
    bytes[at + 1] = static_cast<std::uint8_t>(value & 0xff);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(jpeg_reader)

BOOST_AUTO_TEST_CASE(gray_is_accepted) {
    check_accepted({.width = 40, .height = 24, .components = 1}, Colour::gray);
}
BOOST_AUTO_TEST_CASE(rgb_is_accepted) {
    check_accepted({.width = 37, .height = 21, .components = 3}, Colour::rgb);
}

BOOST_AUTO_TEST_CASE(cmyk_is_accepted_inverted_with_its_adobe_marker) {
    const JpegSpec spec{.width = 24, .height = 24, .components = 4};
    check_accepted(spec, Colour::cmyk);
    auto header = read_jpeg_header(encode_jpeg(spec));
    BOOST_REQUIRE(header);
    BOOST_TEST(header->adobe);
    BOOST_TEST(header->adobe_transform == 0u);  // libjpeg writes CMYK untransformed
    BOOST_TEST(header->components == 4u);
}

BOOST_AUTO_TEST_CASE(progressive_is_accepted) {
    const JpegSpec spec{.width = 50, .height = 30, .components = 3, .progressive = true};
    check_accepted(spec, Colour::rgb);
    auto header = read_jpeg_header(encode_jpeg(spec));
    BOOST_REQUIRE(header);
    BOOST_TEST(header->progressive);
    BOOST_TEST(!header->adobe);
}

BOOST_AUTO_TEST_CASE(fill_bytes_and_standalone_markers_are_skipped) {
    const Bytes jpeg = encode_jpeg({.width = 16, .height = 16, .components = 1});
    // After SOI: fill bytes, a TEM marker, an RST3 marker, more fill bytes (T.81 §B.1.1).
    Bytes edited(jpeg.begin(), jpeg.begin() + 2);
    edited.insert(edited.end(), {0xFF, 0xFF, 0x01, 0xFF, 0xD3, 0xFF});
    edited.insert(edited.end(), jpeg.begin() + 2, jpeg.end());
    auto logo = decode_logo(edited);
    BOOST_REQUIRE_MESSAGE(logo, logo.error().message);
    BOOST_TEST((logo->data == edited));
}

BOOST_AUTO_TEST_CASE(declared_60000_square_is_too_large) {
    const Bytes jpeg = with_frame([](Bytes& b, std::size_t sof) {
        put16(b, sof + 3, 60000);
        put16(b, sof + 5, 60000);
    });
    check_refused(decode_logo(jpeg), Errc::too_large,
                  "the logo declares 60000 x 60000 pixels; the limit is 4096 x 4096");
}

BOOST_AUTO_TEST_CASE(one_pixel_past_the_limit_is_too_large) {
    check_refused(
        decode_logo(with_frame([](Bytes& b, std::size_t sof) { put16(b, sof + 5, 4097); })),
        Errc::too_large, "4097 x 16");
}

BOOST_AUTO_TEST_CASE(twelve_bit_precision_is_refused) {
    check_refused(decode_logo(with_frame([](Bytes& b, std::size_t sof) { b[sof + 2] = 12; })),
                  Errc::invalid_document, "12-bit JPEG");
}

BOOST_AUTO_TEST_CASE(arithmetic_lossless_and_hierarchical_frames_are_refused) {
    const std::vector<std::pair<std::uint8_t, std::string>> frames = {
        {0xC9, "arithmetic-coded"},
        {0xCA, "arithmetic-coded"},
        {0xC3, "lossless"},
        {0xC5, "hierarchical"},
        {0xCB, "lossless arithmetic-coded"},
        {0xCF, "hierarchical arithmetic"}};
    for (const auto& [marker, phrase] : frames) {
        const std::uint8_t m = marker;
        check_refused(decode_logo(with_frame([m](Bytes& b, std::size_t sof) { b[sof - 1] = m; })),
                      Errc::invalid_document, phrase);
    }
}

BOOST_AUTO_TEST_CASE(height_declared_later_by_dnl_is_refused) {
    check_refused(decode_logo(with_frame([](Bytes& b, std::size_t sof) { put16(b, sof + 3, 0); })),
                  Errc::invalid_document, "DNL");
}

BOOST_AUTO_TEST_CASE(zero_width_is_invalid) {
    check_refused(decode_logo(with_frame([](Bytes& b, std::size_t sof) { put16(b, sof + 5, 0); })),
                  Errc::invalid_document, "0 x 16");
}

BOOST_AUTO_TEST_CASE(two_components_are_refused) {
    // Nf 2 and Lf shortened to match; the third component's bytes are never read.
    const Bytes jpeg = with_frame([](Bytes& b, std::size_t sof) {
        b[sof + 7] = 2;
        put16(b, sof, 8 + 3 * 2);
    });
    check_refused(decode_logo(jpeg), Errc::invalid_document, "2 colour components");
}

BOOST_AUTO_TEST_CASE(malformed_frame_length_is_invalid) {
    check_refused(decode_logo(with_frame([](Bytes& b, std::size_t sof) { b[sof + 7] = 2; })),
                  Errc::invalid_document, "malformed frame header");
}

BOOST_AUTO_TEST_CASE(second_frame_header_is_invalid) {
    Bytes jpeg = encode_jpeg({.width = 16, .height = 16, .components = 1});
    const std::size_t sof = find_jpeg_segment(jpeg, 0xC0);
    const std::size_t length = (std::size_t{jpeg[sof]} << 8) | jpeg[sof + 1];
    const Bytes frame(jpeg.begin() + static_cast<std::ptrdiff_t>(sof) - 2,
                      jpeg.begin() + static_cast<std::ptrdiff_t>(sof + length));
    jpeg.insert(jpeg.begin() + static_cast<std::ptrdiff_t>(sof + length), frame.begin(),
                frame.end());
    check_refused(decode_logo(jpeg), Errc::invalid_document, "second frame header");
}

BOOST_AUTO_TEST_CASE(scan_before_frame_is_invalid) {
    const Bytes jpeg = {0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0xD9};
    check_refused(decode_logo(jpeg), Errc::invalid_document, "before any frame header");
}

BOOST_AUTO_TEST_CASE(segment_length_past_the_end_is_invalid) {
    Bytes jpeg = encode_jpeg({.width = 16, .height = 16, .components = 3});
    put16(jpeg, find_jpeg_segment(jpeg, 0xE0), 0xFFFF);  // JFIF's APP0
    check_refused(decode_logo(jpeg), Errc::invalid_document, "runs past the end of the file");
    put16(jpeg, find_jpeg_segment(jpeg, 0xE0), 1);  // below its own 2 bytes
    check_refused(decode_logo(jpeg), Errc::invalid_document, "an invalid length (1)");
}

BOOST_AUTO_TEST_CASE(truncated_jpeg_is_invalid) {
    Bytes jpeg = encode_jpeg({.width = 64, .height = 64, .components = 3});
    jpeg.resize(jpeg.size() / 2);
    check_refused(decode_logo(jpeg), Errc::invalid_document, "truncated");
    // The same half with an EOI appended: libjpeg finds the data missing.
    jpeg.insert(jpeg.end(), {0xFF, 0xD9});
    check_refused(decode_logo(jpeg), Errc::invalid_document,
                  "the logo's JPEG data is corrupt or truncated");
    // Cut inside the headers.
    jpeg.resize(10);
    check_refused(decode_logo(jpeg), Errc::invalid_document, "the logo's JPEG data");
}

BOOST_AUTO_TEST_CASE(corrupt_entropy_data_is_refused) {
    Bytes jpeg = encode_jpeg({.width = 64, .height = 64, .components = 3});
    const std::size_t sos = find_jpeg_segment(jpeg, 0xDA);
    const std::size_t middle = sos + (jpeg.size() - sos) / 2;
    jpeg[middle] = 0xFF;  // a marker where the data goes on
    jpeg[middle + 1] = 0xD3;
    check_refused(decode_logo(jpeg), Errc::invalid_document,
                  "the logo's JPEG data is corrupt or truncated");
}

BOOST_AUTO_TEST_CASE(invalid_tables_are_reported_with_libjpeg_message) {
    Bytes jpeg = encode_jpeg({.width = 16, .height = 16, .components = 1});
    const std::size_t dqt = find_jpeg_segment(jpeg, 0xDB);
    jpeg[dqt + 2] = 0x07;  // Pq/Tq: table 7 does not exist
    check_refused(decode_logo(jpeg), Errc::invalid_document, "the logo's JPEG data is invalid: ");
}

BOOST_AUTO_TEST_CASE(more_than_100_scans_are_refused) {
    const Bytes jpeg =
        encode_jpeg({.width = 16, .height = 16, .components = 1, .many_scans = true});
    auto header = read_jpeg_header(jpeg);
    BOOST_REQUIRE(header);
    BOOST_TEST(header->progressive);
    check_refused(decode_logo(jpeg), Errc::invalid_document, "more than 100 scans");
}

BOOST_AUTO_TEST_SUITE_END()
