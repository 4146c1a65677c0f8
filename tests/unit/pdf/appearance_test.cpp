// The visible signature: its text comes back out of pdftotext (accents included), inside the
// box, and bad boxes are refused with the right error code.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <limits>

#include "pdf/prepare.hpp"
#include "tests/support/pdf_fixtures.hpp"

namespace signet::pdf::test {
namespace {

struct Word {
    double x_min, y_min, x_max, y_max;  // pdftotext -bbox: origin at the top left
    std::string text;
};

std::vector<Word> words_on_page(const std::filesystem::path& pdf, int page) {
    auto result = signet::test::run({"pdftotext", "-bbox", "-f", std::to_string(page), "-l",
                                     std::to_string(page), pdf.string(), "-"});
    BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.output);
    // <word xMin="72.0" yMin="124.7" xMax="126.6" yMax="146.9">Hello</word>
    auto attribute = [](const std::string& tag, const std::string& name) {
        auto at = tag.find(name + "=\"");
        BOOST_REQUIRE(at != std::string::npos);
        return std::stod(tag.substr(at + name.size() + 2));
    };
    std::vector<Word> words;
    const std::string& out = result.output;
    for (auto at = out.find("<word "); at != std::string::npos; at = out.find("<word ", at + 1)) {
        auto close = out.find('>', at);
        auto end = out.find("</word>", close);
        BOOST_REQUIRE(close != std::string::npos && end != std::string::npos);
        std::string tag = out.substr(at, close - at);
        words.push_back({attribute(tag, "xMin"), attribute(tag, "yMin"), attribute(tag, "xMax"),
                         attribute(tag, "yMax"), out.substr(close + 1, end - close - 1)});
    }
    return words;
}

std::string page_text(const std::filesystem::path& pdf, int page) {
    auto result = signet::test::run(
        {"pdftotext", "-f", std::to_string(page), "-l", std::to_string(page), pdf.string(), "-"});
    BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.output);
    return result.output;
}

struct Visible {
    TempDir dir{"signet-pdf-appearance"};
    Pki pki = make_pki("ec-p256");
    Visible() {
        make_nss_db(dir / "nss", pki);
        make_ps2pdf(dir / "in.pdf", 3);
    }
    PrepareRequest request(int page, std::array<double, 4> rect, std::vector<std::string> lines) {
        PrepareRequest result = invisible_request(pki);
        result.appearance = box_at(page, rect, std::move(lines));
        return result;
    }
};

// Every word from `lines` lies inside `rect` (PDF coordinates) on an A4 page.
void check_inside(const std::vector<Word>& words, const std::array<double, 4>& rect,
                  const std::vector<std::string>& expected_words) {
    const double page_height = 842;
    for (const auto& expected : expected_words) {
        BOOST_TEST_CONTEXT(expected) {
            auto it = std::find_if(words.begin(), words.end(),
                                   [&](const Word& w) { return w.text == expected; });
            BOOST_REQUIRE(it != words.end());
            BOOST_TEST(it->x_min >= rect[0] - 0.5);
            BOOST_TEST(it->x_max <= rect[2] + 0.5);
            BOOST_TEST(page_height - it->y_max >= rect[1] - 0.5);
            BOOST_TEST(page_height - it->y_min <= rect[3] + 0.5);
        }
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(appearance_test)

BOOST_FIXTURE_TEST_CASE(french_text_comes_back_from_pdftotext_inside_the_box, Visible) {
    std::array<double, 4> rect{340, 60, 540, 120};
    std::vector<std::string> lines{"Cachet électronique", "Cabinet Exemple SAS",
                                   "Signé le 23/11/2026 à 10:42"};
    auto signed_document = sign_file(dir / "in.pdf", pki, request(2, rect, lines));
    write_bytes(dir / "visible.pdf", signed_document.bytes);

    std::string text = page_text(dir / "visible.pdf", 2);
    BOOST_TEST_INFO(text);
    BOOST_TEST(text.find("Cachet électronique") != std::string::npos);
    BOOST_TEST(text.find("Cabinet Exemple SAS") != std::string::npos);
    BOOST_TEST(text.find("Signé le 23/11/2026 à 10:42") != std::string::npos);
    // Only on page 2.
    BOOST_TEST(page_text(dir / "visible.pdf", 1).find("Cachet") == std::string::npos);
    check_inside(words_on_page(dir / "visible.pdf", 2), rect,
                 {"Cachet", "électronique", "Cabinet", "SAS", "Signé", "10:42"});

    auto report = pdfsig(dir / "nss", dir / "visible.pdf");
    BOOST_TEST_INFO(report.output);
    BOOST_TEST(valid_trusted_signatures(report.output) == 1);
    BOOST_TEST(signet::test::run({"qpdf", "--check", (dir / "visible.pdf").string()}).exit_code ==
               0);
}

BOOST_FIXTURE_TEST_CASE(a_long_line_is_shrunk_to_fit, Visible) {
    std::array<double, 4> rect{50, 700, 250, 760};
    std::vector<std::string> lines{
        "Cachet électronique", "Société d'expertise comptable Dupont, Durand et associés (Lyon)"};
    auto signed_document = sign_file(dir / "in.pdf", pki, request(1, rect, lines));
    write_bytes(dir / "long.pdf", signed_document.bytes);
    check_inside(words_on_page(dir / "long.pdf", 1), rect,
                 {"Cachet", "Société", "associés", "(Lyon)"});
}

BOOST_FIXTURE_TEST_CASE(characters_the_font_lacks_are_replaced, Visible) {
    std::array<double, 4> rect{50, 50, 300, 100};
    auto signed_document =
        sign_file(dir / "in.pdf", pki, request(1, rect, {"Łukasz Wróbel 中文", "Œuvre 10 € — Émilie Lefèvre"}));
    write_bytes(dir / "replaced.pdf", signed_document.bytes);
    std::string text = page_text(dir / "replaced.pdf", 1);
    BOOST_TEST_INFO(text);
    // DejaVu Sans has Latin Extended-A and the em dash, and no Chinese.
    BOOST_TEST(text.find("Łukasz Wróbel ??") != std::string::npos);
    BOOST_TEST(text.find("Œuvre 10 € — Émilie Lefèvre") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_box_without_lines_is_only_a_border, Visible) {
    auto signed_document = sign_file(dir / "in.pdf", pki, request(3, {10, 10, 60, 40}, {}));
    write_bytes(dir / "empty-box.pdf", signed_document.bytes);
    auto report = pdfsig(dir / "nss", dir / "empty-box.pdf");
    BOOST_TEST(valid_trusted_signatures(report.output) == 1);
}

BOOST_FIXTURE_TEST_CASE(bad_boxes_are_refused, Visible) {
    struct Case {
        std::string name;
        int page;
        std::array<double, 4> rect;
        std::vector<std::string> lines;
        Errc code;
        std::string expected;
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<Case> cases{
        {"inverted x", 1, {300, 50, 100, 100}, {"x"}, Errc::bad_request, "x1 < x2"},
        {"flat", 1, {100, 50, 300, 50}, {"x"}, Errc::bad_request, "y1 < y2"},
        {"not a number", 1, {nan, 50, 300, 100}, {"x"}, Errc::bad_request, "non-finite"},
        {"page 0", 0, {100, 50, 300, 100}, {"x"}, Errc::bad_request, "page must be 1"},
        {"page 4 of 3",
         4,
         {100, 50, 300, 100},
         {"x"},
         Errc::invalid_document,
         "the document has 3 pages; page 4 does not exist"},
        {"off the page",
         1,
         {500, 50, 700, 100},
         {"x"},
         Errc::invalid_document,
         "lies outside page 1, whose MediaBox is [0 0 595 842]"},
        {"too small for its text",
         1,
         {100, 50, 110, 55},
         {"Cachet électronique", "x"},
         Errc::bad_request,
         "too small"},
        {"not UTF-8", 1, {100, 50, 300, 100}, {"caf\xE9"}, Errc::bad_request, "UTF-8"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.name) {
            auto result = prepare(dir / "in.pdf", request(c.page, c.rect, c.lines));
            BOOST_REQUIRE(!result);
            BOOST_TEST_MESSAGE(c.name << ": " << result.error().message);
            BOOST_TEST(result.error().code == c.code);
            BOOST_CHECK_MESSAGE(result.error().message.find(c.expected) != std::string::npos,
                                result.error().message);
        }
    }
    auto bad_reason = invisible_request(pki);
    bad_reason.reason = "\xFF";
    auto result = prepare(dir / "in.pdf", bad_reason);
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::bad_request);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
