// Sealing PDFs from several producers through a real signetd, checked by independent
// validators.

#include <boost/test/unit_test.hpp>

#include "store/database.hpp"
#include "tests/integration/fixture.hpp"
#include "tests/integration/pdf_samples.hpp"
#include "tests/integration/validators.hpp"

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
    nlohmann::json response;
};

// Seals `input` as the platform and checks everything a caller and a validator can see.
Sealed seal_and_validate(const std::filesystem::path& input, const std::filesystem::path& work,
                         const std::string& appearance_json, int expected_signatures = 1) {
    const auto& inst = installation();
    std::string body = R"({"tenant": "cabinet-durand", "actor": "marie.durand", "document": ")" +
                       base64_of(input) + "\"" + appearance_json + "}";
    auto result = inst.request("POST", "/v1/seal", body);
    BOOST_REQUIRE_MESSAGE(result.status == 200, input.filename().string() << ": HTTP "
                                                    << result.status << " " << result.body
                                                    << result.curl_output);
    Sealed sealed;
    sealed.response = result.json();
    sealed.file = work / (input.stem().string() + "-sealed.pdf");
    std::string original = read_file(input);
    std::string output = base64_decode(sealed.response.at("document").get<std::string>());
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
    auto sealed = seal_and_validate(input, work.path(), "");
    auto db = signet::store::Database::open(installation().install / "signet.db");
    BOOST_REQUIRE(db);
    auto row = db->prepare(
        "SELECT tenant, json_extract(entry, '$.actor'), json_extract(entry, '$.document_sha256'), "
        "json_extract(entry, '$.output_sha256'), json_extract(entry, '$.key_id'), outcome, "
        "json_extract(entry, '$.client_fingerprint') FROM audit_log WHERE seq = ?");
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
}

BOOST_AUTO_TEST_SUITE_END()
