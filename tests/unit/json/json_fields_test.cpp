#include "json/json_fields.hpp"
#include "json/json_reply.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <string_view>

#include "tests/support/need.hpp"

using signet::Errc;
using signet::daemon::check_text;
using signet::daemon::JsonFields;

namespace {

// A refusal must be a 400 whose message contains `fragment` (usually the field's name).
template <class R>
void require_refusal(const R& result, std::string_view fragment) {
    BOOST_REQUIRE_MESSAGE(!result, "accepted where a refusal was expected");
    BOOST_TEST(static_cast<int>(result.error().code) == static_cast<int>(Errc::bad_request));
    BOOST_TEST(result.error().message.find(fragment) != std::string::npos,
               "'" << result.error().message << "' lacks '" << fragment << "'");
}

JsonFields parsed(std::string_view body, std::initializer_list<std::string_view> known) {
    auto fields = JsonFields::parse(body, known);
    BOOST_REQUIRE_MESSAGE(fields, signet::test::error_of(fields));
    return *fields;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_fields_parse)

BOOST_AUTO_TEST_CASE(refuses_text_that_is_not_json) {
    require_refusal(JsonFields::parse("", {"a"}), "not valid JSON");
    require_refusal(JsonFields::parse("{\"a\": ", {"a"}), "not valid JSON");
    require_refusal(JsonFields::parse("{a: 1}", {"a"}), "not valid JSON");
    require_refusal(JsonFields::parse("{\"a\": 1} trailing", {"a"}), "not valid JSON");
}

BOOST_AUTO_TEST_CASE(refuses_json_that_is_not_an_object) {
    for (std::string_view body : {"[]", "[{\"a\": 1}]", "\"a\"", "42", "true", "null"}) {
        BOOST_TEST_CONTEXT(body) { require_refusal(JsonFields::parse(body, {"a"}), "must be a JSON object"); }
    }
}

BOOST_AUTO_TEST_CASE(refuses_an_unknown_field_by_name) {
    auto fields = JsonFields::parse(R"({"tenant": "t", "sneaky": 1})", {"tenant", "actor"});
    require_refusal(fields, "'sneaky'");
    require_refusal(fields, "is not part of the API");
    // Field names are matched exactly, not by case or prefix.
    require_refusal(JsonFields::parse(R"({"Tenant": "t"})", {"tenant"}), "'Tenant'");
    require_refusal(JsonFields::parse(R"({"tenan": "t"})", {"tenant"}), "'tenan'");
    require_refusal(JsonFields::parse(R"({"x": 1})", {}), "'x'");
}

BOOST_AUTO_TEST_CASE(accepts_known_fields_and_the_empty_object) {
    auto empty = parsed("{}", {"a"});
    BOOST_TEST(!empty.has("a"));
    auto fields = parsed(R"({"a": "x", "b": null})", {"a", "b", "c"});
    BOOST_TEST(fields.has("a"));
    BOOST_TEST(!fields.has("b"));  // null counts as absent
    BOOST_TEST(!fields.has("c"));
    BOOST_TEST(fields.at("a").get<std::string>() == "x");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(json_fields_accessors)

BOOST_AUTO_TEST_CASE(text_reads_a_string) {
    auto fields = parsed(R"({"tenant": "cabinet déjà"})", {"tenant"});
    auto value = fields.text("tenant");
    BOOST_REQUIRE(value);
    BOOST_TEST(*value == "cabinet déjà");
}

BOOST_AUTO_TEST_CASE(text_refuses_missing_null_and_wrong_types) {
    auto fields = parsed(R"({"n": 1, "b": true, "o": {}, "a": ["x"], "z": null})", {"n", "b", "o", "a", "z", "m"});
    require_refusal(fields.text("m"), "'m' is missing");
    require_refusal(fields.text("z"), "'z' is missing");
    for (const char* field : {"n", "b", "o", "a"}) {
        BOOST_TEST_CONTEXT(field) {
            require_refusal(fields.text(field), "'" + std::string(field) + "' must be a string");
        }
    }
}

BOOST_AUTO_TEST_CASE(text_refuses_empty_long_and_control_characters) {
    std::string longest(256, 'x');
    std::string body = R"({"empty": "", "ok": ")" + longest + R"(", "long": ")" + longest +
                       R"(y", "nl": "a\nb", "nul": "a\u0000b", "del": "a\u007fb", "tab": "a\tb"})";
    auto fields = parsed(body, {"empty", "ok", "long", "nl", "nul", "del", "tab"});
    require_refusal(fields.text("empty"), "'empty' must not be empty");
    auto ok = fields.text("ok");
    BOOST_REQUIRE(ok);
    BOOST_TEST(ok->size() == 256U);
    require_refusal(fields.text("long"), "'long' is longer than 256 bytes");
    for (const char* field : {"nl", "nul", "del", "tab"}) {
        BOOST_TEST_CONTEXT(field) { require_refusal(fields.text(field), "control character"); }
    }
    require_refusal(fields.text("tab"), "'tab'");
}

BOOST_AUTO_TEST_CASE(check_text_names_what_it_checks) {
    BOOST_TEST(static_cast<bool>(check_text("key-1", "the key id")));
    require_refusal(check_text("", "the key id"), "the key id must not be empty");
    require_refusal(check_text(std::string(257, 'k'), "the key id"), "the key id is longer than 256 bytes");
    require_refusal(check_text("a\rb", "the key id"), "the key id contains a control character");
}

BOOST_AUTO_TEST_CASE(boolean_reads_true_and_false_only) {
    auto fields = parsed(R"({"t": true, "f": false, "s": "true", "n": 1, "z": null})", {"t", "f", "s", "n", "z", "m"});
    BOOST_TEST(fields.boolean("t").value() == true);
    BOOST_TEST(fields.boolean("f").value() == false);
    require_refusal(fields.boolean("s"), "'s' must be true or false");
    require_refusal(fields.boolean("n"), "'n' must be true or false");
    require_refusal(fields.boolean("z"), "'z' is missing");
    require_refusal(fields.boolean("m"), "'m' is missing");
}

BOOST_AUTO_TEST_CASE(texts_reads_a_non_empty_array_of_texts) {
    auto fields = parsed(R"({"names": ["a", "b"], "empty": [], "str": "a", "mixed": ["a", 2],
                             "blank": ["a", ""], "ctl": ["a\u0001"]})",
                         {"names", "empty", "str", "mixed", "blank", "ctl", "many", "absent"});
    auto names = fields.texts("names");
    BOOST_REQUIRE(names);
    BOOST_TEST((*names == std::vector<std::string>{"a", "b"}));
    require_refusal(fields.texts("absent"), "'absent' is missing");
    require_refusal(fields.texts("empty"), "'empty' must be an array of 1 to 64 strings");
    require_refusal(fields.texts("str"), "'str' must be an array of 1 to 64 strings");
    require_refusal(fields.texts("mixed"), "'mixed' must hold strings only");
    require_refusal(fields.texts("blank"), "an item of 'blank' must not be empty");
    require_refusal(fields.texts("ctl"), "an item of 'ctl' contains a control character");
}

BOOST_AUTO_TEST_CASE(texts_accepts_64_items_and_refuses_65) {
    auto array_of = [](int n) {
        nlohmann::json array = nlohmann::json::array();
        for (int i = 0; i < n; ++i) array.push_back("item-" + std::to_string(i));
        return array;
    };
    nlohmann::json body = {{"full", array_of(64)}, {"over", array_of(65)}};
    auto fields = parsed(body.dump(), {"full", "over"});
    auto full = fields.texts("full");
    BOOST_REQUIRE(full);
    BOOST_TEST(full->size() == 64U);
    BOOST_TEST(full->back() == "item-63");
    require_refusal(fields.texts("over"), "'over' must be an array of 1 to 64 strings");
}

BOOST_AUTO_TEST_CASE(pem_reads_up_to_64_kib) {
    const std::string pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    nlohmann::json body = {{"cert", pem},
                           {"max", std::string(64 * 1024, 'A')},
                           {"over", std::string(64 * 1024 + 1, 'A')},
                           {"empty", ""},
                           {"number", 5}};
    auto fields = parsed(body.dump(), {"cert", "max", "over", "empty", "number", "absent"});
    BOOST_TEST(fields.pem("cert").value() == pem);  // newlines are allowed in PEM, unlike text
    BOOST_TEST(fields.pem("max").value().size() == 64U * 1024U);
    require_refusal(fields.pem("over"), "'over' must hold 1 byte to 64 KiB of PEM");
    require_refusal(fields.pem("empty"), "'empty' must hold 1 byte to 64 KiB of PEM");
    require_refusal(fields.pem("number"), "'number' must hold PEM text");
    require_refusal(fields.pem("absent"), "'absent' is missing");
}

BOOST_AUTO_TEST_CASE(pems_is_optional_and_bounded) {
    nlohmann::json sixteen = nlohmann::json::array();
    for (int i = 0; i < 16; ++i) sixteen.push_back("pem-" + std::to_string(i));
    nlohmann::json seventeen = sixteen;
    seventeen.push_back("pem-16");
    nlohmann::json body = {{"chain", nlohmann::json::array({"one", "two"})}, {"none", nlohmann::json::array()},
                           {"sixteen", sixteen},      {"seventeen", seventeen},
                           {"str", "one"},            {"bad_item", nlohmann::json::array({"one", 2})},
                           {"empty_item", nlohmann::json::array({""})},      {"null", nullptr}};
    auto fields = parsed(body.dump(), {"chain", "none", "sixteen", "seventeen", "str", "bad_item",
                                       "empty_item", "null", "absent"});
    BOOST_TEST((fields.pems("chain").value() == std::vector<std::string>{"one", "two"}));
    BOOST_TEST(fields.pems("none").value().empty());
    BOOST_TEST(fields.pems("absent").value().empty());
    BOOST_TEST(fields.pems("null").value().empty());
    BOOST_TEST(fields.pems("sixteen").value().size() == 16U);
    require_refusal(fields.pems("seventeen"), "'seventeen' must be an array of at most 16 PEM texts");
    require_refusal(fields.pems("str"), "'str' must be an array of at most 16 PEM texts");
    require_refusal(fields.pems("bad_item"), "'bad_item' must hold PEM text");
    require_refusal(fields.pems("empty_item"), "'empty_item' must hold 1 byte to 64 KiB of PEM");
}

BOOST_AUTO_TEST_CASE(date_reads_yyyy_mm_dd) {
    auto fields = parsed(R"({"d": "2026-10-01", "leap": "2028-02-29", "bad": "2026-02-30",
                             "fmt": "01/10/2026", "num": 20261001})",
                         {"d", "leap", "bad", "fmt", "num", "absent"});
    using namespace std::chrono;
    BOOST_TEST((fields.date("d").value() == year_month_day{year{2026}, month{10}, day{1}}));
    BOOST_TEST((fields.date("leap").value() == year_month_day{year{2028}, month{2}, day{29}}));
    require_refusal(fields.date("bad"), "'bad' must be a date written YYYY-MM-DD");
    require_refusal(fields.date("fmt"), "'fmt' must be a date written YYYY-MM-DD");
    require_refusal(fields.date("num"), "'num' must be a string");
    require_refusal(fields.date("absent"), "'absent' is missing");
}

BOOST_AUTO_TEST_SUITE_END()

// A body given up is read in place when it has the parser's padding, and freed; the fields are
// those parse() reads.
BOOST_AUTO_TEST_CASE(a_body_given_up_is_parsed_and_freed) {
    std::string body = R"({"a": "x", "n": [1, 2.5, -3, true, null], "o": {"k": "é"}})";
    body.reserve(body.size() + 64);
    auto taken = JsonFields::parse_and_free(std::move(body), {"a", "n", "o"});
    BOOST_REQUIRE(taken);
    BOOST_TEST(body.capacity() < 64u);
    auto read = JsonFields::parse(R"({"a": "x", "n": [1, 2.5, -3, true, null], "o": {"k": "é"}})", {"a", "n", "o"});
    BOOST_REQUIRE(read);
    for (const char* field : {"a", "n", "o"}) BOOST_TEST(taken->at(field) == read->at(field), field);
    // Without padding it is copied first; refusals are the same.
    require_refusal(JsonFields::parse_and_free(std::string("{\"a\": "), {"a"}), "not valid JSON");
    require_refusal(JsonFields::parse_and_free(std::string(R"({"b": 1})"), {"a"}), "'b' is not part of the API");
}

BOOST_AUTO_TEST_CASE(a_document_is_spliced_into_the_answer_as_base64) {
    const std::vector<std::uint8_t> bytes = {0x25, 0x50, 0x44, 0x46, 0xff, 0x00, 0x10};
    const std::string text = signet::daemon::dump_with_base64({{"audit_seq", 7}, {"z", "é\""}}, "document", bytes);
    auto parsed = nlohmann::json::parse(text);
    BOOST_TEST(parsed.at("document") == "JVBERv8AEA==");
    BOOST_TEST(parsed.at("audit_seq") == 7);
    BOOST_TEST(parsed.at("z") == "é\"");
    BOOST_TEST(parsed.size() == 3u);
    BOOST_TEST(nlohmann::json::parse(signet::daemon::dump_with_base64(nlohmann::json::object(), "d", {})) ==
               nlohmann::json({{"d", ""}}));
    BOOST_TEST(nlohmann::json::parse(signet::daemon::dump_with({{"x", 1}}, "list", "[1,2]")) ==
               nlohmann::json({{"x", 1}, {"list", {1, 2}}}));
}

BOOST_AUTO_TEST_CASE(json_reply_defaults_to_200) {
    signet::daemon::JsonReply reply;
    BOOST_TEST(reply.status == 200U);
    BOOST_TEST(reply.body.is_null());
}
