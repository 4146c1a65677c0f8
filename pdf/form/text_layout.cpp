#include "pdf/form/text_layout.hpp"

#include <cmath>

namespace signet::pdf {
namespace {

// The byte length of the UTF-8 sequence that starts with `lead` (text is checked UTF-8).
std::size_t sequence_length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    return 4;
}

// Splits a word too wide for a line into pieces that fit (at least one character each).
void break_word(const std::string& word, double width, double size, const TextWidth& unit_width,
                std::vector<std::string>& out) {
    std::string piece;
    for (std::size_t at = 0; at < word.size();) {
        std::size_t length = sequence_length(static_cast<unsigned char>(word[at]));
        std::string next = piece + word.substr(at, length);
        if (!piece.empty() && unit_width(next) * size > width) {
            out.push_back(piece);
            piece = word.substr(at, length);
        } else {
            piece = std::move(next);
        }
        at += length;
    }
    if (!piece.empty()) out.push_back(piece);
}

}  // namespace

std::vector<std::string> wrap_text(const std::string& text, double width, double size, const TextWidth& unit_width) {
    std::vector<std::string> words;
    for (std::size_t at = 0; at < text.size();) {
        std::size_t end = text.find(' ', at);
        if (end == std::string::npos) end = text.size();
        if (end > at) words.push_back(text.substr(at, end - at));
        at = end + 1;
    }
    std::vector<std::string> lines;
    std::string line;
    for (const std::string& word : words) {
        std::string longer = line.empty() ? word : line + " " + word;
        if (unit_width(longer) * size <= width) {
            line = std::move(longer);
            continue;
        }
        if (!line.empty()) lines.push_back(std::move(line));
        line.clear();
        if (unit_width(word) * size <= width) {
            line = word;
        } else {
            break_word(word, width, size, unit_width, lines);
            line = lines.back();
            lines.pop_back();
        }
    }
    if (!line.empty()) lines.push_back(std::move(line));
    return lines;
}

std::optional<TextBlock> fit_text(const std::vector<std::string>& texts, double width, double height,
                                  const TextWidth& unit_width, const TextStyle& style) {
    // Quarter points from the largest size down: the first layout that fits is the one drawn.
    for (double size = std::floor(style.max_size * 4) / 4; size >= style.min_size; size -= 0.25) {
        TextBlock block;
        block.size = size;
        double used = 0;
        for (std::size_t i = 0; i < texts.size(); ++i) {
            const double line_size = i == 0 ? size * style.title_scale : size;
            std::vector<std::string> lines = wrap_text(texts[i], width, line_size, unit_width);
            if (lines.empty()) lines.emplace_back();  // an empty line keeps its place
            if (i == 0) block.title_lines = lines.size();
            used += static_cast<double>(lines.size()) * line_size * style.leading;
            for (auto& line : lines) block.lines.push_back(std::move(line));
        }
        if (used <= height) return block;
    }
    return std::nullopt;
}

}  // namespace signet::pdf
