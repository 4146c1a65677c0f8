#include "api/query.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

using signet::Errc;
using signet::daemon::parse_query;

BOOST_AUTO_TEST_SUITE(query_string)

BOOST_AUTO_TEST_CASE(known_keys_are_percent_decoded) {
    auto query = parse_query("/v1/audit/usage?tenant=cabinet%20d%C3%A9j%C3%A0&from=2026-11-01&to=", {"tenant", "from", "to"});
    BOOST_REQUIRE(query);
    BOOST_TEST(query->at("tenant") == "cabinet déjà");
    BOOST_TEST(query->at("from") == "2026-11-01");
    BOOST_TEST(query->at("to").empty());
    auto none = parse_query("/v1/audit", {"after"});
    BOOST_REQUIRE(none);
    BOOST_TEST(none->empty());
}

BOOST_AUTO_TEST_CASE(unknown_repeated_and_malformed_parameters_are_refused) {
    for (const char* target : {"/v1/audit?colour=red", "/v1/audit?after=1&after=2", "/v1/audit?after=%4",
                               "/v1/audit?after=%zz", "/v1/audit?after=%0A"}) {
        auto query = parse_query(target, {"after", "limit"});
        BOOST_TEST_CONTEXT(target) {
            BOOST_REQUIRE(!query);
            BOOST_TEST((query.error().code == Errc::bad_request));
        }
    }
}

BOOST_AUTO_TEST_CASE(refusals_name_the_parameter_never_its_value) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"/v1/audit?colour=red", "the query parameter 'colour' is not part of the API"},
        {"/v1/audit?after=1&after=2", "the query parameter 'after' is given twice"},
        {"/v1/audit?after", "the query parameter 'after' has no value"},
        {"/v1/audit?after=%C3%28", "the query parameter 'after' is not valid UTF-8"},
        {"/v1/audit?after=%ED%A0%80", "the query parameter 'after' is not valid UTF-8"},  // a surrogate
        {"/v1/audit?after=%C0%AF", "the query parameter 'after' is not valid UTF-8"},      // overlong '/'
        {"/v1/audit?after=%F4%90%80%80", "the query parameter 'after' is not valid UTF-8"},  // above U+10FFFF
        {"/v1/audit?after=%E2%82", "the query parameter 'after' is not valid UTF-8"},      // truncated
        {"/v1/audit?%FF=1", "a query parameter's name is not valid UTF-8"},
        {"/v1/audit?after=12%7F", "the query parameter 'after' contains a control character"},
        {"/v1/audit?after=98765%4", "the query parameter 'after' has a bad %-escape"},
    };
    for (const auto& [target, message] : cases) {
        auto query = parse_query(target, {"after", "limit"});
        BOOST_TEST_CONTEXT(target) {
            BOOST_REQUIRE(!query);
            BOOST_TEST(query.error().message.find(message) == 0U, query.error().message);
            BOOST_TEST(query.error().message.find("98765") == std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(plus_is_a_space_and_empty_pairs_are_skipped) {
    auto query = parse_query("/v1/audit/usage?tenant=cabinet+durand&&from=%E2%82%AC&", {"tenant", "from"});
    BOOST_REQUIRE(query);
    BOOST_TEST(query->at("tenant") == "cabinet durand");
    BOOST_TEST(query->at("from") == "\u20ac");
}

BOOST_AUTO_TEST_SUITE_END()
