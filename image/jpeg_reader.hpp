#pragma once
// The JPEG half of decode_logo (internal to image/; logo_image.hpp is the module's interface).
// The markers are walked by hand up to the first scan (ITU-T T.81 §B.1, Annex B), which gives
// the frame's size, precision and components before libjpeg allocates anything; the file is
// then decoded once with libjpeg to prove its entropy-coded data sound, and embedded unchanged.

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/error.hpp"
#include "image/logo_image.hpp"

namespace signet::image {

// FF D8 FF: SOI followed by the first marker of the file (T.81 §B.2.1).
bool has_jpeg_signature(std::span<const std::uint8_t> bytes);

// What the markers before the first scan declare.
struct JpegHeader {
    unsigned width = 0;
    unsigned height = 0;
    unsigned components = 0;
    bool progressive = false;  // SOF2
    // Adobe's APP14 marker (Adobe Technical Note #5116, "Supporting the DCT Filters in
    // PostScript Level 2", §18): present, and its transform (0 none/RGB/CMYK, 1 YCbCr, 2 YCCK).
    bool adobe = false;
    unsigned adobe_transform = 0;
};

// Walks the markers from SOI to the first SOS. Accepts SOF0, SOF1 and SOF2 with 8-bit
// precision, 1, 3 or 4 components, sides of 1..max_side (too_large past it); refuses every
// other frame type, a second frame, a segment running past the end, and a scan before a frame.
Result<JpegHeader> read_jpeg_header(std::span<const std::uint8_t> bytes);

// read_jpeg_header, the EOI check, then one decode with libjpeg where any warning (corrupt or
// missing data) refuses the file. The LogoImage holds the file itself.
Result<LogoImage> read_jpeg(std::span<const std::uint8_t> bytes);

}  // namespace signet::image
