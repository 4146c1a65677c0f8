#pragma once
// UTF-8 text from requests, checked before it reaches PoDoFo (whose converters trust their
// input) and fitted to what our base-14 font can show.

#include <chrono>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace signet::pdf {

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text);

// The UTF-8 `line` with every character that WinAnsiEncoding (ISO 32000-1 Annex D.2, the
// encoding of our base-14 font) cannot show replaced by '?' and control characters by spaces,
// still as UTF-8. Invalid UTF-8 is Errc::bad_request.
Result<std::string> to_win_ansi_text(std::string_view line);

// A date of ISO 32000-1 §7.9.4 ("D:YYYYMMDDHHmmSS+00'00'"), in UTC: PdfDate would use the
// process's local time zone and localtime(), which is not thread-safe. Errc::bad_request
// outside the years 1900-9999.
Result<std::string> pdf_date(std::chrono::system_clock::time_point time);

}  // namespace signet::pdf
