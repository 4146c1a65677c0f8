#pragma once
// The /ByteRange and /Contents placeholder of a prepared document: finding PoDoFo's
// placeholder in the written update, fixing the ByteRange numbers in place, and the SHA-256
// over the two signed ranges (ISO 32000-1 §12.8.1: everything but the <...> of /Contents) of
// the signed file, the original followed by the update.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/error.hpp"

namespace signet::pdf {

// Offsets in the signed file.
struct Placeholder {
    std::array<std::size_t, 4> byte_range{};  // 0, offset of '<', offset after '>', rest
    std::size_t contents_offset = 0;          // first hex digit
    std::size_t contents_size = 0;            // bytes of DER that fit (hex digits / 2)
};

// Finds the one placeholder that PoDoFo's PdfSignatureField::SetSignature wrote,
// "/ByteRange[ 0 1234567890 1234567890 1234567890]/Contents<00...00>", in `update`, which
// follows `update_offset` bytes of original in the signed file, checks that its /Contents
// holds 2 * `contents_size` zeros, and rewrites the four numbers in place, padded with spaces
// so that no byte moves.
Result<Placeholder> patch_byte_range(std::span<std::uint8_t> update, std::size_t update_offset,
                                     std::size_t contents_size);

// SHA-256 over file[r0, r0 + r1) followed by file[r2, r2 + r3), where file is `original`
// followed by `update`, without joining them.
Result<std::array<std::uint8_t, 32>> byte_range_digest(std::span<const std::uint8_t> original,
                                                       std::span<const std::uint8_t> update,
                                                       const std::array<std::size_t, 4>& range);

}  // namespace signet::pdf
