#pragma once
// What a reader sees of a page: poppler's pdftoppm renders it at 72 dpi (a pixel is a point),
// pdftotext reads the text of an area. For the appearance tests (issue 21).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace signet::test {

struct Rendering {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> rgb;  // row after row from the top left, 3 bytes a pixel

    struct Pixel {
        int r, g, b;
    };
    Pixel at(int x, int y) const;
    // Pixels in [x1, x2) x [y1, y2) (displayed page, origin top left) that `match`.
    template <class Match>
    int count(int x1, int y1, int x2, int y2, Match match) const {
        int n = 0;
        for (int y = std::max(y1, 0); y < std::min(y2, height); ++y) {
            for (int x = std::max(x1, 0); x < std::min(x2, width); ++x) n += match(at(x, y)) ? 1 : 0;
        }
        return n;
    }
};

// Page `page` of `pdf` as pdftoppm draws it (with /Rotate applied), at 72 dpi.
Rendering render_page(const std::filesystem::path& pdf, int page, const std::filesystem::path& work_dir);

// The text pdftotext -layout finds in the area (displayed page, points from the top left), with
// every run of white space made one space and the ends trimmed.
std::string text_in_area(const std::filesystem::path& pdf, int page, double x, double y, double width, double height);

// A rectangle of the page's user space ([x1 y1 x2 y2]) where the reader sees it: the displayed
// page's pixels from the top left, for a page whose MediaBox is `media` and /Rotate `rotation`.
struct Area {
    double x1, y1, x2, y2;
};
Area displayed_area(const std::vector<double>& rect, const std::vector<double>& media, int rotation);

}  // namespace signet::test
