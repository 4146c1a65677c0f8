#pragma once
// Fitting a box's lines of text into its rectangle: each line wrapped at spaces (or, for a word
// wider than the box, inside it) and all of them shrunk together until the block fits. The font
// is given as a width function, so that the layout can be tested without a document.

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace signet::pdf {

struct TextBlock {
    double size = 0;                 // points, of the lines after the first
    std::vector<std::string> lines;  // as drawn, the title's first
    std::size_t title_lines = 0;     // how many of `lines` the first line of text became
};

struct TextStyle {
    double max_size = 10.0;     // points, for the lines after the first
    double min_size = 3.0;      // below this nobody reads it
    double title_scale = 1.2;   // the first line's size / the others'
    double leading = 1.2;       // a line's height / its size
};

// The width of UTF-8 text at one point of size.
using TextWidth = std::function<double(const std::string&)>;

// The largest layout (in quarter points) of `texts` that fits `width` x `height`, or nullopt
// when even min_size does not fit.
std::optional<TextBlock> fit_text(const std::vector<std::string>& texts, double width, double height,
                                  const TextWidth& unit_width, const TextStyle& style = {});

// `text` broken into lines no wider than `width` (at `size`): at spaces, and inside a word only
// when the word alone is too wide.
std::vector<std::string> wrap_text(const std::string& text, double width, double size, const TextWidth& unit_width);

}  // namespace signet::pdf
