#include "api/api_json.hpp"
#include "server/error_response.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/support/need.hpp"

namespace {

void require_bad_request(std::string_view body, std::string_view fragment) {
    auto parsed = signet::daemon::parse_seal_request(std::string(body));
    BOOST_REQUIRE_MESSAGE(!parsed, "accepted: " << body);
    BOOST_TEST(static_cast<int>(parsed.error().code) == static_cast<int>(signet::Errc::bad_request));
    BOOST_TEST(parsed.error().message.find(fragment) != std::string::npos,
               parsed.error().message << " lacks " << fragment);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(api_json)

BOOST_AUTO_TEST_CASE(full_seal_request) {
    auto parsed = signet::daemon::parse_seal_request(
        R"({"tenant": "cab-1", "actor": "marie", "document": "JVBERi0=",
            "appearance": {"page": 2, "rect": [1, 2.5, 30, 40]}, "approved_by": "paul"})");
    BOOST_REQUIRE_MESSAGE(parsed, signet::test::error_of(parsed));
    BOOST_TEST(parsed->tenant == "cab-1");
    BOOST_TEST(parsed->actor == "marie");
    BOOST_TEST(std::string(parsed->document.begin(), parsed->document.end()) == "%PDF-");
    BOOST_REQUIRE(parsed->appearance.has_value());
    BOOST_TEST(parsed->appearance->page == 2);
    BOOST_TEST(parsed->appearance->rect[1] == 2.5);
    BOOST_TEST(parsed->approved_by.value() == "paul");
}

BOOST_AUTO_TEST_CASE(appearance_defaults_to_page_one) {
    auto parsed = signet::daemon::parse_seal_request(
        R"({"tenant": "t", "actor": "a", "document": "JVBERi0=", "appearance": {"rect": [0, 0, 10, 10]}})");
    BOOST_REQUIRE(parsed);
    BOOST_TEST(parsed->appearance->page == 1);
}

BOOST_AUTO_TEST_CASE(refusals_name_the_field) {
    require_bad_request("", "not valid JSON");
    require_bad_request("{", "not valid JSON");
    require_bad_request("42", "JSON object");
    require_bad_request(R"({"actor": "a", "document": "JVBERi0="})", "'tenant' is missing");
    require_bad_request(R"({"tenant": "", "actor": "a", "document": "JVBERi0="})", "'tenant' must not be empty");
    require_bad_request(R"({"tenant": "t\u0007", "actor": "a", "document": "JVBERi0="})", "control character");
    require_bad_request(R"({"tenant": "t", "actor": ["a"], "document": "JVBERi0="})", "'actor' must be a string");
    require_bad_request(R"({"tenant": "t", "actor": "a"})", "'document' is missing");
    require_bad_request(R"({"tenant": "t", "actor": "a", "document": 12})", "base64 string");
    require_bad_request(R"({"tenant": "t", "actor": "a", "document": "%%%%"})", "not valid base64");
    require_bad_request(R"({"tenant": "t", "actor": "a", "document": ""})", "'document' is empty");
    require_bad_request(R"({"tenant": "t", "actor": "a", "document": "JVBERi0=", "x": 1})", "'x' is not part");
    require_bad_request(R"({"tenant": "t", "actor": "a", "document": "JVBERi0=", "appearance": {"page": 0, "rect": [0,0,1,1]}})", "page number");
    require_bad_request(R"({"tenant": "t", "actor": "a", "document": "JVBERi0=", "appearance": {"rect": [0,0,1]}})", "[x1, y1, x2, y2]");
    require_bad_request(R"({"tenant": "t", "actor": "a", "document": "JVBERi0=", "appearance": {"rect": [0,0,"1",1]}})", "four numbers");
    require_bad_request(R"({"tenant": "t", "actor": "a", "document": "JVBERi0=", "appearance": {"rect": [5,0,1,1]}})", "x1 < x2");
    require_bad_request(R"({"tenant": "t", "actor": "a", "document": "JVBERi0=", "appearance": {"rect": [0,0,1,1], "font": "x"}})", "appearance.font");
    require_bad_request(std::string(R"({"tenant": ")") + std::string(300, 'x') + R"(", "actor": "a", "document": "JVBERi0="})", "longer than 256");
}

BOOST_AUTO_TEST_CASE(error_and_seal_bodies) {
    auto error = nlohmann::json::parse(signet::daemon::error_body(
        signet::Error{signet::Errc::invalid_document, "the document is encrypted"}));
    BOOST_TEST(error.at("error") == "invalid_document");
    BOOST_TEST(error.at("message") == "the document is encrypted");

    signet::daemon::SealResult result;
    result.signed_document.document = {'%', 'P', 'D', 'F'};
    result.key_id = "ab";
    result.certificate_sha256 = "cd";
    result.signed_document.digest_sha256 = "ef";
    result.signed_document.audit_seq = 7;
    auto body = nlohmann::json::parse(signet::daemon::seal_response_body(result));
    BOOST_TEST(body.at("document") == "JVBERg==");
    BOOST_TEST(body.at("signature").at("key_id") == "ab");
    BOOST_TEST(body.at("signature").at("certificate_sha256") == "cd");
    BOOST_TEST(body.at("signature").at("digest_sha256") == "ef");
    BOOST_TEST(body.at("audit_seq") == 7);
    BOOST_TEST(body.at("signature").at("level") == "B-B");
    BOOST_TEST(!body.at("signature").contains("timestamp"));

    result.level = signet::config::SignatureLevel::b_t;
    result.signed_document.timestamp.emplace();
    result.signed_document.timestamp->info.gen_time_text = "2026-12-05T18:00:00Z";
    result.signed_document.timestamp->info.serial_hex = "2a";
    result.signed_document.timestamp->info.tsa = "CN=signet TSA";
    auto stamped = nlohmann::json::parse(signet::daemon::seal_response_body(result));
    BOOST_TEST(stamped.at("signature").at("level") == "B-T");
    BOOST_TEST(stamped.at("signature").at("timestamp") ==
               (nlohmann::json{{"gen_time", "2026-12-05T18:00:00Z"}, {"serial", "2a"}, {"tsa", "CN=signet TSA"}}));
    BOOST_TEST(!stamped.at("signature").contains("validation_data"));
    BOOST_TEST(!stamped.at("signature").contains("document_timestamp"));

    // B-LTA: what the DSS's statuses prove, and the document time-stamp.
    result.level = signet::config::SignatureLevel::b_lta;
    result.signed_document.validation_data.emplace();
    result.signed_document.validation_data->notes.push_back("why not");
    result.signed_document.validation_data->after_timestamp = false;
    result.signed_document.document_timestamp = result.signed_document.timestamp;
    result.signed_document.document_timestamp->info.serial_hex = "2b";
    auto archived = nlohmann::json::parse(signet::daemon::seal_response_body(result));
    BOOST_TEST(archived.at("signature").at("level") == "B-LTA");
    BOOST_TEST(archived.at("signature").at("validation_data") ==
               (nlohmann::json{{"revocation_after_timestamp", false}, {"notes", {"why not"}}}));
    BOOST_TEST(archived.at("signature").at("document_timestamp").at("serial") == "2b");
}

BOOST_AUTO_TEST_SUITE_END()
