#pragma once
// The PNG half of decode_logo (internal to image/; logo_image.hpp is the module's interface).
// The chunk layout is checked by hand before libpng sees a byte (PNG, ISO/IEC 15948:2004 §5.3
// and §11.2.2: a signature, then IHDR first, then chunks up to IEND), then libpng's simplified
// API decodes the pixels to 8-bit samples and zlib compresses them for /FlateDecode.

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/error.hpp"
#include "image/logo_image.hpp"

namespace signet::image {

// The 8 bytes every PNG file starts with (ISO/IEC 15948 §5.2).
bool has_png_signature(std::span<const std::uint8_t> bytes);

// An ancillary chunk (iCCP, zTXt, iTXt, eXIf, ...) larger than this is refused before libpng
// reads it: the logo is shown as DeviceRGB or DeviceGray, so no ancillary chunk is needed,
// and libpng would inflate a compressed one up to PNG_USER_CHUNK_MALLOC_MAX (8 MB on Debian).
// The sRGB v4 ICC profile (60 KB uncompressed) fits.
inline constexpr std::uint32_t max_ancillary_chunk = 128 * 1024;

// Checks the chunk layout and the declared size of a PNG whose signature has been seen:
// too_large for a side over max_side; invalid_document for a side of 0, a broken layout, an
// oversized ancillary chunk, or image data too short to inflate to the declared size.
// Nothing is allocated.
Status check_png_chunks(std::span<const std::uint8_t> bytes);

// Decodes a PNG (signature seen) into a LogoImage: gray or rgb samples, and an alpha mask
// when some pixel is not opaque, each zlib-compressed.
Result<LogoImage> read_png(std::span<const std::uint8_t> bytes);

}  // namespace signet::image
