#pragma once
// The parent's checks of what a PDF worker returns. The worker parsed a hostile document and
// may be running the document's code by now, so nothing it says is believed until checked
// against what the parent knows: the original bytes and the placeholder size it asked for.

#include <cstddef>
#include <cstdint>
#include <span>

#include "pdf/prepare.hpp"
#include "policy/error.hpp"

namespace signet::pdf {

// Passes when `prepared` is `original` plus an appended incremental update (ISO 32000-1
// §7.5.6) holding one placeholder of `contents_size` bytes whose ByteRange (ISO 32000-1
// §12.8.1) covers everything but the "<00...00>" of /Contents: byte_range[0] == 0, the
// placeholder lies in the update, byte_range[1] + 2 * contents_size + 2 == byte_range[2],
// byte_range[2] + byte_range[3] == the size. Fails with Errc::unavailable saying which check.
Status check_prepared(std::span<const std::uint8_t> original, std::size_t contents_size,
                      const PreparedDocument& prepared);

}  // namespace signet::pdf
