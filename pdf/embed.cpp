// Embedding the CMS is a byte patch of the placeholder that prepare() reserved (DESIGN.md: the
// daemon never parses a PDF). The ByteRange already excludes the whole <...>, so the digest
// that was signed stays true whatever goes inside.

#include <algorithm>
#include <string>
#include <vector>

#include "pdf/prepare.hpp"

namespace signet::pdf {

Status embed(PreparedDocument& document, std::span<const std::uint8_t> cms) {
    if (cms.size() > document.contents_size) {
        return fail(Errc::internal, "the signature (" + std::to_string(cms.size()) +
                                        " bytes) does not fit the reserved " +
                                        std::to_string(document.contents_size) + " bytes");
    }
    const std::size_t digits = 2 * document.contents_size;
    std::vector<std::uint8_t>& update = document.update;
    // The placeholder lies in the update, which follows the original in the signed file.
    if (document.contents_offset <= document.original_size ||
        document.contents_offset - document.original_size > update.size() ||
        digits >= update.size() - (document.contents_offset - document.original_size)) {
        return fail(Errc::internal, "the signature placeholder lies outside the update");
    }
    const std::size_t at = document.contents_offset - document.original_size;
    if (update[at - 1] != '<' || update[at + digits] != '>') {
        return fail(Errc::internal, "the signature placeholder is not where the document says");
    }
    // The rest of the placeholder is '0' (rewritten, so a second embed leaves no tail of the
    // first): the DER's own length tells a reader where the CMS ends, and ISO 32000-1 §12.8.1
    // lets the zero padding stand.
    static constexpr char hex[] = "0123456789ABCDEF";
    std::uint8_t* out = update.data() + at;
    std::uint8_t* const end = out + digits;
    for (std::uint8_t byte : cms) {
        *out++ = static_cast<std::uint8_t>(hex[byte >> 4]);
        *out++ = static_cast<std::uint8_t>(hex[byte & 0x0F]);
    }
    std::fill(out, end, static_cast<std::uint8_t>('0'));
    return {};
}

}  // namespace signet::pdf
