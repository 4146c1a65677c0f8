#pragma once
// The parent's checks of what a PDF worker returns. The worker parsed a hostile document and
// may be running the document's code by now, so nothing it says is believed until checked
// against what the parent knows: the size of the original it sent and the placeholder size it
// asked for. The original itself never comes back: the parent appends the update to its own
// copy, so what the client sent is what gets signed.

#include <cstddef>
#include <span>

#include "pdf/prepare.hpp"
#include "base/error.hpp"

namespace signet::pdf {

// Passes when `prepared` is an incremental update (ISO 32000-1 §7.5.6) to follow
// `original_size` bytes, holding one placeholder of `contents_size` bytes whose ByteRange
// (ISO 32000-1 §12.8.1) covers all of original + update but the "<00...00>" of /Contents:
// byte_range[0] == 0, the placeholder lies in the update, byte_range[1] + 2 * contents_size +
// 2 == byte_range[2], byte_range[2] + byte_range[3] == the signed file's size. Fails with
// Errc::unavailable saying which check.
Status check_prepared(std::size_t original_size, std::size_t contents_size,
                      const PreparedDocument& prepared);

// Passes when `update` could be an incremental update: not empty, and its last bytes are
// "startxref", an offset and "%%EOF" (ISO 32000-1 §7.5.5), as a reader looks for them. What
// the objects before it say is not checked: the parent parses no PDF, as for a prepared update,
// whose placeholder check_prepared checks and whose objects it does not.
Status check_update_tail(std::span<const std::uint8_t> update);

}  // namespace signet::pdf
