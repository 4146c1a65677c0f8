#pragma once
// UTF-8 text from requests, checked before it reaches PoDoFo (whose converters trust their
// input) and fitted to what the appearance font can show; and the dates PDF files carry.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace signet::pdf {

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text);

// The UTF-8 `line` as a box can show it, still UTF-8: control characters and no-break spaces
// become spaces (a subset font's /ToUnicode maps a glyph to one character, and the space's
// glyph is the no-break space's too), and a character `has_glyph` says the font lacks becomes
// '?', as does anything beyond the Basic Multilingual Plane (PoDoFo 0.9.8 draws UTF-16 code
// units one by one). Invalid UTF-8 is Errc::bad_request.
Result<std::string> to_font_text(std::string_view line, const std::function<bool(char32_t)>& has_glyph);

// A date of ISO 32000-1 §7.9.4 ("D:YYYYMMDDHHmmSS+00'00'"), in UTC: PdfDate would use the
// process's local time zone and localtime(), which is not thread-safe. Errc::bad_request
// outside the years 1900-9999.
Result<std::string> pdf_date(std::chrono::system_clock::time_point time);

}  // namespace signet::pdf
