#include "base/secret_file.hpp"

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include "tests/support/temp_dir.hpp"

BOOST_AUTO_TEST_SUITE(secret_file)

BOOST_AUTO_TEST_CASE(written_owner_only_and_read_back_without_newline) {
    signet::test::TempDir dir;
    auto path = dir / "pin";
    BOOST_REQUIRE(signet::write_secret_file(path, signet::Secret("1234")));
    struct stat info {};
    BOOST_REQUIRE(stat(path.c_str(), &info) == 0);
    BOOST_TEST((info.st_mode & 0777) == 0600U);
    auto secret = signet::read_secret_file(path);
    BOOST_REQUIRE(secret);
    BOOST_TEST(secret->reveal() == "1234");

    signet::test::write_file(path, "5678\n");
    auto trimmed = signet::read_secret_file(path);
    BOOST_REQUIRE(trimmed);
    BOOST_TEST(trimmed->reveal() == "5678");
}

BOOST_AUTO_TEST_CASE(never_overwrites) {
    signet::test::TempDir dir;
    BOOST_REQUIRE(signet::write_secret_file(dir / "pin", signet::Secret("1")));
    auto again = signet::write_secret_file(dir / "pin", signet::Secret("2"));
    BOOST_REQUIRE(!again);
    BOOST_TEST(static_cast<int>(again.error().code) == static_cast<int>(signet::Errc::conflict));
}

BOOST_AUTO_TEST_CASE(refuses_readable_by_others_empty_and_missing) {
    signet::test::TempDir dir;
    auto path = dir / "pin";
    signet::test::write_file(path, "1234");
    chmod(path.c_str(), 0644);
    auto open_to_all = signet::read_secret_file(path);
    BOOST_REQUIRE(!open_to_all);
    BOOST_TEST(open_to_all.error().message.find("readable by group or others") != std::string::npos);

    signet::test::write_file(dir / "empty", "\n");
    chmod((dir / "empty").c_str(), 0600);
    BOOST_TEST(!signet::read_secret_file(dir / "empty"));
    BOOST_TEST(!signet::read_secret_file(dir / "absent"));
}

BOOST_AUTO_TEST_SUITE_END()
