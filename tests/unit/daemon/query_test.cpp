#include "daemon/query.hpp"

#include <boost/test/unit_test.hpp>

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

BOOST_AUTO_TEST_SUITE_END()
