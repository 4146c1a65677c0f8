#include "image/png_reader.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <png.h>
#include <zlib.h>

namespace signet::image {
namespace {

constexpr std::array<std::uint8_t, 8> png_signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
// Signature, then IHDR's length, type, 13 bytes of data and CRC (ISO/IEC 15948 §11.2.2).
constexpr std::size_t ihdr_end = 8 + 4 + 4 + 13 + 4;
// A chunk's length is at most 2^31 - 1 (ISO/IEC 15948 §5.3).
constexpr std::uint32_t max_chunk_length = 0x7fffffff;
// Deflate expands at most 1032 times: a 258-byte match takes at least two bits, one for its
// length code and one for its distance code (RFC 1951 §3.2.7 makes a lone code one bit long).
constexpr std::uint64_t max_inflate_ratio = 1032;

std::uint32_t be32(const std::uint8_t* at) {
    return (std::uint32_t{at[0]} << 24) | (std::uint32_t{at[1]} << 16) |
           (std::uint32_t{at[2]} << 8) | std::uint32_t{at[3]};
}

std::string dimensions(std::uint32_t width, std::uint32_t height) {
    return std::to_string(width) + " x " + std::to_string(height);
}

std::string side_limit() {
    return "the limit is " + std::to_string(max_side) + " x " + std::to_string(max_side);
}

// The two sides, checked before any pixel is allocated.
Status check_sides(std::uint32_t width, std::uint32_t height) {
    if (width == 0 || height == 0) {
        return fail(Errc::invalid_document, "the logo declares " + dimensions(width, height) +
                                                " pixels; an image needs at least 1 x 1");
    }
    if (width > max_side || height > max_side) {
        return fail(Errc::too_large,
                    "the logo declares " + dimensions(width, height) + " pixels; " + side_limit());
    }
    return {};
}

bool is_letter(std::uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// The least number of bytes the inflated image data can have: its samples packed, without
// filter bytes (ISO/IEC 15948 §7.2, §11.2.2); 0 for a colour type libpng will refuse anyway.
std::uint64_t least_image_bytes(std::uint32_t width, std::uint32_t height, std::uint8_t depth,
                                std::uint8_t colour_type) {
    unsigned channels = 0;
    switch (colour_type) {
        case 0:
        case 3:
            channels = 1;
            break;  // gray, palette
        case 4:
            channels = 2;
            break;  // gray and alpha
        case 2:
            channels = 3;
            break;  // RGB
        case 6:
            channels = 4;
            break;  // RGBA
        default:
            return 0;
    }
    return (std::uint64_t{width} * height * channels * depth + 7) / 8;
}

// libpng's message (a fixed char[64], maybe not terminated) as printable ASCII.
std::string libpng_message(const png_image& image) {
    const std::size_t length = strnlen(image.message, sizeof image.message);
    std::string text;
    for (std::size_t i = 0; i < length; ++i) {
        const auto c = static_cast<unsigned char>(image.message[i]);
        text += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
    }
    return text.empty() ? std::string("no reason given") : text;
}

std::unexpected<Error> libpng_failure(const png_image& image) {
    return fail(Errc::invalid_document, "the logo's PNG data is invalid: " + libpng_message(image));
}

// png_image_free on every path: the simplified API frees its own state on an error and on a
// finished read, and a second call (opaque is then null) does nothing.
class ImageRelease {
public:
    explicit ImageRelease(png_image& image) : image_(image) {}
    ImageRelease(const ImageRelease&) = delete;
    ImageRelease& operator=(const ImageRelease&) = delete;
    ~ImageRelease() { png_image_free(&image_); }

private:
    png_image& image_;
};

// The samples compressed with zlib's format (RFC 1950), what /FlateDecode reads.
Result<std::vector<std::uint8_t>> deflate_samples(std::span<const std::uint8_t> samples) {
    const auto size = static_cast<uLong>(samples.size());
    uLongf length = compressBound(size);
    std::vector<std::uint8_t> out(length);
    const int status = compress2(out.data(), &length, samples.data(), size, 6);
    if (status != Z_OK) {
        return fail(Errc::internal, "compressing the logo's pixels failed (zlib status " +
                                        std::to_string(status) + ")");
    }
    out.resize(length);
    out.shrink_to_fit();
    return out;
}

// The most bytes the inflated image data of an honest file can have: each row (and, interlaced,
// each of a pass's rows: at most seven of them per image row) a filter byte and its samples
// packed, rounded up to a byte (ISO/IEC 15948 §7.2, §8.2).
std::uint64_t most_image_bytes(std::uint32_t width, std::uint32_t height, std::uint8_t depth,
                               std::uint8_t colour_type) {
    const std::uint64_t row_bits = least_image_bytes(width, 1, depth, colour_type) * 8;
    return std::uint64_t{height} * (1 + (row_bits + 7) / 8) + std::uint64_t{height} * 14 + 64;
}

// Inflates the IDAT chunks (`parts`) into a small scratch buffer, counting, and refuses a stream
// that inflates past what the declared size can hold: a decompression bomb hides its bulk after
// the pixels, where libpng would inflate it to the end to find the stream's end.
Status check_inflated_size(std::span<const std::span<const std::uint8_t>> parts, std::uint64_t most,
                           const std::string& size) {
    z_stream stream{};
    if (inflateInit(&stream) != Z_OK) return fail(Errc::internal, "zlib cannot start");
    std::array<std::uint8_t, 64 * 1024> scratch{};
    int status = Z_OK;
    for (std::span<const std::uint8_t> part : parts) {
        stream.next_in = const_cast<std::uint8_t*>(part.data());
        stream.avail_in = static_cast<uInt>(part.size());
        while (stream.avail_in > 0 && status == Z_OK) {
            stream.next_out = scratch.data();
            stream.avail_out = static_cast<uInt>(scratch.size());
            status = inflate(&stream, Z_NO_FLUSH);
            if (status == Z_BUF_ERROR) status = Z_OK;  // no progress possible yet: more input
            if (stream.total_out > most) break;
        }
        if (status != Z_OK || stream.total_out > most) break;
    }
    const std::uint64_t inflated = stream.total_out;
    inflateEnd(&stream);
    if (inflated > most) {
        return fail(Errc::invalid_document, "the logo's PNG image data inflates to more than its declared " + size +
                                                " pixels can hold (a decompression bomb)");
    }
    // A damaged or short stream is libpng's to describe.
    return {};
}

}  // namespace

bool has_png_signature(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= png_signature.size() &&
           std::equal(png_signature.begin(), png_signature.end(), bytes.begin());
}

Status check_png_chunks(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < ihdr_end) {
        return fail(Errc::invalid_document, "the logo's PNG data is truncated inside its header");
    }
    const std::uint8_t* data = bytes.data();
    if (be32(data + 8) != 13 || std::memcmp(data + 12, "IHDR", 4) != 0) {
        return fail(Errc::invalid_document,
                    "the logo's PNG data does not start with a 13-byte IHDR header");
    }
    SIGNET_CHECK(check_sides(be32(data + 16), be32(data + 20)));

    // Every chunk inside the file, up to IEND; what follows IEND is ignored, as libpng does.
    std::uint64_t image_data = 0;  // the IDAT chunks' lengths
    std::vector<std::span<const std::uint8_t>> idat;
    std::size_t at = 8;
    for (;;) {
        if (bytes.size() - at < 12) {
            return fail(Errc::invalid_document,
                        "the logo's PNG data is truncated (it ends before its IEND chunk)");
        }
        const std::uint32_t length = be32(data + at);
        const std::uint8_t* type = data + at + 4;
        if (!std::all_of(type, type + 4, is_letter)) {
            return fail(Errc::invalid_document,
                        "the logo's PNG data has a malformed chunk at byte " + std::to_string(at));
        }
        const std::string name(reinterpret_cast<const char*>(type), 4);
        if (length > max_chunk_length || length > bytes.size() - at - 12) {
            return fail(Errc::invalid_document, "the logo's PNG data is truncated (its " + name +
                                                    " chunk runs past the end of the file)");
        }
        // Bit 5 of the first letter (lower case) marks an ancillary chunk (ISO/IEC 15948 §5.4).
        if ((type[0] & 0x20) != 0 && length > max_ancillary_chunk) {
            return fail(Errc::invalid_document,
                        "the logo's PNG has a " + std::to_string(length) + "-byte " + name +
                            " chunk; chunks other than the image data are limited to " +
                            std::to_string(max_ancillary_chunk) + " bytes");
        }
        if (name == "IDAT") {
            image_data += length;
            idat.push_back(bytes.subspan(at + 8, length));
        }
        if (name == "IEND") break;
        at += 12 + std::size_t{length};
    }
    // Too little image data for the declared size: refused before libpng allocates the pixels.
    if (image_data == 0) {
        return fail(Errc::invalid_document, "the logo's PNG has no image data (IDAT)");
    }
    const std::uint64_t least =
        least_image_bytes(be32(data + 16), be32(data + 20), data[24], data[25]);
    if (image_data * max_inflate_ratio + 1024 < least) {
        return fail(Errc::invalid_document, "the logo's PNG holds " + std::to_string(image_data) +
                                                " bytes of image data, too few for its declared " +
                                                dimensions(be32(data + 16), be32(data + 20)) +
                                                " pixels");
    }
    return check_inflated_size(idat, most_image_bytes(be32(data + 16), be32(data + 20), data[24], data[25]),
                               dimensions(be32(data + 16), be32(data + 20)));
}

Result<LogoImage> read_png(std::span<const std::uint8_t> bytes) {
    SIGNET_CHECK(check_png_chunks(bytes));

    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    const ImageRelease release(image);
    // Reads up to the first IDAT: the header and the chunks before the pixels, no pixel data.
    if (png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()) == 0) {
        return libpng_failure(image);
    }
    SIGNET_CHECK(check_sides(image.width, image.height));  // what libpng read, again

    // 8-bit samples (16-bit ones are reduced, palettes and low bit depths expanded, tRNS made
    // alpha); with alpha they are not premultiplied, as an /SMask wants (png.h, "simplified API").
    // A 16-bit file without gAMA or sRGB is sRGB, as browsers and viewers read it; libpng
    // would otherwise take it for linear light and lighten it (png.h). Set here: the begin
    // call clears the struct.
    image.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
    const bool colour = (image.format & PNG_FORMAT_FLAG_COLOR) != 0;
    const bool alpha = (image.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    image.format = colour ? (alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB)
                          : (alpha ? PNG_FORMAT_GA : PNG_FORMAT_GRAY);
    const std::size_t colour_channels = colour ? 3 : 1;
    const std::size_t channels = colour_channels + (alpha ? 1 : 0);
    const std::size_t pixels = std::size_t{image.width} * image.height;  // <= 4096 * 4096
    std::vector<std::uint8_t> samples(pixels * channels);
    if (png_image_finish_read(&image, nullptr, samples.data(), 0, nullptr) == 0) {
        return libpng_failure(image);
    }

    LogoImage logo;
    logo.format = Format::png;
    logo.width = image.width;
    logo.height = image.height;
    logo.colour = colour ? Colour::rgb : Colour::gray;
    if (alpha) {
        // Split in place: pixel i's colour samples move down to i * colour_channels, which is
        // never past where they are read from; its alpha goes to the mask first.
        std::vector<std::uint8_t> mask(pixels);
        bool opaque = true;
        for (std::size_t i = 0; i < pixels; ++i) {
            const std::size_t from = i * channels;
            mask[i] = samples[from + colour_channels];
            opaque = opaque && mask[i] == 0xff;
            for (std::size_t c = 0; c < colour_channels; ++c) {
                samples[i * colour_channels + c] = samples[from + c];
            }
        }
        samples.resize(pixels * colour_channels);
        if (!opaque) {
            SIGNET_TRY(logo.alpha, deflate_samples(mask));
        }
    }
    SIGNET_TRY(logo.data, deflate_samples(samples));
    return logo;
}

}  // namespace signet::image
