// prepare(): real producers in, real validators out (pdfsig with an NSS database trusting our
// root, qpdf --check), and every kind of bad document refused with a sentence, not a crash.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string_view>

#include <openssl/evp.h>

#include "pdf/prepare.hpp"
#include "tests/support/pdf_fixtures.hpp"
#include "tests/support/need.hpp"

namespace signet::pdf::test {
namespace {

std::string_view text_of(const std::vector<std::uint8_t>& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::array<std::uint8_t, 32> sha256_of_ranges(const std::vector<std::uint8_t>& file,
                                              const std::array<std::size_t, 4>& r) {
    // Independent of pdf/byte_range.cpp: copy the two ranges, hash the copy.
    std::vector<std::uint8_t> signed_bytes(file.begin(), file.begin() + static_cast<long>(r[1]));
    signed_bytes.insert(signed_bytes.end(), file.begin() + static_cast<long>(r[2]),
                        file.begin() + static_cast<long>(r[2] + r[3]));
    std::array<std::uint8_t, 32> digest{};
    unsigned int length = 0;
    EVP_Digest(signed_bytes.data(), signed_bytes.size(), digest.data(), &length, EVP_sha256(),
               nullptr);
    return digest;
}

struct Producers {
    TempDir dir{"signet-pdf-prepare"};
    Pki pki = make_pki("rsa-3072");
    Producers() { make_nss_db(dir / "nss", pki); }
};

Error prepare_error(const std::filesystem::path& input, const PrepareRequest& request) {
    auto result = prepare(input, request);
    BOOST_REQUIRE_MESSAGE(!result, "prepare accepted " << input);
    BOOST_TEST_MESSAGE(input.filename() << ": " << result.error().message);
    return result.error();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(prepare_test)

BOOST_FIXTURE_TEST_CASE(every_producer_round_trips_through_pdfsig_and_qpdf, Producers) {
    make_ps2pdf(dir / "ps2pdf.pdf");
    make_groff(dir / "groff.pdf");
    make_qpdf(dir / "ps2pdf.pdf", dir / "objstm.pdf", {"--object-streams=generate"});
    make_qpdf(dir / "groff.pdf", dir / "groff-objstm.pdf", {"--object-streams=generate"});
    make_qpdf(dir / "ps2pdf.pdf", dir / "linearized.pdf", {"--linearize"});
    make_qpdf(dir / "groff.pdf", dir / "groff-linearized.pdf", {"--linearize"});
    signet::test::write_file(dir / "hand.pdf", simple_pdf());
    for (std::string name :
         {"ps2pdf", "groff", "objstm", "groff-objstm", "linearized", "groff-linearized", "hand"}) {
        BOOST_TEST_CONTEXT(name) {
            auto input = dir / (name + ".pdf");
            auto original = read_bytes(input);
            SignedFile signed_document = sign_file(input, pki, invisible_request(pki));
            // An incremental update: the original bytes are untouched at the front.
            BOOST_TEST(signed_document.bytes.size() > original.size());
            BOOST_TEST(std::equal(original.begin(), original.end(), signed_document.bytes.begin()));
            auto output = dir / (name + "-signed.pdf");
            write_bytes(output, signed_document.bytes);
            check_signed(dir / "nss", output, 1);
        }
    }
}

BOOST_FIXTURE_TEST_CASE(byte_range_and_digest_describe_the_written_bytes, Producers) {
    make_ps2pdf(dir / "in.pdf");
    auto request = invisible_request(pki);
    auto prepared = prepare(dir / "in.pdf", request);
    BOOST_REQUIRE_MESSAGE(prepared, signet::test::error_of(prepared));
    const auto& r = prepared->byte_range;
    const auto bytes = joined(read_bytes(dir / "in.pdf"), *prepared);
    BOOST_TEST(prepared->original_size == read_bytes(dir / "in.pdf").size());
    BOOST_TEST(r[0] == 0u);
    BOOST_TEST(r[2] + r[3] == bytes.size());
    BOOST_TEST(bytes[r[1]] == '<');
    BOOST_TEST(bytes[r[2] - 1] == '>');
    BOOST_TEST(prepared->contents_offset == r[1] + 1);
    BOOST_TEST(prepared->contents_size == request.contents_size);
    BOOST_TEST(r[2] - r[1] == 2 * request.contents_size + 2);
    BOOST_TEST((prepared->digest == sha256_of_ranges(bytes, r)));

    // The ByteRange as written says the same numbers, in the placeholder's 37 bytes.
    std::string_view text = text_of(bytes);
    std::size_t at = text.find("/ByteRange[", r[1] > 200 ? r[1] - 200 : 0);
    BOOST_REQUIRE(at != std::string_view::npos);
    std::string expected = "/ByteRange[0 " + std::to_string(r[1]) + " " + std::to_string(r[2]) +
                           " " + std::to_string(r[3]);
    BOOST_TEST(text.substr(at, expected.size()) == expected);
    std::size_t close = text.find(']', at);
    BOOST_TEST(close - at ==
               std::string_view("/ByteRange[ 0 1234567890 1234567890 1234567890").size());
    BOOST_TEST(text.substr(close, 11) == "]/Contents<");

    // PAdES keys of the signature dictionary (ETSI EN 319 142-1 §5.3, §6.2.1).
    BOOST_TEST(text.find("/SubFilter/ETSI.CAdES.detached", bytes.size() - 4000) !=
               std::string_view::npos);
    BOOST_TEST(text.find("/Filter/Adobe.PPKLite", bytes.size() - 4000) != std::string_view::npos);
    BOOST_TEST(text.find("adbe.pkcs7.detached") == std::string_view::npos);
}

BOOST_FIXTURE_TEST_CASE(signing_time_and_reason_are_written, Producers) {
    make_ps2pdf(dir / "in.pdf");
    auto request = invisible_request(pki);
    request.signing_time = std::chrono::system_clock::from_time_t(1700000000);
    request.reason = "Approbation des comptes annuels";
    auto prepared = prepare(dir / "in.pdf", request);
    BOOST_REQUIRE_MESSAGE(prepared, signet::test::error_of(prepared));
    std::string_view text = text_of(prepared->update);
    BOOST_TEST(text.find("/M(D:20231114221320+00'00')") != std::string_view::npos);
    BOOST_TEST(text.find("/Reason") != std::string_view::npos);
}

BOOST_FIXTURE_TEST_CASE(a_second_signature_keeps_the_first_valid, Producers) {
    make_ps2pdf(dir / "ps.pdf");
    make_qpdf(dir / "ps.pdf", dir / "in.pdf", {"--object-streams=generate"});
    auto once = sign_file(dir / "in.pdf", pki, invisible_request(pki));
    write_bytes(dir / "once.pdf", once.bytes);
    Pki other = make_pki("ec-p256");
    auto request = invisible_request(other);
    request.appearance =
        box_at(2, {300, 100, 500, 160}, {"Signé par", "Marie Dupont"});
    auto twice = sign_file(dir / "once.pdf", other, request);
    write_bytes(dir / "twice.pdf", twice.bytes);
    BOOST_TEST(std::equal(once.bytes.begin(), once.bytes.end(), twice.bytes.begin()));
    // The second field gets a new name.
    BOOST_TEST(text_of(twice.bytes).find("(Signature2)") != std::string_view::npos);

    // Trust both roots in one database.
    auto both = dir / "nss-both";
    make_nss_db(both, pki);
    other.write_root(dir / "other-root.pem");
    auto added =
        signet::test::run({"certutil", "-A", "-d", "sql:" + both.string(), "-n", "other-root", "-t",
                           "CT,C,C", "-i", (dir / "other-root.pem").string()});
    BOOST_REQUIRE(added.exit_code == 0);
    auto report = pdfsig(both, dir / "twice.pdf");
    BOOST_TEST_INFO("pdfsig said:\n" << report.output);
    BOOST_TEST(signature_count(report.output) == 2);
    BOOST_TEST(valid_trusted_signatures(report.output) == 2);
    // The first signature covers only its revision, the second the whole file.
    BOOST_TEST(report.output.find("Not total document signed") != std::string::npos);
    BOOST_TEST(report.output.find("Total document signed") != std::string::npos);
    auto check = signet::test::run({"qpdf", "--check", (dir / "twice.pdf").string()});
    BOOST_TEST(check.exit_code == 0);
}

BOOST_FIXTURE_TEST_CASE(existing_fields_and_indirect_arrays_are_kept, Producers) {
    // An inline AcroForm with a field already called Signature1, an indirect /Annots array
    // holding a link, and an indirect /Fields array.
    signet::test::write_file(
        dir / "fields.pdf",
        simple_pdf("/Annots 5 0 R", "/AcroForm << /Fields 6 0 R >>",
                   {"[7 0 R 8 0 R]", "[8 0 R]",
                    "<< /Type /Annot /Subtype /Link /Rect [72 72 144 100] /Border [0 0 0] >>",
                    "<< /Type /Annot /Subtype /Widget /FT /Tx /T (Signature1) /V (hello) "
                    "/Rect [72 600 272 630] /P 3 0 R >>"}));
    auto signed_document = sign_file(dir / "fields.pdf", pki, invisible_request(pki));
    write_bytes(dir / "fields-signed.pdf", signed_document.bytes);
    std::string_view text = text_of(signed_document.bytes);
    BOOST_TEST(text.find("(Signature2)") != std::string_view::npos);
    check_signed(dir / "nss", dir / "fields-signed.pdf", 1);
    // The old field and the link are still there.
    auto json = signet::test::run(
        {"qpdf", "--json", "--json-key=acroform", (dir / "fields-signed.pdf").string()});
    BOOST_TEST(json.output.find("Signature1") != std::string::npos);
    BOOST_TEST(json.output.find("Signature2") != std::string::npos);
    // The indirect /Annots array (object 5) still holds the link (object 7) and now our widget.
    auto annots =
        signet::test::run({"qpdf", "--show-object=5", (dir / "fields-signed.pdf").string()});
    BOOST_TEST(annots.output.find("7 0 R") != std::string::npos);
    BOOST_CHECK_MESSAGE(annots.output.find("10 0 R") != std::string::npos, annots.output);
    auto link =
        signet::test::run({"qpdf", "--show-object=7", (dir / "fields-signed.pdf").string()});
    BOOST_TEST(link.output.find("/Link") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_documents_are_invalid_document_with_a_reason) {
    TempDir dir("signet-pdf-bad");
    Pki pki = make_pki("ec-p256");
    auto request = invisible_request(pki);
    make_ps2pdf(dir / "good.pdf");
    auto good = signet::test::read_file(dir / "good.pdf");

    struct Case {
        std::string name;
        std::string content;
        std::string expected;  // part of the message
    };
    std::vector<Case> cases{
        {"empty", "", "not a PDF"},
        {"text", "Hello, this is not a PDF at all.\n", "not a PDF"},
        {"garbage-after-header", "%PDF-1.4\n" + std::string(4000, '\x9c'), "truncated"},
        {"truncated-half", good.substr(0, good.size() / 2), "truncated"},
        {"truncated-tail", good.substr(0, good.size() - 30), "truncated"},
        {"no-pages",
         hand_written_pdf(
             {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"}),
         "no pages"},
        {"annots-integer", simple_pdf("/Annots 42"), "/Annots"},
        {"annots-dictionary", simple_pdf("/Annots << /A 1 >>"), "/Annots"},
        {"annots-reference-to-dictionary", simple_pdf("/Annots 5 0 R", "", {"<< /A 1 >>"}),
         "/Annots"},
        {"fields-not-array", simple_pdf("", "/AcroForm << /Fields 7 >>"), "/Fields"},
        // PoDoFo quotes the damaged token; the message must stay printable ASCII.
        {"damaged-keyword",
         [] {
             std::string pdf = simple_pdf();
             pdf.replace(pdf.find("endobj"), 6,
                         "end\xE9"
                         "bj");
             return pdf;
         }(),
         "damaged"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.name) {
            auto path = dir / (c.name + ".pdf");
            signet::test::write_file(path, c.content);
            Error error = prepare_error(path, request);
            BOOST_TEST(error.code == Errc::invalid_document);
            BOOST_CHECK_MESSAGE(error.message.find(c.expected) != std::string::npos, error.message);
            BOOST_TEST(std::all_of(error.message.begin(), error.message.end(),
                                   [](char ch) { return ch >= 0x20 && ch < 0x7F; }));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_lying_page_count_is_a_damaged_page_tree) {
    TempDir dir("signet-pdf-count");
    Pki pki = make_pki("ec-p256");
    // /Count says 3, the tree holds 1 page (NOTES trap 7: GetPage returns NULL).
    std::string pdf = simple_pdf();
    auto at = pdf.find("/Count 1");
    pdf.replace(at, 8, "/Count 3");  // same length: the xref stays right
    signet::test::write_file(dir / "count.pdf", pdf);
    auto request = invisible_request(pki);
    request.appearance = box_at(3, {10, 10, 200, 60}, {"x"});
    Error error = prepare_error(dir / "count.pdf", request);
    BOOST_TEST(error.code == Errc::invalid_document);
    BOOST_CHECK_MESSAGE(error.message.find("page tree is damaged") != std::string::npos,
                        error.message);
    // Page 4 is beyond even what /Count claims.
    request.appearance->page = 4;
    error = prepare_error(dir / "count.pdf", request);
    BOOST_CHECK_MESSAGE(
        error.message.find("the document has 3 pages; page 4 does not exist") != std::string::npos,
        error.message);

    // The same lie in a ps2pdf document (2 pages, /Count 9).
    make_ps2pdf(dir / "ps.pdf");
    std::string ps = signet::test::read_file(dir / "ps.pdf");
    auto count = ps.find("/Count 2");
    BOOST_REQUIRE(count != std::string::npos);
    ps[count + 7] = '9';
    signet::test::write_file(dir / "ps-count.pdf", ps);
    request.appearance->page = 5;
    error = prepare_error(dir / "ps-count.pdf", request);
    BOOST_TEST(error.code == Errc::invalid_document);
    BOOST_CHECK_MESSAGE(error.message.find("page tree is damaged") != std::string::npos,
                        error.message);
}

BOOST_AUTO_TEST_CASE(encrypted_documents_are_refused) {
    TempDir dir("signet-pdf-encrypted");
    Pki pki = make_pki("ec-p256");
    make_ps2pdf(dir / "plain.pdf");
    make_qpdf(dir / "plain.pdf", dir / "aes256-user.pdf", {"--encrypt", "u", "o", "256", "--"});
    make_qpdf(dir / "plain.pdf", dir / "aes256-open.pdf", {"--encrypt", "", "o", "256", "--"});
    make_qpdf(dir / "plain.pdf", dir / "aes128-open.pdf",
              {"--encrypt", "", "o", "128", "--use-aes=y", "--"});
    for (std::string name : {"aes256-user", "aes256-open", "aes128-open"}) {
        BOOST_TEST_CONTEXT(name) {
            Error error = prepare_error(dir / (name + ".pdf"), invisible_request(pki));
            BOOST_TEST(error.code == Errc::invalid_document);
            BOOST_CHECK_MESSAGE(error.message.find("the document is encrypted; signet cannot "
                                                   "sign encrypted PDFs") == 0u,
                                error.message);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_not_the_documents_fault) {
    TempDir dir("signet-pdf-missing");
    PrepareRequest request;
    request.contents_size = 4000;
    auto result = prepare(dir / "nothing-here.pdf", request);
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::internal);
}

BOOST_AUTO_TEST_CASE(the_placeholder_size_is_checked) {
    TempDir dir("signet-pdf-size");
    make_ps2pdf(dir / "in.pdf");
    PrepareRequest request;
    request.contents_size = 0;
    auto result = prepare(dir / "in.pdf", request);
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::internal);
    request.contents_size = 100'000'000;
    result = prepare(dir / "in.pdf", request);
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::internal);
}

BOOST_AUTO_TEST_CASE(failures_leave_no_file_behind) {
    TempDir dir("signet-pdf-nofiles");
    signet::test::write_file(dir / "bad.pdf", simple_pdf("/Annots 42"));
    PrepareRequest request;
    request.contents_size = 4000;
    BOOST_TEST(!prepare(dir / "bad.pdf", request));
    make_ps2pdf(dir / "good.pdf");
    BOOST_TEST(prepare(dir / "good.pdf", request).has_value());
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    BOOST_TEST(names == (std::vector<std::string>{"bad.pdf", "good.pdf", "good.ps"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
