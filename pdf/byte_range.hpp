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
#include "base/ssl_ptr.hpp"

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

// The SHA-256 state after a document's bytes, taken in one pass: the document's own digest,
// and the digests of files that begin with it (the ByteRange of a signature the update adds,
// the signed file), each from a copy of the state and the update's bytes alone. A 10 MB
// document is then read once per seal instead of three times (docs/performance.md, issue 19).
class PrefixDigest {
public:
    static Result<PrefixDigest> of(std::span<const std::uint8_t> document);
    std::size_t size() const { return size_; }
    // SHA-256 of the document.
    std::array<std::uint8_t, 32> digest() const { return digest_; }
    // SHA-256 of the document followed by `tail`.
    Result<std::array<std::uint8_t, 32>> followed_by(std::span<const std::uint8_t> tail) const;
    // byte_range_digest(document, update, range), for a range whose first part covers the
    // whole document (an update's placeholder: internal error otherwise).
    Result<std::array<std::uint8_t, 32>> byte_range(std::span<const std::uint8_t> update,
                                                    const std::array<std::size_t, 4>& range) const;

private:
    MdCtx state_;
    std::size_t size_ = 0;
    std::array<std::uint8_t, 32> digest_{};
};

}  // namespace signet::pdf
