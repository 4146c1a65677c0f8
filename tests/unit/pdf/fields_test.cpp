// Empty signature fields (issue 21): added by an incremental update, found again by name and
// filled by a later signature, refused when named for someone else, signed already or missing;
// and the box's logo, its transparency an /SMask.

#include <boost/test/unit_test.hpp>

#include "pdf/prepare.hpp"
#include "tests/support/image_fixtures.hpp"
#include "tests/support/pdf_fixtures.hpp"

namespace signet::pdf::test {
namespace {

struct Fields {
    TempDir dir{"signet-pdf-fields"};
    Pki pki = make_pki("ec-p256");
    Fields() {
        make_nss_db(dir / "nss", pki);
        make_ps2pdf(dir / "in.pdf", 2);
    }
    // The document with its fields added; written to `name`.
    std::filesystem::path with_fields(const std::vector<FieldRequest>& fields, const std::string& name) {
        const auto original = read_bytes(dir / "in.pdf");
        auto update = add_signature_fields(original, fields);
        BOOST_REQUIRE_MESSAGE(update, update.error().message);
        auto file = original;
        file.insert(file.end(), update->begin(), update->end());
        write_bytes(dir / name, file);
        return dir / name;
    }
    PrepareRequest fill(const std::string& field, const std::string& signer) {
        PrepareRequest request = invisible_request(pki);
        request.appearance = Appearance{};
        request.appearance->field = field;
        request.appearance->signer = signer;
        request.appearance->lines = {"Signé électroniquement par " + signer, "Cabinet Dupré"};
        return request;
    }
};

int count_of(const std::string& text, const std::string& what) {
    int count = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
    return count;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fields_test)

BOOST_FIXTURE_TEST_CASE(fields_are_added_then_filled_one_after_the_other, Fields) {
    auto prepared = with_fields({{"Client", 1, {40, 40, 260, 110}, "paul"}, {"Cabinet", 2, {300, 40, 560, 110}, ""}},
                                "fields.pdf");
    BOOST_TEST(signet::test::run({"qpdf", "--check", prepared.string()}).exit_code == 0);
    // pdfsig lists a signature field that waits as "not signed".
    auto unsigned_fields = [&](const std::filesystem::path& file) {
        return count_of(pdfsig(dir / "nss", file).output, "is not signed");
    };
    BOOST_TEST(unsigned_fields(prepared) == 2);

    auto first = sign_file(prepared, pki, fill("Client", "paul"));
    write_bytes(dir / "one.pdf", first.bytes);
    BOOST_TEST(valid_trusted_signatures(pdfsig(dir / "nss", dir / "one.pdf").output) == 1);
    BOOST_TEST(unsigned_fields(dir / "one.pdf") == 1);
    auto second = sign_file(dir / "one.pdf", pki, fill("Cabinet", "marie"));
    write_bytes(dir / "two.pdf", second.bytes);
    // Both valid. pdfsig (poppler 22.02 with NSS) reports "Unknown issue with Certificate" for
    // the second signature of a file made with a certificate an earlier one used, in any file:
    // the first use of the certificate stands for its trust.
    auto report = pdfsig(dir / "nss", dir / "two.pdf");
    BOOST_TEST(count_of(report.output, "Signature Validation: Signature is Valid.") == 2, report.output);
    BOOST_TEST(count_of(report.output, "Certificate is Trusted.") >= 1, report.output);
    BOOST_TEST(signet::test::run({"qpdf", "--check", (dir / "two.pdf").string()}).exit_code == 0);
    BOOST_TEST(report.output.find("Signature Field Name: Client") != std::string::npos, report.output);
    BOOST_TEST(report.output.find("Signature Field Name: Cabinet") != std::string::npos, report.output);
    auto text = signet::test::run({"pdftotext", "-f", "2", "-l", "2", (dir / "two.pdf").string(), "-"});
    BOOST_TEST(text.output.find("Signé électroniquement par marie") != std::string::npos, text.output);

    // Refusals: the field is Paul's, signed already, or not there.
    auto others = prepare(prepared, fill("Client", "marie"));
    BOOST_REQUIRE(!others);
    BOOST_TEST(others.error().code == Errc::forbidden);
    BOOST_TEST(others.error().message.find("placed for paul") != std::string::npos, others.error().message);
    auto again = prepare(dir / "two.pdf", fill("Cabinet", "marie"));
    BOOST_REQUIRE(!again);
    BOOST_TEST(again.error().code == Errc::conflict);
    auto missing = prepare(prepared, fill("Nobody", "marie"));
    BOOST_REQUIRE(!missing);
    BOOST_TEST(missing.error().code == Errc::invalid_document);
}

BOOST_FIXTURE_TEST_CASE(bad_fields_are_refused_by_name, Fields) {
    const auto original = read_bytes(dir / "in.pdf");
    struct Case {
        FieldRequest field;
        std::string expected;
    };
    const std::vector<Case> cases{
        {{"Far", 3, {40, 40, 200, 100}, ""}, "field Far: the document has 2 pages"},
        {{"Out", 1, {500, 40, 700, 100}, ""}, "field Out: its rectangle [500 40 700 100] lies outside page 1"},
        {{"Flat", 1, {40, 40, 40, 100}, ""}, "field Flat: its rectangle [40 40 40 100] has no area"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.field.name) {
            auto refused = add_signature_fields(original, {c.field});
            BOOST_REQUIRE(!refused);
            BOOST_TEST(refused.error().code == Errc::invalid_document);
            BOOST_TEST(refused.error().message.find(c.expected) != std::string::npos, refused.error().message);
        }
    }
    auto twice = add_signature_fields(original, {{"A", 1, {40, 40, 200, 100}, ""}, {"A", 2, {40, 40, 200, 100}, ""}});
    BOOST_REQUIRE(!twice);
    BOOST_TEST(twice.error().message.find("a field named A already") != std::string::npos, twice.error().message);
    auto prepared = with_fields({{"Signature1", 1, {40, 40, 200, 100}, ""}}, "named.pdf");
    auto clash = add_signature_fields(read_bytes(prepared), {{"Signature1", 2, {40, 40, 200, 100}, ""}});
    BOOST_REQUIRE(!clash);
    // A new signature's own field takes a name no prepared field has.
    auto added = sign_file(prepared, pki, invisible_request(pki));
    write_bytes(dir / "named-signed.pdf", added.bytes);
    auto report = pdfsig(dir / "nss", dir / "named-signed.pdf");
    BOOST_TEST(report.output.find("Signature Field Name: Signature2") != std::string::npos, report.output);
}

BOOST_FIXTURE_TEST_CASE(a_certified_document_that_forbids_changes_gets_no_new_field, Fields) {
    auto certified = [](const std::string& params) {
        const std::string pdf = simple_pdf({}, "/Perms << /DocMDP 5 0 R >>",
                                           {"<< /Type /Sig /Reference [<< /Type /SigRef /TransformMethod /DocMDP "
                                            "/TransformParams << /Type /TransformParams " + params + " /V /1.2 >> >>] >>"});
        return std::vector<std::uint8_t>(pdf.begin(), pdf.end());
    };
    const FieldRequest field{"Client", 1, {40, 40, 200, 100}, ""};
    for (const std::string& params : {std::string("/P 1"), std::string("/P 2"), std::string()}) {
        BOOST_TEST_CONTEXT(params) {
            auto refused = add_signature_fields(certified(params), {field});
            BOOST_REQUIRE(!refused);
            BOOST_TEST((refused.error().code == Errc::invalid_document));
            BOOST_TEST(refused.error().message.find("certified") != std::string::npos, refused.error().message);
        }
    }
    // P 3 allows annotations and fields.
    BOOST_TEST(add_signature_fields(certified("/P 3"), {field}).has_value());
}

BOOST_FIXTURE_TEST_CASE(a_logo_with_transparency_is_drawn_with_its_soft_mask, Fields) {
    image::test::PngSpec spec{32, 16, 8, image::test::png_rgba};
    for (int i = 0; i < 32 * 16; ++i) spec.samples.insert(spec.samples.end(), {0, 0, 255, static_cast<std::uint16_t>(i % 256)});
    PrepareRequest request = invisible_request(pki);
    request.appearance = box_at(1, {300, 40, 560, 120}, {"Cachet électronique", "Cabinet Dupré"});
    request.appearance->logo_file = std::make_shared<const std::vector<std::uint8_t>>(image::test::encode_png(spec));
    auto signed_document = sign_file(dir / "in.pdf", pki, request);
    write_bytes(dir / "logo.pdf", signed_document.bytes);
    check_signed(dir / "nss", dir / "logo.pdf", 1);
    auto images = signet::test::run({"pdfimages", "-list", (dir / "logo.pdf").string()});
    BOOST_TEST(images.output.find("smask") != std::string::npos, images.output);
    BOOST_TEST(images.output.find("   32    16") != std::string::npos, images.output);
    // A logo that is not one is the document's refusal, before anything is signed.
    request.appearance->logo_file = std::make_shared<const std::vector<std::uint8_t>>(std::vector<std::uint8_t>{'%', 'P', 'D', 'F'});
    auto refused = prepare(dir / "in.pdf", request);
    BOOST_REQUIRE(!refused);
    BOOST_TEST(refused.error().code == Errc::invalid_document);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
