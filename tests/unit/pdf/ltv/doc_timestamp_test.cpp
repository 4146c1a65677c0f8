// The document time-stamp of PAdES B-LTA (ISO 32000-2 §12.8.5): prepared by pdf::prepare with
// document_timestamp, its token made by an independent TSA (`openssl ts -reply`), embedded by
// the same byte patch as a signature; checked with `openssl ts -verify` over the ByteRange
// bytes (pdfsig does not verify document time-stamps) and the earlier signature with pdfsig.

#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "devpki/dev_crl.hpp"
#include "pdf/ltv/dss.hpp"
#include "pdf/ltv/signatures.hpp"
#include "pdf/prepare.hpp"
#include "base/x509_encoding.hpp"
#include "tests/support/ltv_checks.hpp"
#include "tests/support/need.hpp"
#include "tests/support/pdf_fixtures.hpp"
#include "tests/support/responders/tsa_responder.hpp"
#include "timestamp/request.hpp"
#include "timestamp/verify.hpp"

namespace signet::pdf::test {
namespace {

std::vector<std::uint8_t> der(X509* cert) {
    auto encoded = signet::to_der(cert);
    BOOST_REQUIRE(encoded);
    return *encoded;
}

std::vector<std::uint8_t> der_crl(X509_CRL* crl) {
    int length = i2d_X509_CRL(crl, nullptr);
    BOOST_REQUIRE(length > 0);
    std::vector<std::uint8_t> out(static_cast<std::size_t>(length));
    unsigned char* cursor = out.data();
    BOOST_REQUIRE(i2d_X509_CRL(crl, &cursor) == length);
    return out;
}

// The independent TSA's token over `digest` (SHA-256), out of its TimeStampResp: checked and
// taken by the verify.hpp that checks external TSAs' answers.
std::vector<std::uint8_t> token_over(signet::test::TsaResponder& tsa, const std::array<std::uint8_t, 32>& digest) {
    auto query = timestamp::make_request(NID_sha256, digest, std::nullopt);
    BOOST_REQUIRE(query);
    timestamp::Expectation expected;
    expected.hash_nid = NID_sha256;
    expected.imprint.assign(digest.begin(), digest.end());
    expected.trust = tsa.ca_pem_path();
    expected.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
    expected.not_after = std::chrono::system_clock::now() + std::chrono::hours(1);
    auto token = timestamp::check_response(tsa.answer(*query), expected);
    BOOST_REQUIRE_MESSAGE(token, signet::test::error_of(token));
    return token->token;
}

std::string text(const std::vector<std::uint8_t>& bytes, std::size_t from, std::size_t length) {
    return std::string(reinterpret_cast<const char*>(bytes.data() + from), length);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_document_timestamp_covers_the_file_and_leaves_the_signature_valid) {
    TempDir dir;
    Pki pki = make_pki("ec-p256");
    make_ps2pdf(dir / "in.pdf");
    SignedFile signed_file = sign_file(dir / "in.pdf", pki, invisible_request(pki));
    std::filesystem::create_directories(dir / "tsa");
    signet::test::TsaResponder tsa(dir / "tsa");

    PrepareRequest request;
    request.document_timestamp = true;
    request.contents_size = 8192;
    request.signing_time = std::chrono::system_clock::now();
    auto prepared = prepare(signed_file.bytes, request);
    BOOST_REQUIRE_MESSAGE(prepared, signet::test::error_of(prepared));
    // The value dictionary, as PoDoFo writes it (no spaces between names).
    const std::string update = text(prepared->update, 0, prepared->update.size());
    const std::size_t value = update.find("/Type/DocTimeStamp");
    BOOST_REQUIRE(value != std::string::npos);
    const std::string dictionary = update.substr(value, update.find(">>", update.find("/Contents<", value)) - value);
    BOOST_TEST(dictionary.find("/SubFilter/ETSI.RFC3161") != std::string::npos, dictionary.substr(0, 200));
    BOOST_TEST(dictionary.find("/Filter/Adobe.PPKLite") != std::string::npos);
    BOOST_TEST(dictionary.find("/M(") == std::string::npos);

    const std::vector<std::uint8_t> token = token_over(tsa, prepared->digest);
    BOOST_REQUIRE(embed(*prepared, token));
    const std::vector<std::uint8_t> file = joined(signed_file.bytes, *prepared);
    write_bytes(dir / "lta.pdf", file);

    // The ByteRange bytes, as a validator hashes them, checked by openssl against the TSA's CA.
    std::vector<std::uint8_t> covered(file.begin(), file.begin() + static_cast<long>(prepared->byte_range[1]));
    covered.insert(covered.end(), file.begin() + static_cast<long>(prepared->byte_range[2]),
                   file.begin() + static_cast<long>(prepared->byte_range[2] + prepared->byte_range[3]));
    write_bytes(dir / "covered.bin", covered);
    write_bytes(dir / "token.der", token);
    auto verified = signet::test::run({"openssl", "ts", "-verify", "-data", (dir / "covered.bin").string(), "-in",
                                       (dir / "token.der").string(), "-token_in", "-CAfile",
                                       tsa.ca_pem_path().string(), "-untrusted", tsa.tsa_cert_path().string()});
    BOOST_TEST(verified.exit_code == 0, verified.output);
    BOOST_TEST(verified.output.find("Verification: OK") != std::string::npos, verified.output);
    BOOST_TEST(prepared->byte_range[2] + prepared->byte_range[3] == file.size());

    // qpdf --check passes and the signature under the time-stamp is still valid.
    make_nss_db(dir / "nss", pki);
    auto report = pdfsig(dir / "nss", dir / "lta.pdf");
    BOOST_TEST(valid_trusted_signatures(report.output) == 1, report.output);
    auto check = signet::test::run({"qpdf", "--check", (dir / "lta.pdf").string()});
    BOOST_TEST(check.exit_code == 0, check.output);
}

// The whole B-LTA shape: signature, DSS (chain and CRL, /VRI), document time-stamp, checked by
// the structural checks of tests/support/ltv_checks.hpp.
BOOST_AUTO_TEST_CASE(a_signature_its_dss_and_a_document_timestamp_pass_the_structural_checks) {
    TempDir dir;
    Pki pki = make_pki("ec-p256", 1);
    make_ps2pdf(dir / "in.pdf");
    SignedFile signed_file = sign_file(dir / "in.pdf", pki, invisible_request(pki));
    std::filesystem::create_directories(dir / "tsa");
    signet::test::TsaResponder tsa(dir / "tsa");

    auto listed = list_signatures(signed_file.bytes);
    BOOST_REQUIRE(listed && listed->fields.size() == 1U);
    ValidationData data;
    data.vri_key = vri_key(listed->fields[0].contents);
    data.certificates = {der(pki.cert.get()), der(pki.intermediates[0].get()), der(pki.root.get())};
    auto crl = devpki::next_crl(pki.root.get(), pki.root_key.get(), nullptr, {}, std::chrono::days(7));
    BOOST_REQUIRE(crl);
    data.crls = {der_crl(crl->get())};
    data.time = std::chrono::system_clock::now();
    auto dss = dss_update(signed_file.bytes, std::span(&data, 1));
    BOOST_REQUIRE_MESSAGE(dss, signet::test::error_of(dss));
    std::vector<std::uint8_t> lt = signed_file.bytes;
    lt.insert(lt.end(), dss->begin(), dss->end());

    PrepareRequest request;
    request.document_timestamp = true;
    request.contents_size = 8192;
    auto prepared = prepare(lt, request);
    BOOST_REQUIRE(prepared);
    BOOST_REQUIRE(embed(*prepared, token_over(tsa, prepared->digest)));
    write_bytes(dir / "lta.pdf", joined(lt, *prepared));

    pki.write_root(dir / "anchors.pem");
    std::ofstream(dir / "anchors.pem", std::ios::app) << signet::test::read_file(tsa.ca_pem_path());
    const signet::test::LtvReport report = signet::test::check_ltv(dir / "lta.pdf", dir / "anchors.pem", dir / "checks");
    BOOST_TEST(report.problems.empty(), [&] {
        std::string all;
        for (const auto& problem : report.problems) all += problem + "\n";
        return all;
    }());
    BOOST_TEST(report.certificates == 3);
    BOOST_TEST(report.crls == 1);
    BOOST_TEST(report.vri_entries == 1);
    BOOST_TEST(report.signatures == 1);
    BOOST_TEST(report.document_timestamps == 1);

    // A byte changed under the time-stamp is seen.
    auto tampered = read_bytes(dir / "lta.pdf");
    tampered[prepared->byte_range[1] / 2] ^= 0x01;
    write_bytes(dir / "tampered.pdf", tampered);
    const auto broken = signet::test::check_ltv(dir / "tampered.pdf", dir / "anchors.pem", dir / "checks2");
    BOOST_TEST(!broken.problems.empty());
}

BOOST_AUTO_TEST_CASE(a_document_timestamp_takes_no_appearance_or_reason) {
    TempDir dir;
    make_ps2pdf(dir / "in.pdf");
    PrepareRequest request;
    request.document_timestamp = true;
    request.contents_size = 8192;
    request.reason = "archive";
    auto refused = prepare(dir / "in.pdf", request);
    BOOST_REQUIRE(!refused);
    BOOST_TEST(refused.error().code == Errc::bad_request);
}

}  // namespace signet::pdf::test
