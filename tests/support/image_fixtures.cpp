#include "tests/support/image_fixtures.hpp"

#include <array>
#include <cstdio>  // jpeglib.h uses FILE and size_t without including their headers
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include <jpeglib.h>
#include <zlib.h>

namespace signet::image::test {
namespace {

void put32(Bytes& out, std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(value >> shift));
}

std::uint32_t be32(const std::uint8_t* at) {
    return (std::uint32_t{at[0]} << 24) | (std::uint32_t{at[1]} << 16) |
           (std::uint32_t{at[2]} << 8) | std::uint32_t{at[3]};
}

constexpr std::array<std::uint8_t, 8> signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

unsigned channels_of(std::uint8_t colour_type) {
    switch (colour_type) {
        case png_gray:
        case png_palette:
            return 1;
        case png_gray_alpha:
            return 2;
        case png_rgb:
            return 3;
        default:
            return 4;
    }
}

Bytes ihdr(std::uint32_t width, std::uint32_t height, std::uint8_t depth, std::uint8_t colour_type,
           bool interlaced) {
    Bytes data;
    put32(data, width);
    put32(data, height);
    data.insert(data.end(),
                {depth, colour_type, 0, 0, static_cast<std::uint8_t>(interlaced ? 1 : 0)});
    return data;
}

// The rows of one (sub-)image, each with filter type 0, samples packed MSB first (§7.2).
void append_rows(Bytes& raw, const PngSpec& spec, std::uint32_t x0, std::uint32_t y0,
                 std::uint32_t dx, std::uint32_t dy) {
    const unsigned channels = channels_of(spec.colour_type);
    for (std::uint32_t y = y0; y < spec.height; y += dy) {
        if (x0 >= spec.width) return;  // an empty pass has no rows at all
        raw.push_back(0);
        unsigned bits = 0;
        unsigned accumulator = 0;
        for (std::uint32_t x = x0; x < spec.width; x += dx) {
            for (unsigned c = 0; c < channels; ++c) {
                const std::uint16_t value =
                    spec.samples[(std::size_t{y} * spec.width + x) * channels + c];
                if (spec.bit_depth == 16) {
                    raw.push_back(static_cast<std::uint8_t>(value >> 8));
                    raw.push_back(static_cast<std::uint8_t>(value & 0xff));
                } else if (spec.bit_depth == 8) {
                    raw.push_back(static_cast<std::uint8_t>(value));
                } else {
                    accumulator = (accumulator << spec.bit_depth) | value;
                    bits += spec.bit_depth;
                    if (bits == 8) {
                        raw.push_back(static_cast<std::uint8_t>(accumulator));
                        bits = 0;
                        accumulator = 0;
                    }
                }
            }
        }
        if (bits != 0) raw.push_back(static_cast<std::uint8_t>(accumulator << (8 - bits)));
    }
}

Bytes deflate(std::span<const std::uint8_t> raw) {
    uLongf length = compressBound(static_cast<uLong>(raw.size()));
    Bytes out(length);
    if (compress2(out.data(), &length, raw.data(), static_cast<uLong>(raw.size()), 9) != Z_OK) {
        throw std::runtime_error("compress2 failed");
    }
    out.resize(length);
    return out;
}

}  // namespace

Bytes png_chunk(std::string_view type, std::span<const std::uint8_t> data) {
    Bytes out;
    put32(out, static_cast<std::uint32_t>(data.size()));
    out.insert(out.end(), type.begin(), type.end());
    out.insert(out.end(), data.begin(), data.end());
    uLong crc = crc32(0, reinterpret_cast<const Bytef*>(type.data()), 4);
    crc = crc32(crc, data.data(), static_cast<uInt>(data.size()));
    put32(out, static_cast<std::uint32_t>(crc));
    return out;
}

Bytes png_header_only(std::uint32_t width, std::uint32_t height) {
    Bytes out(signature.begin(), signature.end());
    const Bytes header = png_chunk("IHDR", ihdr(width, height, 8, png_rgb, false));
    out.insert(out.end(), header.begin(), header.end());
    const Bytes end = png_chunk("IEND", {});
    out.insert(out.end(), end.begin(), end.end());
    return out;
}

Bytes encode_png(const PngSpec& spec) {
    Bytes out(signature.begin(), signature.end());
    auto add = [&out](std::string_view type, std::span<const std::uint8_t> data) {
        const Bytes chunk = png_chunk(type, data);
        out.insert(out.end(), chunk.begin(), chunk.end());
    };
    add("IHDR", ihdr(spec.width, spec.height, spec.bit_depth, spec.colour_type, spec.interlaced));
    if (!spec.palette.empty()) add("PLTE", spec.palette);
    if (!spec.trns.empty()) add("tRNS", spec.trns);
    for (const auto& [type, data] : spec.extra_chunks) add(type, data);
    Bytes raw;
    if (spec.interlaced) {
        // Adam7 (§8.2): x0, y0, dx, dy of the seven passes.
        static constexpr std::array<std::array<std::uint32_t, 4>, 7> passes = {{{0, 0, 8, 8},
                                                                                {4, 0, 8, 8},
                                                                                {0, 4, 4, 8},
                                                                                {2, 0, 4, 4},
                                                                                {0, 2, 2, 4},
                                                                                {1, 0, 2, 2},
                                                                                {0, 1, 1, 2}}};
        for (const auto& p : passes) append_rows(raw, spec, p[0], p[1], p[2], p[3]);
    } else {
        append_rows(raw, spec, 0, 0, 1, 1);
    }
    add("IDAT", deflate(raw));
    add("IEND", {});
    return out;
}

std::size_t find_png_chunk(std::span<const std::uint8_t> png, std::string_view type) {
    for (std::size_t at = 8; at + 12 <= png.size(); at += 12 + be32(png.data() + at)) {
        if (std::memcmp(png.data() + at + 4, type.data(), 4) == 0) return at + 8;
    }
    throw std::runtime_error("no such chunk");
}

Bytes encode_jpeg(const JpegSpec& spec) {
    jpeg_compress_struct info{};
    jpeg_error_mgr errors{};
    info.err = jpeg_std_error(&errors);  // a failure here is a broken set-up: libjpeg exits
    jpeg_create_compress(&info);
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    jpeg_mem_dest(&info, &buffer, &size);
    info.image_width = spec.width;
    info.image_height = spec.height;
    info.input_components = spec.components;
    info.in_color_space = spec.components == 1   ? JCS_GRAYSCALE
                          : spec.components == 3 ? JCS_RGB
                                                 : JCS_CMYK;
    jpeg_set_defaults(&info);  // CMYK input: CMYK output with Adobe's APP14 marker
    jpeg_set_quality(&info, 90, TRUE);
    std::vector<jpeg_scan_info> scans;
    if (spec.many_scans) {
        // Successive approximation everywhere: DC in 2 scans, each AC coefficient in 3.
        auto scan = [&scans](int ss, int se, int ah, int al) {
            jpeg_scan_info s{};
            s.comps_in_scan = 1;
            s.component_index[0] = 0;
            s.Ss = ss;
            s.Se = se;
            s.Ah = ah;
            s.Al = al;
            scans.push_back(s);
        };
        scan(0, 0, 0, 1);
        scan(0, 0, 1, 0);
        for (int k = 1; k < 64; ++k) scan(k, k, 0, 2);
        for (int k = 1; k < 64; ++k) scan(k, k, 2, 1);
        for (int k = 1; k < 64; ++k) scan(k, k, 1, 0);
        info.scan_info = scans.data();
        info.num_scans = static_cast<int>(scans.size());
    } else if (spec.progressive) {
        jpeg_simple_progression(&info);
    }
    jpeg_start_compress(&info, TRUE);
    const auto components = static_cast<unsigned>(spec.components);
    std::vector<JSAMPLE> row(std::size_t{spec.width} * components);
    while (info.next_scanline < info.image_height) {
        const unsigned y = info.next_scanline;
        for (unsigned x = 0; x < spec.width; ++x) {
            for (unsigned c = 0; c < components; ++c) {
                row[x * components + c] =
                    static_cast<JSAMPLE>((x * 255 / spec.width + y * 2 + c * 60) & 0xff);
            }
        }
        JSAMPROW rows[1] = {row.data()};
        jpeg_write_scanlines(&info, rows, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    Bytes out(buffer, buffer + size);
    std::free(buffer);
    return out;
}

std::size_t find_jpeg_segment(std::span<const std::uint8_t> jpeg, std::uint8_t marker) {
    std::size_t at = 2;
    while (at + 4 <= jpeg.size() && jpeg[at] == 0xFF) {
        if (jpeg[at + 1] == marker) return at + 2;
        if (jpeg[at + 1] == 0xDA) break;
        at += 2 + ((std::size_t{jpeg[at + 2]} << 8) | jpeg[at + 3]);
    }
    throw std::runtime_error("no such marker segment");
}

Bytes inflate(std::span<const std::uint8_t> compressed, std::size_t expected) {
    Bytes out(expected + 1);  // one spare byte: more output than expected is seen, not cut
    uLongf length = static_cast<uLongf>(out.size());
    const int status =
        uncompress(out.data(), &length, compressed.data(), static_cast<uLong>(compressed.size()));
    BOOST_REQUIRE_EQUAL(status, Z_OK);
    BOOST_REQUIRE_EQUAL(length, expected);
    out.resize(length);
    return out;
}

}  // namespace signet::image::test
