// Sealing PDFs from several producers through a real signetd, checked by independent
// validators.

#include <boost/test/unit_test.hpp>

#include "store/database.hpp"
#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/pdf_samples.hpp"
#include "tests/integration/support/validators.hpp"

namespace {

using signet::test::installation;
using signet::test::read_file;
using signet::test::run;
using signet::test::TempDir;
using signet::test::write_file;

std::string base64_of(const std::filesystem::path& file) {
    auto result = run({"base64", "-w0", file.string()});
    BOOST_REQUIRE(result.exit_code == 0);
    return result.output;
}

std::string base64_decode(const std::string& text) {
    auto result = run({"base64", "-d"}, text);
    BOOST_REQUIRE(result.exit_code == 0);
    return result.output;
}

std::string sha256_of(const std::string& bytes) {
    auto result = run({"sha256sum"}, bytes);
    BOOST_REQUIRE(result.exit_code == 0);
    return result.output.substr(0, 64);
}

std::string seal_certificate_sha256() {
    auto result = run({"sh", "-c", "openssl x509 -in '" +
                                       (installation().install / "pki" / "seal.pem").string() +
                                       "' -outform DER | sha256sum"});
    BOOST_REQUIRE(result.exit_code == 0);
    return result.output.substr(0, 64);
}

struct Sealed {
    std::filesystem::path file;
    nlohmann::json response;  // of a raw seal: its headers, as the JSON answer's fields
};

// Checks everything a caller and a validator can see of `input` sealed as `output`.
Sealed validate(const std::filesystem::path& input, const std::string& output, nlohmann::json response,
                const std::filesystem::path& work, int expected_signatures) {
    const auto& inst = installation();
    Sealed sealed;
    sealed.response = std::move(response);
    sealed.file = work / (input.stem().string() + "-sealed.pdf");
    std::string original = read_file(input);
    write_file(sealed.file, output);

    // An incremental update: the original bytes are untouched at the start of the output.
    BOOST_TEST(output.size() > original.size());
    BOOST_TEST((output.compare(0, original.size(), original) == 0));
    const auto& signature = sealed.response.at("signature");
    BOOST_TEST(signature.at("key_id").get<std::string>().size() == 32U);
    BOOST_TEST(signature.at("certificate_sha256").get<std::string>() == seal_certificate_sha256());
    BOOST_TEST(signature.at("digest_sha256").get<std::string>().size() == 64U);
    BOOST_TEST(sealed.response.at("audit_seq").get<std::int64_t>() > 0);

    auto report = signet::test::pdfsig(inst.nss_db, sealed.file);
    BOOST_TEST(report.signatures == expected_signatures, report.output);
    BOOST_TEST(report.valid == expected_signatures, report.output);
    // poppler 22.12's pdfsig reports "Unknown issue with Certificate" for every signature after
    // the first made with the same certificate, its own -add-signature ones included (checked by
    // signing a file twice with pdfsig itself); so the first is checked for trust here, and
    // every signature's chain by openssl cms -verify below.
    BOOST_TEST(report.trusted >= 1, report.output);
    BOOST_TEST(report.output.find("ETSI.CAdES.detached") != std::string::npos, report.output);
    auto [qpdf_exit, qpdf_output] = signet::test::qpdf_check(sealed.file);
    BOOST_TEST(qpdf_exit == 0, qpdf_output);
    auto cms = signet::test::openssl_verify_all(sealed.file,
                                                inst.install / "pki" / "signing-ca.pem", work);
    BOOST_TEST(cms.verified == expected_signatures);
    for (const auto& failure : cms.failures) BOOST_ERROR(failure);
    return sealed;
}

// Seals `input` as the platform (JSON, base64) and validates the result.
Sealed seal_and_validate(const std::filesystem::path& input, const std::filesystem::path& work,
                         const std::string& appearance_json, int expected_signatures = 1) {
    std::string body = R"({"tenant": "cabinet-durand", "actor": "marie.durand", "document": ")" +
                       base64_of(input) + "\"" + appearance_json + "}";
    auto result = installation().request("POST", "/v1/seal", body);
    BOOST_REQUIRE_MESSAGE(result.status == 200, input.filename().string() << ": HTTP "
                                                    << result.status << " " << result.body
                                                    << result.curl_output);
    auto response = result.json();
    std::string output = base64_decode(response.at("document").get<std::string>());
    return validate(input, output, std::move(response), work, expected_signatures);
}

// Seals `input` in the raw form (the PDF as the body, `query` more parameters) and validates
// the body; the headers stand for the JSON answer's fields.
Sealed raw_seal_and_validate(const std::filesystem::path& input, const std::filesystem::path& work,
                             const std::string& query, int expected_signatures = 1) {
    auto result = signet::test::raw_seal(read_file(input), query);
    BOOST_REQUIRE_MESSAGE(result.status == 200, input.filename().string() << ": HTTP " << result.status << " "
                                                                          << result.body << result.curl_output);
    BOOST_TEST(result.headers["content-type"] == "application/pdf");
    BOOST_TEST(result.headers["content-length"] == std::to_string(result.body.size()));
    for (const char* header : {"signet-key-id", "signet-certificate-sha256", "signet-digest-sha256", "signet-audit-seq"}) {
        BOOST_REQUIRE_MESSAGE(result.headers.count(header) == 1U, header << " missing");
    }
    nlohmann::json response = {{"signature",
                                {{"key_id", result.headers["signet-key-id"]},
                                 {"certificate_sha256", result.headers["signet-certificate-sha256"]},
                                 {"digest_sha256", result.headers["signet-digest-sha256"]}}},
                               {"audit_seq", std::stoll(result.headers["signet-audit-seq"])}};
    return validate(input, result.body, std::move(response), work, expected_signatures);
}

// The audit entry of `sealed`'s outcome holds what its answer said.
void check_recorded(const std::filesystem::path& input, const Sealed& sealed) {
    auto db = installation().open_store();
    auto row = db.prepare(
        "SELECT tenant, json_extract(entry, '$.actor'), json_extract(entry, '$.document_sha256'), "
        "json_extract(entry, '$.output_sha256'), json_extract(entry, '$.key_id'), outcome, "
        "json_extract(entry, '$.client_fingerprint'), json_extract(entry, '$.signed_digest_sha256'), "
        "json_extract(entry, '$.certificate_sha256') FROM audit_log WHERE seq = ?");
    BOOST_REQUIRE(row);
    row->bind(1, sealed.response.at("audit_seq").get<std::int64_t>());
    auto found = row->step();
    BOOST_REQUIRE(found && *found);
    BOOST_TEST(row->column_text(0) == "cabinet-durand");
    BOOST_TEST(row->column_text(1) == "marie.durand");
    BOOST_TEST(row->column_text(2) == sha256_of(read_file(input)));
    BOOST_TEST(row->column_text(3) == sha256_of(read_file(sealed.file)));
    BOOST_TEST(row->column_text(4) == sealed.response.at("signature").at("key_id").get<std::string>());
    BOOST_TEST(row->column_text(5) == "sealed");
    auto fingerprint = run({"sh", "-c", "openssl x509 -in '" +
                                            (installation().install / "pki" / "platform.pem").string() +
                                            "' -outform DER | sha256sum"});
    BOOST_TEST(row->column_text(6) == fingerprint.output.substr(0, 64));
    BOOST_TEST(row->column_text(7) == sealed.response.at("signature").at("digest_sha256").get<std::string>());
    BOOST_TEST(row->column_text(8) == sealed.response.at("signature").at("certificate_sha256").get<std::string>());
}

const std::string visible = R"(, "appearance": {"page": 1, "rect": [350, 40, 560, 120]})";

}  // namespace

BOOST_AUTO_TEST_SUITE(seal)

BOOST_AUTO_TEST_CASE(health_reports_every_component) {
    auto result = installation().request("GET", "/v1/health", "", "platform");
    BOOST_REQUIRE_EQUAL(result.status, 200);
    auto body = result.json();
    BOOST_TEST(body.at("status") == "ok");
    BOOST_TEST(body.at("hsm") == "ok");
    BOOST_TEST(body.at("database") == "ok");
    BOOST_TEST(body.at("audit") == "ok");
}

BOOST_AUTO_TEST_CASE(ps2pdf_invisible) {
    TempDir work;
    seal_and_validate(signet::test::ps2pdf_sample(work.path(), "ps2pdf", 3), work.path(), "");
}

BOOST_AUTO_TEST_CASE(groff_visible_shows_seal_text) {
    TempDir work;
    auto sealed = seal_and_validate(signet::test::groff_sample(work.path()), work.path(), visible);
    auto text = run({"pdftotext", sealed.file.string(), "-"});
    BOOST_TEST(text.output.find("Cachet électronique") != std::string::npos, text.output);
    // The tenant's registered name, not its id.
    BOOST_TEST(text.output.find("Cabinet Durand & Associés") != std::string::npos, text.output);
}

BOOST_AUTO_TEST_CASE(qpdf_object_streams) {
    TempDir work;
    auto source = signet::test::ps2pdf_sample(work.path(), "objstm-source", 2);
    auto input = signet::test::qpdf_rewrite(source, work / "objstm.pdf",
                                            {"--object-streams=generate"});
    seal_and_validate(input, work.path(), visible);
}

BOOST_AUTO_TEST_CASE(qpdf_linearized) {
    TempDir work;
    auto source = signet::test::groff_sample(work.path());
    auto input = signet::test::qpdf_rewrite(source, work / "linearized.pdf", {"--linearize"});
    seal_and_validate(input, work.path(), visible);
}

BOOST_AUTO_TEST_CASE(second_seal_keeps_the_first_valid) {
    TempDir work;
    auto first = seal_and_validate(signet::test::ps2pdf_sample(work.path(), "twice", 2),
                                   work.path(), visible);
    auto again = work / "twice-once.pdf";
    std::filesystem::copy_file(first.file, again);
    seal_and_validate(again, work.path(), R"(, "appearance": {"page": 2, "rect": [50, 40, 260, 120]})",
                      2);
}

BOOST_AUTO_TEST_CASE(each_seal_is_recorded_with_its_hashes) {
    TempDir work;
    auto input = signet::test::ps2pdf_sample(work.path(), "recorded", 1);
    check_recorded(input, seal_and_validate(input, work.path(), ""));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(raw_seal)

BOOST_AUTO_TEST_CASE(ps2pdf_invisible_and_its_headers_are_on_record) {
    TempDir work;
    auto input = signet::test::ps2pdf_sample(work.path(), "raw", 3);
    check_recorded(input, raw_seal_and_validate(input, work.path(), ""));
}

BOOST_AUTO_TEST_CASE(groff_visible_through_page_and_rect) {
    TempDir work;
    auto sealed = raw_seal_and_validate(signet::test::groff_sample(work.path()), work.path(),
                                        "&page=1&rect=350,40,560,120");
    auto text = run({"pdftotext", sealed.file.string(), "-"});
    BOOST_TEST(text.output.find("Cachet électronique") != std::string::npos, text.output);
    BOOST_TEST(text.output.find("Cabinet Durand & Associés") != std::string::npos, text.output);
}

BOOST_AUTO_TEST_CASE(a_raw_seal_over_a_sealed_file_keeps_the_first_valid) {
    TempDir work;
    auto first = raw_seal_and_validate(signet::test::ps2pdf_sample(work.path(), "raw-twice", 2), work.path(),
                                       "&page=1&rect=350,40,560,120");
    auto again = work / "raw-twice-once.pdf";
    std::filesystem::copy_file(first.file, again);
    raw_seal_and_validate(again, work.path(), "&page=2&rect=50.5,40,260,120.25", 2);
}

BOOST_AUTO_TEST_SUITE_END()
