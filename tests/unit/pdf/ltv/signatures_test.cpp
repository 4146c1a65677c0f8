// Listing a PDF's signatures and document time-stamps, as B-LT's /VRI and `extend` read them.

#include "pdf/ltv/signatures.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "base/x509_encoding.hpp"
#include "pdf/ltv/dss.hpp"
#include "tests/support/need.hpp"
#include "tests/support/pdf_fixtures.hpp"

namespace signet::pdf::test {
namespace {

SignatureList signature_list(std::span<const std::uint8_t> file) {
    auto listed = list_signatures(file);
    BOOST_REQUIRE_MESSAGE(listed, signet::test::error_of(listed));
    return std::move(*listed);
}

}  // namespace

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

    auto listed = signature_list(file);
    const std::vector<SignatureField>& fields = listed.fields;
    BOOST_REQUIRE(fields.size() == 2U);
    const SignatureField& signature = fields[0];
    BOOST_TEST(!signature.document_timestamp);
    BOOST_TEST(signature.sub_filter == "ETSI.CAdES.detached");
    for (std::size_t i = 0; i < 4; ++i) {
        BOOST_TEST(static_cast<std::size_t>(signature.byte_range[i]) == signed_file.prepared.byte_range[i]);
    }
    // The stored string: the CMS, then zeros up to the placeholder's size.
    BOOST_TEST(signature.contents.size() == signed_file.prepared.contents_size);
    BOOST_TEST(signature.contents[0] == 0x30);  // a DER SEQUENCE
    BOOST_TEST(signature.contents.back() == 0x00);
    const SignatureField& timestamp = fields[1];
    BOOST_TEST(timestamp.document_timestamp);
    BOOST_TEST(timestamp.sub_filter == "ETSI.RFC3161");
    BOOST_TEST(timestamp.contents.size() == 4096U);
    BOOST_TEST(timestamp.name != signature.name);
    BOOST_TEST(vri_key(signature.contents).size() == 40U);
    // No DSS: no keys, none covered.
    BOOST_TEST(listed.vri_keys.empty());
    BOOST_TEST(timestamp.covered_vri_keys.empty());
    BOOST_TEST(signature.covered_vri_keys.empty());
}

// B-LTA is told from B-LT by what a document time-stamp covers: the /VRI keys of the revision
// its ByteRange ends with, not those a later DSS update added.
BOOST_AUTO_TEST_CASE(the_vri_keys_of_the_dss_and_those_a_document_timestamp_covers_are_listed) {
    TempDir dir;
    Pki pki = make_pki("ec-p256");
    make_ps2pdf(dir / "in.pdf");
    SignedFile signed_file = sign_file(dir / "in.pdf", pki, invisible_request(pki));
    const std::string signature_key = vri_key(signature_list(signed_file.bytes).fields.at(0).contents);
    auto root = signet::to_der(pki.root.get());
    BOOST_REQUIRE(root);
    auto with_dss = [&](std::vector<std::uint8_t> file, const std::string& key) {
        ValidationData data;
        data.vri_key = key;
        data.certificates = {*root};
        data.time = std::chrono::system_clock::now();
        auto update = dss_update(file, std::span(&data, 1));
        BOOST_REQUIRE_MESSAGE(update, signet::test::error_of(update));
        file.insert(file.end(), update->begin(), update->end());
        return file;
    };
    const std::vector<std::uint8_t> lt = with_dss(signed_file.bytes, signature_key);

    PrepareRequest stamp;
    stamp.document_timestamp = true;
    stamp.contents_size = 4096;
    auto prepared = prepare(lt, stamp);
    BOOST_REQUIRE(prepared);
    const std::vector<std::uint8_t> lta = joined(lt, *prepared);
    const SignatureList at_lta = signature_list(lta);
    BOOST_REQUIRE(at_lta.fields.size() == 2U);
    BOOST_TEST(at_lta.vri_keys == std::vector<std::string>{signature_key});
    BOOST_TEST(at_lta.fields[1].covered_vri_keys == std::vector<std::string>{signature_key});

    // A later DSS update (the time-stamp's own validation data) is listed, but not covered.
    const std::string stamp_key = vri_key(at_lta.fields[1].contents);
    const SignatureList renewed = signature_list(with_dss(lta, stamp_key));
    std::vector<std::string> both{signature_key, stamp_key};
    std::sort(both.begin(), both.end());
    BOOST_TEST(renewed.vri_keys == both);
    BOOST_REQUIRE(renewed.fields.size() == 2U);
    BOOST_TEST(renewed.fields[1].covered_vri_keys == std::vector<std::string>{signature_key});
    BOOST_TEST(renewed.fields[0].covered_vri_keys.empty());
}

BOOST_AUTO_TEST_CASE(an_unsigned_document_has_none_and_a_non_pdf_is_refused) {
    TempDir dir;
    make_ps2pdf(dir / "in.pdf");
    auto none = list_signatures(read_bytes(dir / "in.pdf"));
    BOOST_REQUIRE_MESSAGE(none, signet::test::error_of(none));
    BOOST_TEST(none->fields.empty());
    BOOST_TEST(none->vri_keys.empty());
    const std::vector<std::uint8_t> text{'n', 'o', 't', ' ', 'a', ' ', 'p', 'd', 'f'};
    auto refused = list_signatures(text);
    BOOST_REQUIRE(!refused);
    BOOST_TEST(refused.error().code == Errc::invalid_document);
}

BOOST_AUTO_TEST_CASE(a_signature_value_without_byte_range_is_invalid) {
    // A hand-written form whose one signature field has a value with /Contents but no /ByteRange.
    const std::string pdf = simple_pdf({}, "/AcroForm << /Fields [5 0 R] >>",
                                       {"<< /FT /Sig /T (Broken) /V 6 0 R >>", "<< /Type /Sig /Contents <3000> >>"});
    auto refused = list_signatures(std::vector<std::uint8_t>(pdf.begin(), pdf.end()));
    BOOST_REQUIRE(!refused);
    BOOST_TEST(refused.error().code == Errc::invalid_document);
    BOOST_TEST(refused.error().message.find("'Broken' has no /ByteRange") != std::string::npos, refused.error().message);
}

}  // namespace signet::pdf::test
