// UTF-8 checks and the fitting of appearance text to what the font can show.

#include <boost/test/unit_test.hpp>

#include "pdf/form/text.hpp"

namespace signet::pdf::test {

BOOST_AUTO_TEST_SUITE(text_test)

BOOST_AUTO_TEST_CASE(valid_utf8_is_recognised) {
    BOOST_TEST(is_valid_utf8(""));
    BOOST_TEST(is_valid_utf8("Cachet électronique"));
    BOOST_TEST(is_valid_utf8("\xF0\x9F\x94\x8F"));   // U+1F50F, four bytes
    BOOST_TEST(!is_valid_utf8("\xC3"));              // cut short
    BOOST_TEST(!is_valid_utf8("\xC0\xAF"));          // overlong '/'
    BOOST_TEST(!is_valid_utf8("\xE0\x80\xAF"));      // overlong '/'
    BOOST_TEST(!is_valid_utf8("\xED\xA0\x80"));      // a surrogate
    BOOST_TEST(!is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
    BOOST_TEST(!is_valid_utf8("\x80"));              // a lone continuation byte
    BOOST_TEST(!is_valid_utf8("caf\xE9"));           // Latin-1, not UTF-8
}

BOOST_AUTO_TEST_CASE(characters_the_font_has_are_kept_others_become_question_marks) {
    // A font with Latin-1, the em dash and the euro sign, and nothing else.
    auto has_glyph = [](char32_t c) { return c < 0x180 || c == 0x2014 || c == 0x20AC; };
    auto same = [&](const std::string& text) {
        auto result = to_font_text(text, has_glyph);
        BOOST_REQUIRE(result);
        return *result;
    };
    BOOST_TEST(same("Société d'Expertise Comptable Dupré & Fils — Émilie Lefèvre") ==
               "Société d'Expertise Comptable Dupré & Fils — Émilie Lefèvre");
    BOOST_TEST(same("Œuvre à 10 € « ça »") == "Œuvre à 10 € « ça »");
    BOOST_TEST(same("中文") == "??");
    BOOST_TEST(same("\xF0\x9F\x94\x8F ok") == "? ok");  // beyond the BMP, even in the font
    BOOST_TEST(same("tab\there\nnew\x7F\xC2\x85 nbsp\xC2\xA0x") == "tab here new   nbsp x");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_a_bad_request) {
    auto result = to_font_text("caf\xE9", [](char32_t) { return true; });
    BOOST_REQUIRE(!result);
    BOOST_TEST((result.error().code == Errc::bad_request));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
