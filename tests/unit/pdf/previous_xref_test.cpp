// find_previous_xref(): the section an update chains to, read from the file's tail, and every
// tail that names no section refused as the document's fault.

#include <boost/test/unit_test.hpp>

#include <string>

#include "pdf/previous_xref.hpp"
#include "tests/support/pdf_fixtures.hpp"
#include "tests/support/need.hpp"

namespace signet::pdf::test {
namespace {

std::vector<std::uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

// A body of `padding` bytes, then `section` at a known offset, then `tail`.
struct File {
    std::string text;
    std::size_t section_at = 0;
};
File file(const std::string& section, const std::string& tail, std::size_t padding = 40) {
    File result;
    result.text = "%PDF-1.7\n" + std::string(padding, '%') + "\n";
    result.section_at = result.text.size();
    result.text += section + tail;
    return result;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(previous_xref_test)

BOOST_AUTO_TEST_CASE(a_table_and_a_stream_are_told_apart) {
    auto table = file("xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 >>\n", "");
    table.text += "startxref\n" + std::to_string(table.section_at) + "\n%%EOF\n";
    auto found = find_previous_xref(bytes_of(table.text));
    BOOST_REQUIRE_MESSAGE(found, signet::test::error_of(found));
    BOOST_TEST(found->offset == table.section_at);
    BOOST_TEST(!found->is_stream);

    auto stream = file(
        "12 0 obj\n<< /Type /XRef /Size 13 /W [1 2 1] /Length 0 >>\nstream\n\nendstream\nendobj\n",
        "");
    stream.text += "startxref\r\n" + std::to_string(stream.section_at) + "\r\n%%EOF";
    found = find_previous_xref(bytes_of(stream.text));
    BOOST_REQUIRE_MESSAGE(found, signet::test::error_of(found));
    BOOST_TEST(found->offset == stream.section_at);
    BOOST_TEST(found->is_stream);
}

BOOST_AUTO_TEST_CASE(the_last_startxref_counts_and_trailing_bytes_are_tolerated) {
    // An earlier revision's startxref, then the last one, then garbage after %%EOF.
    auto earlier = file("xref\n0 1\n0000000000 65535 f \ntrailer\n<<>>\n", "startxref\n9\n%%EOF\n");
    std::size_t second = earlier.text.size();
    std::string text = earlier.text + "xref\n0 1\n0000000000 65535 f \ntrailer\n<<>>\nstartxref\n" +
                       std::to_string(second) + "\n%%EOF\n" + std::string(2, '\0') + "junk";
    auto found = find_previous_xref(bytes_of(text));
    BOOST_REQUIRE_MESSAGE(found, signet::test::error_of(found));
    BOOST_TEST(found->offset == second);
    // Whitespace between the offset and the section is what readers skip too.
    text = "%PDF-1.4\n\n\n  xref\n0 1\n0000000000 65535 f \ntrailer\n<<>>\nstartxref\n9\n%%EOF\n";
    found = find_previous_xref(bytes_of(text));
    BOOST_REQUIRE_MESSAGE(found, signet::test::error_of(found));
    BOOST_TEST(found->offset == 9u);
    BOOST_TEST(!found->is_stream);
}

BOOST_AUTO_TEST_CASE(tails_that_name_no_section_are_invalid_documents) {
    const std::string table = "xref\n0 1\n0000000000 65535 f \ntrailer\n<<>>\n";
    const std::vector<std::pair<std::string, std::string>> cases{
        {"empty", ""},
        {"no startxref", "%PDF-1.4\n" + table + "%%EOF\n"},
        {"no number", "%PDF-1.4\n" + table + "startxref\n%%EOF\n"},
        {"not a number", "%PDF-1.4\n" + table + "startxref\nabc\n%%EOF\n"},
        {"a number glued to a word", "%PDF-1.4\n" + table + "startxref\n9abc\n%%EOF\n"},
        {"negative", "%PDF-1.4\n" + table + "startxref\n-9\n%%EOF\n"},
        {"overflowing", "%PDF-1.4\n" + table + "startxref\n99999999999999999999999\n%%EOF\n"},
        {"beyond the end", "%PDF-1.4\n" + table + "startxref\n100000\n%%EOF\n"},
        {"into the header", "%PDF-1.4\n" + table + "startxref\n0\n%%EOF\n"},
        {"into the table", "%PDF-1.4\n" + table + "startxref\n14\n%%EOF\n"},
        {"at an xref that is a prefix", "%PDF-1.4\nxrefs\n" + table + "startxref\n9\n%%EOF\n"},
        {"at an object header cut short", "%PDF-1.4\n12 0 ob\nstartxref\n9\n%%EOF\n"},
        // More than 1024 bytes of something after the last startxref: not the end of a PDF.
        {"startxref too far from the end",
         "%PDF-1.4\n" + table + "startxref\n9\n%%EOF\n" + std::string(2000, ' ')},
    };
    for (const auto& [name, text] : cases) {
        BOOST_TEST_CONTEXT(name) {
            auto found = find_previous_xref(bytes_of(text));
            BOOST_REQUIRE(!found);
            BOOST_TEST_MESSAGE(name << ": " << found.error().message);
            BOOST_TEST(found.error().code == Errc::invalid_document);
        }
    }
}

BOOST_AUTO_TEST_CASE(real_producers_tails_are_read) {
    TempDir dir("signet-pdf-previous-xref");
    make_ps2pdf(dir / "ps.pdf");
    make_qpdf(dir / "ps.pdf", dir / "objstm.pdf", {"--object-streams=generate"});
    make_qpdf(dir / "ps.pdf", dir / "linearized.pdf", {"--linearize"});
    make_hybrid(dir / "objstm.pdf", dir / "hybrid.pdf");
    for (auto [name, stream] : std::vector<std::pair<std::string, bool>>{
             {"ps", false}, {"objstm", true}, {"linearized", false}, {"hybrid", false}}) {
        BOOST_TEST_CONTEXT(name) {
            auto found = find_previous_xref(read_bytes(dir / (name + ".pdf")));
            BOOST_REQUIRE_MESSAGE(found, signet::test::error_of(found));
            BOOST_TEST(found->is_stream == stream);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
