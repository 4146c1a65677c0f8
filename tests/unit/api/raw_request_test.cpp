#include "api/raw_request.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "tests/support/need.hpp"

namespace {

using signet::daemon::parse_raw_seal_request;
using signet::daemon::parse_raw_sign_request;

std::vector<std::uint8_t> pdf() { return {'%', 'P', 'D', 'F', '-'}; }

void require_seal_refused(const std::string& target, std::string_view fragment,
                          std::vector<std::uint8_t> document = pdf()) {
    auto parsed = parse_raw_seal_request(target, std::move(document));
    BOOST_TEST_CONTEXT(target) {
        BOOST_REQUIRE(!parsed);
        BOOST_TEST(static_cast<int>(parsed.error().code) ==
                   static_cast<int>(signet::Errc::bad_request));
        BOOST_TEST(parsed.error().message.find(fragment) != std::string::npos,
                   parsed.error().message << " lacks " << fragment);
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(raw_request)

BOOST_AUTO_TEST_CASE(full_seal_request_from_the_query) {
    auto parsed = parse_raw_seal_request(
        "/v1/seal?tenant=cab-1&actor=marie%20dur%C3%A9&approved_by=paul&page=2&rect=1,2.5,30,40",
        pdf());
    BOOST_REQUIRE_MESSAGE(parsed, signet::test::error_of(parsed));
    BOOST_TEST(parsed->tenant == "cab-1");
    BOOST_TEST(parsed->actor == "marie duré");
    BOOST_TEST(parsed->approved_by.value() == "paul");
    BOOST_TEST((parsed->document == pdf()));
    BOOST_REQUIRE(parsed->appearance.has_value());
    BOOST_TEST(parsed->appearance->page == 2);
    BOOST_TEST(parsed->appearance->rect[1] == 2.5);
    BOOST_TEST(parsed->appearance->rect[3] == 40.0);

    auto invisible = parse_raw_seal_request("/v1/seal?tenant=t&actor=a", pdf());
    BOOST_REQUIRE(invisible);
    BOOST_TEST(!invisible->appearance.has_value());
    BOOST_TEST(!invisible->approved_by.has_value());
}

BOOST_AUTO_TEST_CASE(the_document_is_moved_not_copied) {
    std::vector<std::uint8_t> document(1 << 20, 'x');
    const std::uint8_t* bytes = document.data();
    auto parsed = parse_raw_seal_request("/v1/seal?tenant=t&actor=a", std::move(document));
    BOOST_REQUIRE(parsed);
    BOOST_TEST((parsed->document.data() == bytes));
}

BOOST_AUTO_TEST_CASE(seal_refusals_name_the_parameter) {
    require_seal_refused("/v1/seal?actor=a", "the query parameter 'tenant' is missing");
    require_seal_refused("/v1/seal?tenant=t", "the query parameter 'actor' is missing");
    require_seal_refused("/v1/seal?tenant=&actor=a", "'tenant' must not be empty");
    require_seal_refused("/v1/seal?tenant=t%07&actor=a", "'tenant' contains a control character");
    require_seal_refused("/v1/seal?tenant=" + std::string(300, 'x') + "&actor=a",
                         "'tenant' is longer than 256");
    require_seal_refused("/v1/seal?tenant=t&actor=a&colour=red", "'colour' is not part of the API");
    require_seal_refused("/v1/seal?tenant=t&actor=a&otp=123456", "'otp' is not part of the API");
    require_seal_refused("/v1/seal?tenant=t&actor=a&actor=b", "'actor' is given twice");
    require_seal_refused("/v1/seal?tenant=t&actor", "'actor' has no value");
    require_seal_refused("/v1/seal?tenant=%FF&actor=a", "'tenant' is not valid UTF-8");
    require_seal_refused("/v1/seal?tenant=t&actor=a&page=1",
                         "both the query parameters 'page' and 'rect'");
    require_seal_refused("/v1/seal?tenant=t&actor=a&rect=0,0,1,1",
                         "both the query parameters 'page' and 'rect'");
    require_seal_refused("/v1/seal?tenant=t&actor=a&page=0&rect=0,0,1,1",
                         "'page' must be a page number from 1");
    require_seal_refused("/v1/seal?tenant=t&actor=a&page=one&rect=0,0,1,1",
                         "'page' must be a page number");
    require_seal_refused("/v1/seal?tenant=t&actor=a&page=1.5&rect=0,0,1,1",
                         "'page' must be a page number");
    require_seal_refused("/v1/seal?tenant=t&actor=a&page=99999999999999999999&rect=0,0,1,1",
                         "'page' must be");
    for (const char* rect : {"0,0,1", "0,0,1,1,1", "0,0,,1", "0,0,1,1,", "0;0;1;1", "0,0,1,x",
                             "+0,0,1,1", "0,0,1,1e999", "0, 0,1,1"}) {
        require_seal_refused(std::string("/v1/seal?tenant=t&actor=a&page=1&rect=") + rect,
                             "'rect' must be four numbers x1,y1,x2,y2");
    }
    require_seal_refused("/v1/seal?tenant=t&actor=a&page=1&rect=0,0,inf,1",
                         "'rect' must hold four numbers");
    require_seal_refused("/v1/seal?tenant=t&actor=a&page=1&rect=5,0,1,1",
                         "'rect' must have x1 < x2 and y1 < y2");
    require_seal_refused("/v1/seal?tenant=t&actor=a&page=1&rect=0,5,1,1",
                         "'rect' must have x1 < x2 and y1 < y2");
    require_seal_refused("/v1/seal?tenant=t&actor=a", "the request body is empty", {});
}

BOOST_AUTO_TEST_CASE(sign_request_is_one_document_with_its_code) {
    auto parsed = parse_raw_sign_request(
        "/v1/sign?tenant=t&actor=a&otp=123456&page=1&rect=300,40,560,120", pdf());
    BOOST_REQUIRE_MESSAGE(parsed, signet::test::error_of(parsed));
    BOOST_TEST(parsed->otp == "123456");
    BOOST_TEST(!parsed->batch);
    BOOST_REQUIRE(parsed->documents.size() == 1U);
    BOOST_TEST((parsed->documents.front() == pdf()));
    BOOST_REQUIRE(parsed->appearance.has_value());
    BOOST_TEST(parsed->appearance->rect[2] == 560.0);

    // Without a code the job refuses, and records the refusal, as for the JSON form.
    auto no_code = parse_raw_sign_request("/v1/sign?tenant=t&actor=a", pdf());
    BOOST_REQUIRE(no_code);
    BOOST_TEST(no_code->otp.empty());

    for (const char* target : {"/v1/sign?tenant=t&actor=a&otp=12345678901234567",
                               "/v1/sign?tenant=t&actor=a&approved_by=p",
                               "/v1/sign?tenant=t&actor=a&otp=1&otp=2", "/v1/sign?actor=a&otp=1"}) {
        auto refused = parse_raw_sign_request(target, pdf());
        BOOST_TEST_CONTEXT(target) {
            BOOST_REQUIRE(!refused);
            BOOST_TEST(static_cast<int>(refused.error().code) ==
                       static_cast<int>(signet::Errc::bad_request));
        }
    }
    auto empty = parse_raw_sign_request("/v1/sign?tenant=t&actor=a&otp=123456", {});
    BOOST_REQUIRE(!empty);
    BOOST_TEST(empty.error().message.find("the request body is empty") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(answers_carry_the_signature_in_headers) {
    signet::daemon::SealResult seal;
    seal.signed_document.document = pdf();
    const std::uint8_t* bytes = seal.signed_document.document.data();
    seal.key_id = "ab";
    seal.certificate_sha256 = "cd";
    seal.signed_document.digest_sha256 = "ef";
    seal.signed_document.audit_seq = 7;
    auto sealed = signet::daemon::seal_pdf_response(std::move(seal), 11, true);
    BOOST_TEST(sealed.result_int() == 200U);
    BOOST_TEST(sealed[boost::beast::http::field::content_type] == "application/pdf");
    BOOST_TEST(sealed[boost::beast::http::field::content_length] == "5");
    BOOST_TEST((sealed.body().data() == bytes));  // the job's vector, not a copy
    BOOST_TEST(sealed["Signet-Key-Id"] == "ab");
    BOOST_TEST(sealed["Signet-Certificate-Sha256"] == "cd");
    BOOST_TEST(sealed["Signet-Digest-Sha256"] == "ef");
    BOOST_TEST(sealed["Signet-Audit-Seq"] == "7");
    BOOST_TEST(sealed.count("Signet-Activation-Seq") == 0U);
    BOOST_TEST(sealed["Signet-Level"] == "B-B");
    BOOST_TEST(sealed.count("Signet-Timestamp-Serial") == 0U);

    signet::daemon::SignResult sign;
    sign.key_id = "01";
    sign.certificate_sha256 = "02";
    sign.activation_seq = 41;
    sign.level = signet::config::SignatureLevel::b_t;
    signet::daemon::Stamp stamp;
    stamp.info.gen_time_text = "2026-12-05T18:00:00Z";
    stamp.info.serial_hex = "2a";
    stamp.info.tsa = "CN=Horodatage Société,O=signet";
    sign.documents.push_back(signet::daemon::SignedDocument{pdf(), "03", 42, stamp, std::nullopt, std::nullopt});
    auto signed_document = signet::daemon::sign_pdf_response(std::move(sign), 11, false);
    BOOST_TEST((signed_document.body() == pdf()));
    BOOST_TEST(!signed_document.keep_alive());
    BOOST_TEST(signed_document["Signet-Key-Id"] == "01");
    BOOST_TEST(signed_document["Signet-Level"] == "B-T");
    BOOST_TEST(signed_document["Signet-Timestamp-Gen-Time"] == "2026-12-05T18:00:00Z");
    BOOST_TEST(signed_document["Signet-Timestamp-Serial"] == "2a");
    // Header values are ASCII: the name's UTF-8 bytes are percent-encoded.
    BOOST_TEST(signed_document["Signet-Timestamp-Tsa"] == "CN=Horodatage Soci%C3%A9t%C3%A9,O=signet");
    BOOST_TEST(signed_document["Signet-Certificate-Sha256"] == "02");
    BOOST_TEST(signed_document["Signet-Digest-Sha256"] == "03");
    BOOST_TEST(signed_document["Signet-Audit-Seq"] == "42");
    BOOST_TEST(signed_document["Signet-Activation-Seq"] == "41");
    BOOST_TEST(signed_document.count("Signet-Revocation-After-Timestamp") == 0U);
    BOOST_TEST(signed_document.count("Signet-Document-Timestamp-Serial") == 0U);
}

BOOST_AUTO_TEST_CASE(a_b_lta_signature_answers_its_validation_data_and_document_timestamp_in_headers) {
    signet::daemon::SignResult sign;
    sign.key_id = "01";
    sign.certificate_sha256 = "02";
    sign.level = signet::config::SignatureLevel::b_lta;
    signet::daemon::Stamp stamp;
    stamp.info.gen_time_text = "2026-12-05T18:00:00Z";
    stamp.info.serial_hex = "2a";
    stamp.info.tsa = "CN=TSA";
    signet::daemon::Stamp archive = stamp;
    archive.info.gen_time_text = "2026-12-05T18:00:01Z";
    archive.info.serial_hex = "2c";
    signet::evidence::Freshness freshness;
    freshness.after_timestamp = false;
    freshness.notes.push_back("the CRL was issued before the signature time-stamp");
    sign.documents.push_back(signet::daemon::SignedDocument{pdf(), "03", 42, stamp, freshness, archive});
    auto answer = signet::daemon::sign_pdf_response(std::move(sign), 11, false);
    BOOST_TEST(answer["Signet-Level"] == "B-LTA");
    BOOST_TEST(answer["Signet-Timestamp-Serial"] == "2a");
    BOOST_TEST(answer["Signet-Revocation-After-Timestamp"] == "false");
    BOOST_TEST(answer["Signet-Document-Timestamp-Gen-Time"] == "2026-12-05T18:00:01Z");
    BOOST_TEST(answer["Signet-Document-Timestamp-Serial"] == "2c");
    BOOST_TEST(answer["Signet-Document-Timestamp-Tsa"] == "CN=TSA");
}

BOOST_AUTO_TEST_SUITE_END()
