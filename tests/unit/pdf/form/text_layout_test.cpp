// The box's text layout: lines wrapped at spaces, words broken only when alone too wide, and
// the whole block shrunk until it fits; measured with a font whose every character is 0.5 wide.

#include <boost/test/unit_test.hpp>

#include "pdf/form/page_box.hpp"
#include "pdf/form/text_layout.hpp"

namespace signet::pdf::test {
namespace {

// Half a point per byte at size 1: easy to reason about.
double half_width(const std::string& text) { return 0.5 * static_cast<double>(text.size()); }

}  // namespace

BOOST_AUTO_TEST_SUITE(text_layout_test)

BOOST_AUTO_TEST_CASE(lines_wrap_at_spaces) {
    // At size 10 each character is 5 points: 30 points hold 6 characters.
    auto lines = wrap_text("Dupré & Fils — Lyon", 30, 10, half_width);
    for (const auto& line : lines) BOOST_TEST(half_width(line) * 10 <= 30);
    BOOST_TEST(lines.front() == "Dupr\xC3\xA9");  // 6 bytes: "Dupré"
    std::string joined;
    for (const auto& line : lines) joined += (joined.empty() ? "" : " ") + line;
    BOOST_TEST(joined == "Dupré & Fils — Lyon");
}

BOOST_AUTO_TEST_CASE(a_word_too_wide_alone_is_broken_between_characters) {
    auto lines = wrap_text("Anticonstitutionnellement", 20, 10, half_width);  // 4 characters a line
    BOOST_TEST(lines.size() == 7u);
    BOOST_TEST(lines.front() == "Anti");
    // A multi-byte character is never cut.
    auto accents = wrap_text("éééé", 10, 10, half_width);  // each é is 2 bytes: 1 a line
    BOOST_TEST(accents.size() == 4u);
    BOOST_TEST(accents.front() == "é");
}

BOOST_AUTO_TEST_CASE(the_block_shrinks_until_it_fits_or_is_refused) {
    const std::vector<std::string> texts{"Cachet électronique", "Société d'Expertise Comptable Dupré & Fils",
                                         "Le 06/12/2026 à 14:00 UTC"};
    auto roomy = fit_text(texts, 400, 100, half_width);
    BOOST_REQUIRE(roomy);
    BOOST_TEST(roomy->size == 10.0);
    BOOST_TEST(roomy->lines.size() == 3u);
    BOOST_TEST(roomy->title_lines == 1u);

    auto tight = fit_text(texts, 100, 60, half_width);
    BOOST_REQUIRE(tight);
    BOOST_TEST(tight->size < 10.0);
    BOOST_TEST(tight->lines.size() > 3u);
    double used = 0;
    for (std::size_t i = 0; i < tight->lines.size(); ++i) {
        const double size = tight->size * (i < tight->title_lines ? 1.2 : 1.0);
        BOOST_TEST(half_width(tight->lines[i]) * size <= 100);
        used += 1.2 * size;
    }
    BOOST_TEST(used <= 60);

    BOOST_TEST(!fit_text(texts, 20, 8, half_width).has_value());
}

BOOST_AUTO_TEST_CASE(a_box_is_upright_on_every_rotation) {
    // A box 200 wide and 50 high in user space.
    auto none = upright_box(200, 50, 0);
    BOOST_TEST(none.width == 200);
    BOOST_TEST(none.height == 50);
    // Turned a quarter clockwise on screen: the reader sees it 50 wide and 200 high, and the
    // form's matrix maps its box [0 0 50 200] back onto [0 0 200 50].
    for (int rotation : {90, 180, 270}) {
        BOOST_TEST_CONTEXT(rotation) {
            auto box = upright_box(200, 50, rotation);
            const auto& m = box.matrix;
            double min_x = 1e9, max_x = -1e9, min_y = 1e9, max_y = -1e9;
            for (auto [u, v] : {std::pair{0.0, 0.0}, {box.width, 0.0}, {0.0, box.height}, {box.width, box.height}}) {
                const double x = m[0] * u + m[2] * v + m[4];
                const double y = m[1] * u + m[3] * v + m[5];
                min_x = std::min(min_x, x), max_x = std::max(max_x, x);
                min_y = std::min(min_y, y), max_y = std::max(max_y, y);
            }
            BOOST_TEST(min_x == 0);
            BOOST_TEST(max_x == 200);
            BOOST_TEST(min_y == 0);
            BOOST_TEST(max_y == 50);
        }
    }
    BOOST_TEST(upright_box(200, 50, 90).width == 50);
    // Upright: the painting's x axis runs up the page for 90 (the reader's right is the page's top).
    auto turned = upright_box(200, 50, 90);
    BOOST_TEST(turned.matrix[1] == 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
