// The document time-stamp of PAdES B-LTA (ISO 32000-2 §12.8.5): prepared by pdf::prepare with
// document_timestamp, its token made by an independent TSA (`openssl ts -reply`), embedded by
// the same byte patch as a signature; checked with `openssl ts -verify` over the ByteRange
// bytes (pdfsig does not verify document time-stamps) and the earlier signature with pdfsig.

#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>

#include <chrono>
#include <string>
#include <vector>

#include "pdf/prepare.hpp"
#include "tests/support/need.hpp"
#include "tests/support/pdf_fixtures.hpp"
#include "tests/support/tsa_responder.hpp"
#include "timestamp/request.hpp"
#include "timestamp/verify.hpp"

namespace signet::pdf::test {
namespace {

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

    auto query = timestamp::make_request(NID_sha256, prepared->digest, std::nullopt);
    BOOST_REQUIRE(query);
    timestamp::Expectation expected;
    expected.hash_nid = NID_sha256;
    expected.imprint.assign(prepared->digest.begin(), prepared->digest.end());
    expected.trust = tsa.ca_pem_path();
    expected.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
    expected.not_after = std::chrono::system_clock::now() + std::chrono::hours(1);
    auto token = timestamp::check_response(tsa.answer(*query), expected);
    BOOST_REQUIRE_MESSAGE(token, signet::test::error_of(token));
    BOOST_REQUIRE(embed(*prepared, token->token));
    const std::vector<std::uint8_t> file = joined(signed_file.bytes, *prepared);
    write_bytes(dir / "lta.pdf", file);

    // The ByteRange bytes, as a validator hashes them, checked by openssl against the TSA's CA.
    std::vector<std::uint8_t> covered(file.begin(), file.begin() + static_cast<long>(prepared->byte_range[1]));
    covered.insert(covered.end(), file.begin() + static_cast<long>(prepared->byte_range[2]),
                   file.begin() + static_cast<long>(prepared->byte_range[2] + prepared->byte_range[3]));
    write_bytes(dir / "covered.bin", covered);
    write_bytes(dir / "token.der", token->token);
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
