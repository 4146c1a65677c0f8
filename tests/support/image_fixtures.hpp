#pragma once
// PNG and JPEG files made by the tests themselves: PNGs written by hand (chunks, CRCs, zlib,
// Adam7), so that a hostile variant is one changed field; JPEGs written by libjpeg. Nothing
// here uses image/: a fixture must not be shaped by the code it checks.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "base/error.hpp"

namespace signet::image::test {

using Bytes = std::vector<std::uint8_t>;

// PNG colour types (ISO/IEC 15948 §11.2.2).
inline constexpr std::uint8_t png_gray = 0, png_rgb = 2, png_palette = 3, png_gray_alpha = 4,
                              png_rgba = 6;

struct PngSpec {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::uint8_t bit_depth = 8;
    std::uint8_t colour_type = png_rgb;
    bool interlaced = false;
    // Sample values (palette indices for a palette image), row after row, channel after channel.
    std::vector<std::uint16_t> samples{};
    Bytes palette{};  // RGB triples
    Bytes trns{};     // palette alphas
    // Chunks written between IHDR (and PLTE, tRNS) and IDAT, as they are (type, data).
    std::vector<std::pair<std::string_view, Bytes>> extra_chunks{};
};

// One chunk: length, type, data, CRC (ISO/IEC 15948 §5.3).
Bytes png_chunk(std::string_view type, std::span<const std::uint8_t> data);
// The signature and an IHDR declaring this size (8-bit RGB), then IEND: no pixel data at all.
Bytes png_header_only(std::uint32_t width, std::uint32_t height);
Bytes encode_png(const PngSpec& spec);
// The byte offset of the data of the first chunk of this type.
std::size_t find_png_chunk(std::span<const std::uint8_t> png, std::string_view type);

struct JpegSpec {
    unsigned width = 0;
    unsigned height = 0;
    int components = 3;  // 1 gray, 3 RGB, 4 CMYK
    bool progressive = false;
    bool many_scans = false;  // a progressive gray file of 191 scans
};
// A smooth gradient, compressed by libjpeg.
Bytes encode_jpeg(const JpegSpec& spec);
// The offset of the first marker segment of this type (the byte after FF xx), by a walk.
std::size_t find_jpeg_segment(std::span<const std::uint8_t> jpeg, std::uint8_t marker);

// zlib's uncompress, checked: fails the test when the data does not inflate to `expected` bytes.
Bytes inflate(std::span<const std::uint8_t> compressed, std::size_t expected);

// Checks that `result` failed with `code` and that its message holds `text`.
template <class T>
void check_refused(const Result<T>& result, Errc code, std::string_view text) {
    BOOST_REQUIRE_MESSAGE(!result, "expected a refusal holding \"" << text << "\"");
    BOOST_TEST(
        static_cast<int>(result.error().code) == static_cast<int>(code),
        "code " << to_string(result.error().code) << ", message: " << result.error().message);
    BOOST_TEST(result.error().message.find(text) != std::string::npos,
               "message: " << result.error().message);
}

}  // namespace signet::image::test
