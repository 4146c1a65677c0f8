// Listing a PDF's signatures and document time-stamps, as B-LT's /VRI and `extend` read them.

#include "pdf/ltv/signatures.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "pdf/ltv/dss.hpp"
#include "tests/support/need.hpp"
#include "tests/support/pdf_fixtures.hpp"

namespace signet::pdf::test {

BOOST_AUTO_TEST_CASE(a_signature_and_a_document_timestamp_are_listed_as_stored) {
    TempDir dir;
    Pki pki = make_pki("ec-p256");
    make_ps2pdf(dir / "in.pdf");
    SignedFile signed_file = sign_file(dir / "in.pdf", pki, invisible_request(pki));

    PrepareRequest stamp;
    stamp.document_timestamp = true;
    stamp.contents_size = 4096;
    auto prepared = prepare(signed_file.bytes, stamp);
    BOOST_REQUIRE(prepared);
    const std::vector<std::uint8_t> file = joined(signed_file.bytes, *prepared);

    auto fields = signature_fields(file);
    BOOST_REQUIRE_MESSAGE(fields, signet::test::error_of(fields));
    BOOST_REQUIRE(fields->size() == 2U);
    const SignatureField& signature = (*fields)[0];
    BOOST_TEST(!signature.document_timestamp);
    BOOST_TEST(signature.sub_filter == "ETSI.CAdES.detached");
    for (std::size_t i = 0; i < 4; ++i) {
        BOOST_TEST(static_cast<std::size_t>(signature.byte_range[i]) == signed_file.prepared.byte_range[i]);
    }
    // The stored string: the CMS, then zeros up to the placeholder's size.
    BOOST_TEST(signature.contents.size() == signed_file.prepared.contents_size);
    BOOST_TEST(signature.contents[0] == 0x30);  // a DER SEQUENCE
    BOOST_TEST(signature.contents.back() == 0x00);
    const SignatureField& timestamp = (*fields)[1];
    BOOST_TEST(timestamp.document_timestamp);
    BOOST_TEST(timestamp.sub_filter == "ETSI.RFC3161");
    BOOST_TEST(timestamp.contents.size() == 4096U);
    BOOST_TEST(timestamp.name != signature.name);
    BOOST_TEST(vri_key(signature.contents).size() == 40U);
}

BOOST_AUTO_TEST_CASE(an_unsigned_document_has_none_and_a_non_pdf_is_refused) {
    TempDir dir;
    make_ps2pdf(dir / "in.pdf");
    auto none = signature_fields(read_bytes(dir / "in.pdf"));
    BOOST_REQUIRE_MESSAGE(none, signet::test::error_of(none));
    BOOST_TEST(none->empty());
    const std::vector<std::uint8_t> text{'n', 'o', 't', ' ', 'a', ' ', 'p', 'd', 'f'};
    auto refused = signature_fields(text);
    BOOST_REQUIRE(!refused);
    BOOST_TEST(refused.error().code == Errc::invalid_document);
}

BOOST_AUTO_TEST_CASE(a_signature_value_without_byte_range_is_invalid) {
    // A hand-written form whose one signature field has a value with /Contents but no /ByteRange.
    const std::string pdf = simple_pdf({}, "/AcroForm << /Fields [5 0 R] >>",
                                       {"<< /FT /Sig /T (Broken) /V 6 0 R >>", "<< /Type /Sig /Contents <3000> >>"});
    auto refused = signature_fields(std::vector<std::uint8_t>(pdf.begin(), pdf.end()));
    BOOST_REQUIRE(!refused);
    BOOST_TEST(refused.error().code == Errc::invalid_document);
    BOOST_TEST(refused.error().message.find("'Broken' has no /ByteRange") != std::string::npos, refused.error().message);
}

}  // namespace signet::pdf::test
