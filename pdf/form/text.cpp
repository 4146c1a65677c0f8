#include "pdf/form/text.hpp"

#include <cstdio>
#include <ctime>
#include <optional>

namespace signet::pdf {
namespace {

// Decodes one UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
std::optional<char32_t> next_code_point(std::string_view text, std::size_t& at) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    unsigned char lead = byte(at);
    std::size_t length = 0;
    char32_t value = 0;
    char32_t minimum = 0;
    if (lead < 0x80) {
        ++at;
        return lead;
    } else if ((lead & 0xE0) == 0xC0) {
        length = 2, value = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, value = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, value = lead & 0x07, minimum = 0x10000;
    } else {
        return std::nullopt;
    }
    if (text.size() - at < length) return std::nullopt;
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(at + i) & 0xC0) != 0x80) return std::nullopt;
        value = (value << 6) | (byte(at + i) & 0x3F);
    }
    if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
        return std::nullopt;
    }
    at += length;
    return value;
}

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        // to_font_text writes nothing above U+FFFF, so three bytes are the most it needs.
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
    for (std::size_t at = 0; at < text.size();) {
        if (!next_code_point(text, at)) return false;
    }
    return true;
}

Result<std::string> to_font_text(std::string_view line, const std::function<bool(char32_t)>& has_glyph) {
    std::string out;
    out.reserve(line.size());
    for (std::size_t at = 0; at < line.size();) {
        std::optional<char32_t> c = next_code_point(line, at);
        if (!c) return fail(Errc::bad_request, "an appearance line is not valid UTF-8");
        if (*c < 0x20 || (*c >= 0x7F && *c < 0xA0) || *c == 0xA0) {  // C0, DEL, C1, no-break space
            out.push_back(' ');
        } else {
            append_utf8(out, *c <= 0xFFFF && has_glyph(*c) ? *c : U'?');
        }
    }
    return out;
}

Result<std::string> pdf_date(std::chrono::system_clock::time_point time) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm utc{};
    if (gmtime_r(&seconds, &utc) == nullptr || utc.tm_year < 0 || utc.tm_year > 9999 - 1900) {
        return fail(Errc::bad_request, "the signing time is outside the years 1900-9999");
    }
    char text[32];
    int length =
        std::snprintf(text, sizeof text, "D:%04d%02d%02d%02d%02d%02d+00'00'", utc.tm_year + 1900,
                      utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
    if (length <= 0 || static_cast<std::size_t>(length) >= sizeof text) {
        return fail(Errc::internal, "formatting the signing time");
    }
    return std::string(text, static_cast<std::size_t>(length));
}

}  // namespace signet::pdf
