#pragma once
// UTF-8 text from requests, checked before it reaches PoDoFo (whose converters trust their
// input) and fitted to what our base-14 font can show.

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

}  // namespace signet::pdf
