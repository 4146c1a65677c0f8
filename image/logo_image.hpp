#pragma once
// A firm's logo, checked and made ready to embed in a PDF as an image XObject (ISO 32000-1
// §8.9.5). Only a PDF worker calls this (DESIGN.md: the process that holds keys never decodes
// outside bytes). Every bound is checked on the declared header before anything is allocated for
// the pixels: a side over max_side is Errc::too_large, anything else wrong is
// Errc::invalid_document with a sentence for a person.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace signet::image {

inline constexpr std::size_t max_logo_bytes = 512 * 1024;  // DESIGN.md, "Appearance"
inline constexpr unsigned max_side = 4096;                 // pixels, each way

enum class Format { png, jpeg };
// "image/png", "image/jpeg".
std::string_view media_type(Format format);

enum class Colour { gray, rgb, cmyk };

// What a PDF needs to show the logo, without decoding it again.
struct LogoImage {
    Format format = Format::png;
    unsigned width = 0;
    unsigned height = 0;
    Colour colour = Colour::rgb;
    // JPEG: the file itself, for /Filter /DCTDecode (the reader's decoder shows it). PNG: the
    // 8-bit samples, row after row, compressed with zlib (for /Filter /FlateDecode).
    std::vector<std::uint8_t> data;
    // PNG with transparency (alpha or tRNS): the 8-bit alpha samples, zlib-compressed, for an
    // /SMask; empty when every pixel is opaque.
    std::vector<std::uint8_t> alpha;
    // A 4-component (CMYK) JPEG stores its samples inverted, as Adobe's applications write
    // them (and Pillow, ImageMagick and PoDoFo read them): the image needs
    // /Decode [1 0 1 0 1 0 1 0].
    bool inverted_cmyk = false;
};

// Checks and prepares `bytes` (a PNG or a JPEG file, told apart by their signature; at most
// max_logo_bytes). A PNG is decoded whole (libpng's simplified API); a JPEG's markers are read
// and it is decoded once with libjpeg to prove its data sound (its rows are discarded).
// Refused: an empty file, one over max_logo_bytes (too_large), another format (a PDF among
// them), a side of 0 or over max_side (too_large), a truncated or corrupt file, a PNG whose
// ancillary chunk (iCCP, text, ...) is over 128 KiB, lossless, hierarchical, arithmetic-coded
// or 12-bit JPEGs, JPEGs of more than 100 scans.
Result<LogoImage> decode_logo(std::span<const std::uint8_t> bytes);

}  // namespace signet::image
