#pragma once
// The cross-reference section an incremental update chains to (ISO 32000-1 §7.5.6): the one
// the file's last startxref names (§7.5.5). Read from the file's tail by signet itself, not
// taken from PoDoFo, which repairs a startxref that points past the end of the file and would
// let an update chain to a section that a reader without that repair cannot find.

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/error.hpp"

namespace signet::pdf {

struct PreviousXref {
    std::size_t offset = 0;  // the last startxref value: the new section's /Prev
    bool is_stream = false;  // a cross-reference stream (§7.5.8), else a table (§7.5.4)
};

// Finds the last "startxref" in the final 1024 bytes of `document` (§7.5.5 puts it at the
// very end, before %%EOF; the margin allows for trailing garbage that readers tolerate), reads
// its offset, and checks what lies there: "xref" (a table) or "N G obj" (a cross-reference
// stream). Errc::invalid_document with a sentence otherwise.
Result<PreviousXref> find_previous_xref(std::span<const std::uint8_t> document);

}  // namespace signet::pdf
