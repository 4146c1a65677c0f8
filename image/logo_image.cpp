#include "image/logo_image.hpp"

#include <cstring>
#include <string>

#include "image/jpeg_reader.hpp"
#include "image/png_reader.hpp"

namespace signet::image {
namespace {

bool starts_with(std::span<const std::uint8_t> bytes, std::string_view prefix) {
    return bytes.size() >= prefix.size() &&
           std::memcmp(bytes.data(), prefix.data(), prefix.size()) == 0;
}

// A sentence for a file that is neither a PNG nor a JPEG, naming the formats people send.
std::string not_an_image(std::span<const std::uint8_t> bytes) {
    const char* what = nullptr;
    if (starts_with(bytes, "%PDF-")) {
        what = "a PDF document";
    } else if (starts_with(bytes, "GIF87a") || starts_with(bytes, "GIF89a")) {
        what = "a GIF image";
    } else if (starts_with(bytes, "RIFF") && bytes.size() >= 12 &&
               std::memcmp(bytes.data() + 8, "WEBP", 4) == 0) {
        what = "a WebP image";
    } else if (starts_with(bytes, std::string_view("II*\0", 4)) ||
               starts_with(bytes, std::string_view("MM\0*", 4))) {
        what = "a TIFF image";
    }
    if (what == nullptr) return "the logo is neither a PNG nor a JPEG image";
    return std::string("the logo is ") + what + ", not a PNG or JPEG image";
}

}  // namespace

std::string_view media_type(Format format) {
    switch (format) {
        case Format::png:
            return "image/png";
        case Format::jpeg:
            return "image/jpeg";
    }
    return "application/octet-stream";
}

Result<LogoImage> decode_logo(std::span<const std::uint8_t> bytes) {
    const std::string limit = std::to_string(max_logo_bytes) + " bytes (" +
                              std::to_string(max_logo_bytes / 1024) + " KiB)";
    if (bytes.empty()) {
        return fail(Errc::invalid_document,
                    "the logo is empty; a PNG or JPEG image of at most " + limit + " is expected");
    }
    if (bytes.size() > max_logo_bytes) {
        return fail(Errc::too_large, "the logo has " + std::to_string(bytes.size()) +
                                         " bytes; the limit is " + limit);
    }
    if (has_png_signature(bytes)) return read_png(bytes);
    if (has_jpeg_signature(bytes)) return read_jpeg(bytes);
    return fail(Errc::invalid_document, not_an_image(bytes));
}

}  // namespace signet::image
