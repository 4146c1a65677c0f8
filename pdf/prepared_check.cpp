#include "pdf/prepared_check.hpp"

#include <algorithm>
#include <string>

namespace signet::pdf {

Status check_prepared(std::span<const std::uint8_t> original, std::size_t contents_size,
                      const PreparedDocument& prepared) {
    auto refuse = [](const std::string& what) {
        return fail(Errc::unavailable, "the worker's reply is inconsistent: " + what);
    };
    const std::span<const std::uint8_t> bytes(prepared.bytes);
    const auto& r = prepared.byte_range;
    // An incremental update only appends: the original is untouched at the front, so what
    // the client sent is what gets signed.
    if (bytes.size() <= original.size() ||
        !std::equal(original.begin(), original.end(), bytes.begin())) {
        return refuse("the bytes do not start with the original document");
    }
    if (prepared.contents_size != contents_size) {
        return refuse("the placeholder is not of the size asked for");
    }
    // Each comparison keeps the next subtraction or multiplication in range.
    if (r[0] != 0 || r[1] < original.size() || r[1] >= bytes.size() ||
        contents_size > (bytes.size() - r[1]) / 2 ||
        r[2] != r[1] + 2 * contents_size + 2 || r[2] > bytes.size() ||
        r[3] != bytes.size() - r[2]) {
        return refuse("the ByteRange does not cover the document around one placeholder");
    }
    if (prepared.contents_offset != r[1] + 1 || bytes[r[1]] != '<' || bytes[r[2] - 1] != '>') {
        return refuse("the placeholder is not a hex string between the two ranges");
    }
    auto digits = bytes.subspan(prepared.contents_offset, 2 * contents_size);
    if (std::any_of(digits.begin(), digits.end(), [](std::uint8_t c) { return c != '0'; })) {
        return refuse("the placeholder is not all zeros");
    }
    return {};
}

}  // namespace signet::pdf
