#include "pdf/previous_xref.hpp"

#include <charconv>
#include <string>
#include <string_view>

namespace signet::pdf {
namespace {

constexpr std::size_t tail_size = 1024;
constexpr std::string_view startxref_keyword = "startxref";

bool is_whitespace(char c) {
    // ISO 32000-1 §7.2.2, Table 1.
    return c == '\0' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

bool is_delimiter(char c) {
    // ISO 32000-1 §7.2.2, Table 2.
    return std::string_view("()<>[]{}/%").find(c) != std::string_view::npos;
}

std::size_t skip_whitespace(std::string_view text, std::size_t at) {
    while (at < text.size() && is_whitespace(text[at])) ++at;
    return at;
}

// Reads an unsigned decimal number at `at` that ends at whitespace, a delimiter or the end of
// `text`. Moves `at` past it.
bool read_number(std::string_view text, std::size_t& at, std::size_t& value) {
    const char* first = text.data() + at;
    const char* last = text.data() + text.size();
    auto [end, error] = std::from_chars(first, last, value);
    if (error != std::errc{} || end == first) return false;
    at = static_cast<std::size_t>(end - text.data());
    return at == text.size() || is_whitespace(text[at]) || is_delimiter(text[at]);
}

// "N G obj": the header of an indirect object (ISO 32000-1 §7.3.10), here the cross-reference
// stream's.
bool is_object_header(std::string_view text, std::size_t at) {
    std::size_t number = 0;
    std::size_t generation = 0;
    if (!read_number(text, at, number)) return false;
    std::size_t after_number = at;
    at = skip_whitespace(text, at);
    if (at == after_number || !read_number(text, at, generation)) return false;
    std::size_t after_generation = at;
    at = skip_whitespace(text, at);
    constexpr std::string_view obj = "obj";
    return at > after_generation && text.substr(at, obj.size()) == obj &&
           (at + obj.size() == text.size() || is_whitespace(text[at + obj.size()]) ||
            is_delimiter(text[at + obj.size()]));
}

}  // namespace

Result<PreviousXref> find_previous_xref(std::span<const std::uint8_t> document) {
    const std::string_view text(reinterpret_cast<const char*>(document.data()), document.size());
    const std::size_t tail_start = text.size() > tail_size ? text.size() - tail_size : 0;
    const std::size_t keyword = text.substr(tail_start).rfind(startxref_keyword);
    if (keyword == std::string_view::npos) {
        return fail(Errc::invalid_document,
                    "the document is truncated or damaged: it does not end with a startxref "
                    "(ISO 32000-1 §7.5.5)");
    }
    std::size_t at = skip_whitespace(text, tail_start + keyword + startxref_keyword.size());
    PreviousXref previous;
    if (!read_number(text, at, previous.offset)) {
        return fail(Errc::invalid_document,
                    "the document is damaged: its final startxref is not followed by an offset");
    }
    if (previous.offset >= text.size()) {
        return fail(Errc::invalid_document,
                    "the document is truncated or damaged: its final startxref points beyond its "
                    "end");
    }
    // Whitespace before the section is tolerated, as readers tokenise from the offset.
    const std::size_t section = skip_whitespace(text, previous.offset);
    constexpr std::string_view xref_keyword = "xref";
    if (text.substr(section, xref_keyword.size()) == xref_keyword &&
        section + xref_keyword.size() < text.size() &&
        is_whitespace(text[section + xref_keyword.size()])) {
        previous.is_stream = false;
        return previous;
    }
    if (is_object_header(text, section)) {
        previous.is_stream = true;
        return previous;
    }
    return fail(Errc::invalid_document,
                "the document is damaged: its final startxref does not point at a "
                "cross-reference section");
}

}  // namespace signet::pdf
