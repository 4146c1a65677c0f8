#include "image/logo_image.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/support/image_fixtures.hpp"

using namespace signet::image;
using namespace signet::image::test;
using signet::Errc;

namespace {

Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

}  // namespace

BOOST_AUTO_TEST_SUITE(logo_image)

BOOST_AUTO_TEST_CASE(media_types) {
    BOOST_TEST(media_type(Format::png) == "image/png");
    BOOST_TEST(media_type(Format::jpeg) == "image/jpeg");
}

BOOST_AUTO_TEST_CASE(png_and_jpeg_are_told_apart_by_signature) {
    PngSpec png{.width = 2, .height = 2, .colour_type = png_gray};
    png.samples = {0, 64, 128, 255};
    auto from_png = decode_logo(encode_png(png));
    BOOST_REQUIRE_MESSAGE(from_png, from_png.error().message);
    BOOST_TEST((from_png->format == Format::png));
    auto from_jpeg = decode_logo(encode_jpeg({.width = 8, .height = 8, .components = 1}));
    BOOST_REQUIRE_MESSAGE(from_jpeg, from_jpeg.error().message);
    BOOST_TEST((from_jpeg->format == Format::jpeg));
}

BOOST_AUTO_TEST_CASE(empty_is_invalid) {
    check_refused(decode_logo({}), Errc::invalid_document, "the logo is empty");
}

BOOST_AUTO_TEST_CASE(over_512_kib_is_too_large_whatever_it_holds) {
    Bytes big = encode_png({.width = 1, .height = 1, .colour_type = png_gray, .samples = {9}});
    big.resize(max_logo_bytes + 1, 0);
    check_refused(decode_logo(big), Errc::too_large,
                  "the logo has 524289 bytes; the limit is 524288 bytes (512 KiB)");
    Bytes zeros(max_logo_bytes + 1, 0);
    check_refused(decode_logo(zeros), Errc::too_large, "524289 bytes");
}

BOOST_AUTO_TEST_CASE(exactly_512_kib_is_read) {
    // A valid PNG with trailing bytes after IEND (ignored) up to the limit.
    Bytes png = encode_png({.width = 1, .height = 1, .colour_type = png_gray, .samples = {9}});
    png.resize(max_logo_bytes, 0);
    auto logo = decode_logo(png);
    BOOST_REQUIRE_MESSAGE(logo, logo.error().message);
    BOOST_TEST(inflate(logo->data, 1) == Bytes{9}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_pdf_is_named) {
    check_refused(decode_logo(text("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")), Errc::invalid_document,
                  "the logo is a PDF document, not a PNG or JPEG image");
}

BOOST_AUTO_TEST_CASE(other_formats_are_refused) {
    check_refused(decode_logo(text("GIF89a\x01\x00\x01\x00")), Errc::invalid_document,
                  "a GIF image");
    check_refused(decode_logo(text(std::string_view("RIFF\x10\x00\x00\x00WEBPVP8 ", 16))),
                  Errc::invalid_document, "a WebP image");
    check_refused(decode_logo(Bytes{'I', 'I', '*', 0, 8, 0, 0, 0}), Errc::invalid_document,
                  "a TIFF image");
    for (const Bytes& other : {text("hello"), text("<svg xmlns='http://www.w3.org/2000/svg'/>"),
                               Bytes{0x89, 'P', 'N'}, Bytes{0xFF, 0xD8}, Bytes{0}}) {
        check_refused(decode_logo(other), Errc::invalid_document,
                      "the logo is neither a PNG nor a JPEG image");
    }
}

BOOST_AUTO_TEST_CASE(messages_are_printable) {
    // A corrupt zlib stream: libpng's message comes back as printable ASCII.
    Bytes png = png_header_only(4, 4);
    const Bytes idat = png_chunk("IDAT", Bytes{0x78, 0x9c, 0x01, 0x02, 0x03});
    png.insert(png.end() - 12, idat.begin(), idat.end());
    auto logo = decode_logo(png);
    BOOST_REQUIRE(!logo);
    for (const char c : logo.error().message) {
        BOOST_TEST((c >= 0x20 && c < 0x7f), "character " << static_cast<int>(c));
    }
}

BOOST_AUTO_TEST_SUITE_END()
