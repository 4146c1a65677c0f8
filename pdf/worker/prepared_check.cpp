#include "pdf/worker/prepared_check.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <span>
#include <string>

namespace signet::pdf {

Status check_prepared(std::size_t original_size, std::size_t contents_size,
                      const PreparedDocument& prepared) {
    auto refuse = [](const std::string& what) {
        return fail(Errc::unavailable, "the worker's reply is inconsistent: " + what);
    };
    const std::span<const std::uint8_t> update(prepared.update);
    const auto& r = prepared.byte_range;
    if (prepared.original_size != original_size) {
        return refuse("it describes an original of another size");
    }
    if (update.empty()) {
        return refuse("it holds no update");
    }
    if (prepared.contents_size != contents_size) {
        return refuse("the placeholder is not of the size asked for");
    }
    // Each comparison keeps the next subtraction or multiplication in range (both sizes are
    // bounded by the wire's frame limits, far below SIZE_MAX).
    const std::size_t size = original_size + update.size();
    if (r[0] != 0 || r[1] < original_size || r[1] >= size || contents_size > (size - r[1]) / 2 ||
        r[2] != r[1] + 2 * contents_size + 2 || r[2] > size || r[3] != size - r[2]) {
        return refuse("the ByteRange does not cover the document around one placeholder");
    }
    const std::size_t open = r[1] - original_size;
    const std::size_t close = r[2] - 1 - original_size;
    if (prepared.contents_offset != r[1] + 1 || update[open] != '<' || update[close] != '>') {
        return refuse("the placeholder is not a hex string between the two ranges");
    }
    auto digits = update.subspan(open + 1, 2 * contents_size);
    if (std::any_of(digits.begin(), digits.end(), [](std::uint8_t c) { return c != '0'; })) {
        return refuse("the placeholder is not all zeros");
    }
    return {};
}

Status check_update_tail(std::span<const std::uint8_t> update) {
    std::string_view text(reinterpret_cast<const char*>(update.data()), update.size());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (!text.ends_with("%%EOF")) return fail(Errc::unavailable, "the update does not end with %%EOF");
    text.remove_suffix(5);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    std::size_t digits = 0;
    while (digits < text.size() && digits < 20 && std::isdigit(static_cast<unsigned char>(text[text.size() - 1 - digits]))) {
        ++digits;
    }
    text.remove_suffix(digits);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (digits == 0 || !text.ends_with("startxref")) {
        return fail(Errc::unavailable, "the update does not end with startxref, an offset and %%EOF");
    }
    return {};
}

}  // namespace signet::pdf
