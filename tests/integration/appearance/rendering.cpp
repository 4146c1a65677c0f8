#include "tests/integration/appearance/rendering.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "tests/support/process.hpp"

namespace signet::test {

Rendering::Pixel Rendering::at(int x, int y) const {
    const std::size_t i = 3 * (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x));
    return {rgb[i], rgb[i + 1], rgb[i + 2]};
}

Rendering render_page(const std::filesystem::path& pdf, int page, const std::filesystem::path& work_dir) {
    const auto stem = work_dir / ("render-" + pdf.stem().string() + "-" + std::to_string(page));
    auto result = run({"pdftoppm", "-r", "72", "-f", std::to_string(page), "-l", std::to_string(page), "-singlefile",
                       pdf.string(), stem.string()});
    if (result.exit_code != 0) throw std::runtime_error("pdftoppm: " + result.output);
    std::ifstream in(stem.string() + ".ppm", std::ios::binary);
    std::string magic;
    int max_value = 0;
    Rendering image;
    in >> magic >> image.width >> image.height >> max_value;
    in.get();  // the one white-space byte before the samples
    if (magic != "P6" || max_value != 255 || image.width <= 0 || image.height <= 0) {
        throw std::runtime_error("pdftoppm wrote no 8-bit PPM");
    }
    image.rgb.resize(3 * static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height));
    in.read(reinterpret_cast<char*>(image.rgb.data()), static_cast<std::streamsize>(image.rgb.size()));
    if (!in) throw std::runtime_error("the PPM is short");
    return image;
}

std::string text_in_area(const std::filesystem::path& pdf, int page, double x, double y, double width, double height) {
    auto number = [](double value) { return std::to_string(static_cast<int>(value)); };
    auto result = run({"pdftotext", "-layout", "-r", "72", "-f", std::to_string(page), "-l", std::to_string(page), "-x",
                       number(x), "-y", number(y), "-W", number(width), "-H", number(height), pdf.string(), "-"});
    if (result.exit_code != 0) throw std::runtime_error("pdftotext: " + result.output);
    std::string out;
    for (char c : result.output) {
        const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\r';
        if (space) {
            if (!out.empty() && out.back() != ' ') out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

Area displayed_area(const std::vector<double>& r, const std::vector<double>& m, int rotation) {
    // A user-space point (x, y) on the displayed page, from its top left (ISO 32000-1 §8.3.2.3:
    // /Rotate turns the page clockwise).
    const double w = m[2] - m[0];
    const double h = m[3] - m[1];
    auto shown = [&](double x, double y) -> std::pair<double, double> {
        const double u = x - m[0];
        const double v = y - m[1];
        switch (rotation) {
            case 90: return {v, u};
            case 180: return {w - u, v};
            case 270: return {h - v, w - u};
            default: return {u, h - v};
        }
    };
    auto [ax, ay] = shown(r[0], r[1]);
    auto [bx, by] = shown(r[2], r[3]);
    return {std::min(ax, bx), std::min(ay, by), std::max(ax, bx), std::max(ay, by)};
}

}  // namespace signet::test
