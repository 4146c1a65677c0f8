#include <boost/test/unit_test.hpp>

#include "base/time.hpp"

using namespace signet;

BOOST_AUTO_TEST_SUITE(dates)

BOOST_AUTO_TEST_CASE(only_real_dates_parse) {
    BOOST_TEST(parse_date("2026-10-01").has_value());
    BOOST_TEST(format_date(*parse_date("2026-10-01")) == "2026-10-01");
    for (const char* bad : {"2026-02-30", "2026-1-1", "", "2026-10-01x", "2026/10/01", "abcd-ef-gh"}) {
        BOOST_TEST(!parse_date(bad).has_value(), bad);
    }
}

BOOST_AUTO_TEST_CASE(a_year_and_a_day) {
    BOOST_TEST(format_date(one_year_after(*parse_date("2028-02-29"))) == "2029-02-28");
    BOOST_TEST(format_date(one_year_after(*parse_date("2026-11-23"))) == "2027-11-23");
    BOOST_TEST(format_timestamp(end_of(*parse_date("2026-12-31"))) == "2027-01-01T00:00:00Z");
    BOOST_TEST(format_date(day_of(end_of(*parse_date("2026-12-31")) - std::chrono::seconds(1))) == "2026-12-31");
}

BOOST_AUTO_TEST_CASE(the_manual_clock_moves_only_when_told) {
    ManualClock clock(end_of(*parse_date("2026-11-22")));
    BOOST_TEST(format_timestamp(clock.now()) == "2026-11-23T00:00:00Z");
    clock.advance(std::chrono::hours(25));
    BOOST_TEST(format_timestamp(clock.now()) == "2026-11-24T01:00:00Z");
}

BOOST_AUTO_TEST_SUITE_END()
