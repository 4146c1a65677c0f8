#pragma once
// The /ByteRange and /Contents placeholder of a prepared document: finding PoDoFo's
// placeholder in the written bytes, fixing the ByteRange numbers in place, and the SHA-256 over
// the two signed ranges (ISO 32000-1 §12.8.1: everything but the <...> of /Contents).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "policy/error.hpp"

namespace signet::pdf {

struct Placeholder {
    std::array<std::size_t, 4> byte_range{};  // 0, offset of '<', offset after '>', rest
    std::size_t contents_offset = 0;          // first hex digit
    std::size_t contents_size = 0;            // bytes of DER that fit (hex digits / 2)
};

// Finds the one placeholder that PoDoFo's PdfSignatureField::SetSignature wrote,
// "/ByteRange[ 0 1234567890 1234567890 1234567890]/Contents<00...00>", at or after `from` (the
// start of the incremental update), checks that its /Contents holds 2 * `contents_size` zeros,
// and rewrites the four numbers in place, padded with spaces so that no byte moves.
Result<Placeholder> patch_byte_range(std::span<std::uint8_t> bytes, std::size_t from,
                                     std::size_t contents_size);

// SHA-256 over bytes[r0, r0 + r1) followed by bytes[r2, r2 + r3), without copying.
Result<std::array<std::uint8_t, 32>> byte_range_digest(std::span<const std::uint8_t> bytes,
                                                       const std::array<std::size_t, 4>& range);

}  // namespace signet::pdf
