#include "image/jpeg_reader.hpp"

#include <csetjmp>
#include <cstdio>  // jpeglib.h uses FILE and size_t without including their headers
#include <cstring>
#include <string>
#include <type_traits>

#include <jpeglib.h>

namespace signet::image {
namespace {

// A progressive file can hold any number of scans, and each one walks the whole coefficient
// buffer: a small file with thousands of tiny scans costs minutes of CPU. Real encoders write
// about ten (libjpeg's default progression script: 10 for YCbCr). Limit as djpeg's -maxscans.
constexpr int max_scans = 100;
// libjpeg's bound for its virtual arrays (the coefficients of a progressive image): a
// 4096 x 4096 four-component progressive JPEG needs 128 MiB of them.
constexpr long max_jpeg_memory = 256L * 1024 * 1024;

std::uint16_t be16(const std::uint8_t* at) {
    return static_cast<std::uint16_t>((at[0] << 8) | at[1]);
}

std::string hex_marker(std::uint8_t marker) {
    static constexpr char digits[] = "0123456789ABCDEF";
    return std::string("FF") + digits[marker >> 4] + digits[marker & 0x0f];
}

std::unexpected<Error> invalid(std::string sentence) {
    return fail(Errc::invalid_document, "the logo's JPEG data " + std::move(sentence));
}

// The frame types signet refuses (ITU-T T.81 Table B.1), as a phrase; nullptr for the others.
const char* refused_frame(std::uint8_t marker) {
    switch (marker) {
        case 0xC3:
            return "a lossless JPEG (SOF3)";
        case 0xC5:
        case 0xC6:
        case 0xC7:
            return "a hierarchical JPEG (SOF5 to SOF7)";
        case 0xC8:
            return "a JPEG with a reserved extension frame (JPG, FFC8)";
        case 0xC9:
        case 0xCA:
            return "an arithmetic-coded JPEG (SOF9 or SOF10)";
        case 0xCB:
            return "a lossless arithmetic-coded JPEG (SOF11)";
        case 0xCD:
        case 0xCE:
        case 0xCF:
            return "a hierarchical arithmetic-coded JPEG (SOF13 to SOF15)";
        case 0xDE:
        case 0xDF:
            return "a hierarchical JPEG (DHP or EXP marker)";
        default:
            return nullptr;
    }
}

// SOF0, SOF1, SOF2's data (T.81 §B.2.2): P, Y, X, Nf, then 3 bytes per component.
Status read_frame(std::span<const std::uint8_t> segment, std::uint8_t marker, JpegHeader& header) {
    if (segment.size() < 6 || segment.size() != 6 + 3 * std::size_t{segment[5]}) {
        return invalid("has a malformed frame header (SOF)");
    }
    const unsigned precision = segment[0];
    const unsigned height = be16(segment.data() + 1);
    const unsigned width = be16(segment.data() + 3);
    const unsigned components = segment[5];
    if (precision != 8) {
        // PDF's DCTDecode is 8-bit (ISO 32000-1 §7.4.8).
        return fail(Errc::invalid_document, "the logo is a " + std::to_string(precision) +
                                                "-bit JPEG; only 8-bit JPEGs are accepted");
    }
    if (components != 1 && components != 3 && components != 4) {
        return fail(Errc::invalid_document,
                    "the logo's JPEG has " + std::to_string(components) +
                        " colour components; 1 (gray), 3 (RGB) or 4 (CMYK) are accepted");
    }
    if (height == 0) {
        return fail(Errc::invalid_document,
                    "the logo's JPEG declares its height after the image data (a DNL marker), "
                    "which is not accepted");
    }
    const std::string size = std::to_string(width) + " x " + std::to_string(height);
    if (width == 0) {
        return fail(Errc::invalid_document,
                    "the logo declares " + size + " pixels; an image needs at least 1 x 1");
    }
    if (width > max_side || height > max_side) {
        return fail(Errc::too_large, "the logo declares " + size + " pixels; the limit is " +
                                         std::to_string(max_side) + " x " +
                                         std::to_string(max_side));
    }
    header.width = width;
    header.height = height;
    header.components = components;
    header.progressive = marker == 0xC2;
    return {};
}

// How a decode ended.
enum class DecodeEnd { decoded, error, warning, too_many_scans, no_rows };

// Everything libjpeg touches, owned by decode_once's caller: nothing local to the function that
// calls setjmp changes before a longjmp (C11 §7.13.2.1 makes such locals indeterminate), and
// nothing here has a destructor for a longjmp to skip.
struct JpegDecode {
    jpeg_decompress_struct info;
    jpeg_error_mgr errors;
    jpeg_progress_mgr progress;
    std::jmp_buf jump;
    DecodeEnd end;
    char message[JMSG_LENGTH_MAX];
    // What jpeg_read_header found, kept past jpeg_destroy_decompress.
    JDIMENSION width;
    JDIMENSION height;
    int components;
};
static_assert(std::is_trivially_destructible_v<JpegDecode>);

JpegDecode& decode_of(j_common_ptr info) { return *static_cast<JpegDecode*>(info->client_data); }

[[noreturn]] void stop(j_common_ptr info, DecodeEnd end) {
    JpegDecode& decode = decode_of(info);
    decode.end = end;
    std::longjmp(decode.jump, 1);
}

// libjpeg's fatal errors: keep the message, return to decode_once's setjmp.
[[noreturn]] void on_error_exit(j_common_ptr info) {
    (*info->err->format_message)(info, decode_of(info).message);
    stop(info, DecodeEnd::error);
}

// Level -1 is a warning: corrupt entropy data, a premature end (libjpeg then invents the
// missing rows), extraneous bytes. Any of them refuses the file; trace levels are ignored.
void on_emit_message(j_common_ptr info, int level) {
    if (level >= 0) return;
    ++info->err->num_warnings;
    (*info->err->format_message)(info, decode_of(info).message);
    stop(info, DecodeEnd::warning);
}

// Nothing is printed: messages reach the person through the Error.
void on_output_message(j_common_ptr) {}

void on_progress(j_common_ptr info) {
    if (info->is_decompressor &&
        reinterpret_cast<j_decompress_ptr>(info)->input_scan_number > max_scans) {
        stop(info, DecodeEnd::too_many_scans);
    }
}

// Decodes the whole image once, its rows into one reused row buffer (libjpeg's pool, freed
// with it). The only function with a setjmp: it holds no C++ object with a destructor.
void decode_once(JpegDecode& decode, const std::uint8_t* data, std::size_t size) {
    decode.info.err = jpeg_std_error(&decode.errors);
    decode.errors.error_exit = on_error_exit;
    decode.errors.emit_message = on_emit_message;
    decode.errors.output_message = on_output_message;
    decode.info.client_data = &decode;  // kept by jpeg_create_decompress
    decode.end = DecodeEnd::decoded;
    if (setjmp(decode.jump) != 0) {
        jpeg_destroy_decompress(&decode.info);  // safe on a zeroed or half-made struct
        return;
    }
    jpeg_create_decompress(&decode.info);
    decode.info.mem->max_memory_to_use = max_jpeg_memory;
    decode.progress.progress_monitor = on_progress;
    decode.info.progress = &decode.progress;
    jpeg_mem_src(&decode.info, data, static_cast<unsigned long>(size));
    (void)jpeg_read_header(&decode.info, TRUE);
    decode.width = decode.info.image_width;
    decode.height = decode.info.image_height;
    decode.components = decode.info.num_components;
    (void)jpeg_start_decompress(&decode.info);
    const JDIMENSION row_size =
        decode.info.output_width * static_cast<JDIMENSION>(decode.info.output_components);
    JSAMPARRAY row = (*decode.info.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&decode.info),
                                                      JPOOL_IMAGE, row_size, 1);
    while (decode.info.output_scanline < decode.info.output_height) {
        // From memory libjpeg never suspends: no row means something is wrong.
        if (jpeg_read_scanlines(&decode.info, row, 1) != 1) {
            decode.end = DecodeEnd::no_rows;
            break;
        }
    }
    if (decode.end == DecodeEnd::decoded) (void)jpeg_finish_decompress(&decode.info);
    jpeg_destroy_decompress(&decode.info);
}

// libjpeg's message as printable ASCII.
std::string libjpeg_message(const JpegDecode& decode) {
    const std::size_t length = strnlen(decode.message, sizeof decode.message);
    std::string text;
    for (std::size_t i = 0; i < length; ++i) {
        const auto c = static_cast<unsigned char>(decode.message[i]);
        text += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
    }
    return text.empty() ? std::string("no reason given") : text;
}

}  // namespace

bool has_jpeg_signature(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;
}

Result<JpegHeader> read_jpeg_header(std::span<const std::uint8_t> bytes) {
    if (!has_jpeg_signature(bytes)) return invalid("does not start with an SOI marker");
    JpegHeader header;
    bool frame = false;
    const std::size_t size = bytes.size();
    std::size_t at = 2;
    for (;;) {
        if (at >= size) return invalid("is truncated (it ends before its image data)");
        if (bytes[at] != 0xFF) {
            return invalid("has no marker where one is expected (byte " + std::to_string(at) + ")");
        }
        while (at < size && bytes[at] == 0xFF) ++at;  // fill bytes (T.81 §B.1.1.2)
        if (at >= size) return invalid("is truncated (it ends before its image data)");
        const std::uint8_t marker = bytes[at];
        const std::size_t marker_at = at - 1;
        ++at;
        // TEM and RSTn stand alone (T.81 §B.1.1.3); FF00 belongs in entropy-coded data only.
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;
        if (marker == 0x00) {
            return invalid("has a stray FF00 before its image data (byte " +
                           std::to_string(marker_at) + ")");
        }
        if (marker == 0xD8) return invalid("has a second SOI marker");
        if (marker == 0xD9) return invalid("ends (EOI) before any image data");
        if (size - at < 2) return invalid("is truncated inside a marker segment");
        const std::size_t length = be16(bytes.data() + at);
        if (length < 2) {
            return invalid("has a " + hex_marker(marker) + " segment at byte " +
                           std::to_string(marker_at) + " with an invalid length (" +
                           std::to_string(length) + ")");
        }
        if (length > size - at) {
            return invalid("has a " + hex_marker(marker) + " segment at byte " +
                           std::to_string(marker_at) + " whose length (" + std::to_string(length) +
                           ") runs past the end of the file");
        }
        const std::span<const std::uint8_t> segment = bytes.subspan(at + 2, length - 2);
        at += length;

        if (const char* refused = refused_frame(marker)) {
            return fail(Errc::invalid_document,
                        std::string("the logo is ") + refused +
                            "; only baseline, extended or progressive JPEGs are accepted");
        }
        if (marker == 0xC0 || marker == 0xC1 || marker == 0xC2) {
            if (frame) return invalid("has a second frame header (SOF)");
            SIGNET_CHECK(read_frame(segment, marker, header));
            frame = true;
        } else if (marker == 0xEE && segment.size() >= 12 &&
                   std::memcmp(segment.data(), "Adobe", 5) == 0) {
            // APP14 "Adobe": version (2 bytes), flags0 (2), flags1 (2), transform (1).
            header.adobe = true;
            header.adobe_transform = segment[11];
        } else if (marker == 0xDA) {  // SOS: the entropy-coded data follows
            if (!frame) return invalid("has image data (SOS) before any frame header (SOF)");
            return header;
        }
    }
}

Result<LogoImage> read_jpeg(std::span<const std::uint8_t> bytes) {
    JpegHeader header;
    SIGNET_TRY(header, read_jpeg_header(bytes));
    // A file cut short still decodes in libjpeg (with a warning and grey rows); EOI is the
    // last thing an encoder writes (T.81 §B.2.1).
    const std::size_t size = bytes.size();
    if (size < 4 || bytes[size - 2] != 0xFF || bytes[size - 1] != 0xD9) {
        return invalid("is truncated (it does not end with an EOI marker)");
    }

    JpegDecode decode{};
    decode_once(decode, bytes.data(), bytes.size());
    switch (decode.end) {
        case DecodeEnd::decoded:
            break;
        case DecodeEnd::error:
            return invalid("is invalid: " + libjpeg_message(decode));
        case DecodeEnd::warning:
            return invalid("is corrupt or truncated (" + libjpeg_message(decode) + ")");
        case DecodeEnd::too_many_scans:
            return fail(Errc::invalid_document,
                        "the logo's JPEG has more than " + std::to_string(max_scans) + " scans");
        case DecodeEnd::no_rows:
            return invalid("is corrupt or truncated");
    }
    if (decode.width != header.width || decode.height != header.height ||
        decode.components != static_cast<int>(header.components)) {
        return invalid("declares a frame that libjpeg reads differently");
    }

    LogoImage logo;
    logo.format = Format::jpeg;
    logo.width = header.width;
    logo.height = header.height;
    logo.colour = header.components == 1   ? Colour::gray
                  : header.components == 3 ? Colour::rgb
                                           : Colour::cmyk;
    logo.data.assign(bytes.begin(), bytes.end());
    // Adobe's inverted CMYK, as Photoshop writes it and Pillow and ImageMagick read every
    // 4-component JPEG: the PDF needs /Decode [1 0 1 0 1 0 1 0] (docs/research/issue21-podofo.md).
    logo.inverted_cmyk = header.components == 4;
    return logo;
}

}  // namespace signet::image
