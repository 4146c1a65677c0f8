// UTF-8 checks and the WinAnsi fitting of appearance text.

#include <boost/test/unit_test.hpp>

#include "pdf/text.hpp"
#include "tests/support/pdf_fixtures.hpp"

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

BOOST_AUTO_TEST_CASE(win_ansi_characters_are_kept_others_become_question_marks) {
    auto same = [](const std::string& text) {
        auto result = to_win_ansi_text(text);
        BOOST_REQUIRE(result);
        return *result;
    };
    BOOST_TEST(same("Cachet électronique") == "Cachet électronique");
    BOOST_TEST(same("Œuvre à 10 € — « ça »") == "Œuvre à 10 € — « ça »");
    BOOST_TEST(same("Łódź") == "?ód?");
    BOOST_TEST(same("中文") == "??");
    BOOST_TEST(same("\xF0\x9F\x94\x8F ok") == "? ok");
    BOOST_TEST(same("tab\there\nnew\x7F\xC2\x85") == "tab here new  ");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_a_bad_request) {
    auto result = to_win_ansi_text("caf\xE9");
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::bad_request);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
