// signetd's wiring refuses to start, with a failure exit code, before it opens any key when
// its configuration or what it names cannot be used.

#include "daemon/signetd.hpp"

#include <fstream>

#include <boost/test/unit_test.hpp>

#include "tests/support/temp_dir.hpp"

BOOST_AUTO_TEST_SUITE(signetd)

BOOST_AUTO_TEST_CASE(a_missing_configuration_file_stops_the_start) {
    signet::test::TempDir dir;
    BOOST_TEST(signet::daemon::run_signetd(dir.path() / "signetd.toml") != 0);
}

BOOST_AUTO_TEST_CASE(a_configuration_that_is_not_toml_stops_the_start) {
    signet::test::TempDir dir;
    std::ofstream(dir.path() / "signetd.toml") << "[server\nport = ";
    BOOST_TEST(signet::daemon::run_signetd(dir.path() / "signetd.toml") != 0);
}

BOOST_AUTO_TEST_SUITE_END()
