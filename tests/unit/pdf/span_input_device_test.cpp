// SpanInputDevice: PoDoFo's FILE* device semantics over memory, and a document loaded through
// it reads in place.

#include <boost/test/unit_test.hpp>

#include <podofo/podofo.h>

#include <cstdio>
#include <limits>
#include <memory>
#include <string>

#include "pdf/span_input_device.hpp"
#include "tests/support/pdf_fixtures.hpp"

namespace signet::pdf::test {
namespace {

std::span<const std::uint8_t> span_of(const std::string& text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(span_input_device_test)

BOOST_AUTO_TEST_CASE(reads_look_and_the_end_flag_behave_like_a_file) {
    const std::string text = "abc\xFF";
    SpanInputDevice device(span_of(text));
    BOOST_TEST(device.Tell() == 0);
    BOOST_TEST(device.Look() == 'a');
    BOOST_TEST(device.Tell() == 0);
    BOOST_TEST(device.GetChar() == 'a');
    char buffer[8] = {};
    BOOST_TEST(device.Read(buffer, 2) == 2);
    BOOST_TEST(std::string(buffer, 2) == "bc");
    BOOST_TEST(!device.Eof());
    // Bytes are unsigned, as fgetc returns them: 0xFF is not EOF.
    BOOST_TEST(device.Look() == 0xFF);
    BOOST_TEST(device.GetChar() == 0xFF);
    // At the end: Look says EOF without setting the flag, a read sets it.
    BOOST_TEST(device.Look() == EOF);
    BOOST_TEST(!device.Eof());
    BOOST_TEST(device.GetChar() == EOF);
    BOOST_TEST(device.Eof());
    BOOST_TEST(device.Tell() == 4);
    BOOST_TEST(!device.Bad());
    // A seek clears the flag, as fseeko does.
    device.Seek(1);
    BOOST_TEST(!device.Eof());
    // A short read returns what there is and sets the flag, as fread does.
    BOOST_TEST(device.Read(buffer, 8) == 3);
    BOOST_TEST(device.Eof());
    device.Clear();
    BOOST_TEST(!device.Eof());
}

BOOST_AUTO_TEST_CASE(seeks_are_relative_as_asked_and_never_before_the_start) {
    const std::string text = "0123456789";
    SpanInputDevice device(span_of(text));
    device.Seek(-3, std::ios_base::end);
    BOOST_TEST(device.GetChar() == '7');
    device.Seek(-2, std::ios_base::cur);
    BOOST_TEST(device.GetChar() == '6');
    device.Seek(4, std::ios_base::beg);
    BOOST_TEST(device.GetChar() == '4');
    // Beyond the end is a position, as with fseeko; reading there finds EOF.
    device.Seek(100);
    BOOST_TEST(device.Tell() == 100);
    BOOST_TEST(device.GetChar() == EOF);
    char buffer[4];
    BOOST_TEST(device.Read(buffer, 4) == 0);
    // Before the start, or an offset that overflows, is PoDoFo's device error.
    BOOST_CHECK_THROW(device.Seek(-1, std::ios_base::beg), PoDoFo::PdfError);
    BOOST_CHECK_THROW(device.Seek(-11, std::ios_base::end), PoDoFo::PdfError);
    device.Seek(5);
    BOOST_CHECK_THROW(device.Seek(std::numeric_limits<std::streamoff>::max(), std::ios_base::cur),
                      PoDoFo::PdfError);
    BOOST_TEST(device.Tell() == 5);
}

BOOST_AUTO_TEST_CASE(an_empty_span_is_at_its_end) {
    SpanInputDevice device({});
    BOOST_TEST(device.Look() == EOF);
    BOOST_TEST(device.GetChar() == EOF);
    BOOST_TEST(device.Eof());
    char buffer[1];
    BOOST_TEST(device.Read(buffer, 1) == 0);
}

BOOST_AUTO_TEST_CASE(podofo_loads_a_document_through_it) {
    const std::string pdf = simple_pdf();
    PoDoFo::PdfMemDocument document;
    document.LoadFromDevice(
        PoDoFo::PdfRefCountedInputDevice(std::make_unique<SpanInputDevice>(span_of(pdf)).release()),
        true);
    BOOST_TEST(document.GetPageCount() == 1);
    // Objects are parsed on demand, from the same bytes, after the load.
    PoDoFo::PdfObject* contents = document.GetPage(0)->GetObject()->GetIndirectKey("Contents");
    BOOST_REQUIRE(contents != nullptr);
    char* data = nullptr;
    PoDoFo::pdf_long length = 0;
    contents->GetStream()->GetFilteredCopy(&data, &length);
    const std::string content(data, static_cast<std::size_t>(length));
    PoDoFo::podofo_free(data);
    BOOST_TEST(content.find("A hand-written page") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
