// Embedding the CMS is a byte patch of the placeholder that prepare() reserved (DESIGN.md: the
// daemon never parses a PDF). The ByteRange already excludes the whole <...>, so the digest
// that was signed stays true whatever goes inside.

#include <algorithm>
#include <string>

#include "pdf/prepare.hpp"

namespace signet::pdf {

Status embed(PreparedDocument& document, std::span<const std::uint8_t> cms) {
    if (cms.size() > document.contents_size) {
        return fail(Errc::internal, "the signature (" + std::to_string(cms.size()) +
                                        " bytes) does not fit the reserved " +
                                        std::to_string(document.contents_size) + " bytes");
    }
    const std::size_t digits = 2 * document.contents_size;
    if (document.contents_offset == 0 || document.contents_offset > document.bytes.size() ||
        digits >= document.bytes.size() - document.contents_offset) {
        return fail(Errc::internal, "the signature placeholder lies outside the document");
    }
    if (document.bytes[document.contents_offset - 1] != '<' ||
        document.bytes[document.contents_offset + digits] != '>') {
        return fail(Errc::internal, "the signature placeholder is not where the document says");
    }
    // The rest of the placeholder is '0' (rewritten, so a second embed leaves no tail of the
    // first): the DER's own length tells a reader where the CMS ends, and ISO 32000-1 §12.8.1
    // lets the zero padding stand.
    static constexpr char hex[] = "0123456789ABCDEF";
    std::uint8_t* out = document.bytes.data() + document.contents_offset;
    std::uint8_t* const end = out + digits;
    for (std::uint8_t byte : cms) {
        *out++ = static_cast<std::uint8_t>(hex[byte >> 4]);
        *out++ = static_cast<std::uint8_t>(hex[byte & 0x0F]);
    }
    std::fill(out, end, static_cast<std::uint8_t>('0'));
    return {};
}

}  // namespace signet::pdf
