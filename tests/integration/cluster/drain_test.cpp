// Behind a load balancer (issue 23): SIGTERM first turns /v1/health to 503 "draining", naming
// the node, while requests are still served, for [limits] drain_notice_seconds; only then does
// the listener close, the jobs under way finish, and signetd exit 0.
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/pdf_samples.hpp"

namespace {

using signet::test::Installation;
using signet::test::read_file;
using namespace std::chrono_literals;

}  // namespace

BOOST_AUTO_TEST_SUITE(drain)

BOOST_AUTO_TEST_CASE(sigterm_announces_the_drain_on_health_before_closing) {
    Installation own(false, "drain_notice_seconds = 5\n");
    char host[256] = {};
    BOOST_REQUIRE(gethostname(host, sizeof host - 1) == 0);
    auto health = own.request("GET", "/v1/health", "");
    BOOST_TEST(health.status == 200, health.body);
    BOOST_TEST(health.json().at("node") == host);
    BOOST_TEST(health.json().at("status") == "ok");

    signet::test::TempDir work;
    const std::string body = signet::test::seal_body(read_file(signet::test::ps2pdf_sample(work.path(), "notice", 2)));
    BOOST_REQUIRE(::kill(own.signetd->pid(), SIGTERM) == 0);
    signet::test::HttpResult draining;
    for (int i = 0; i < 40 && draining.status != 503; ++i) {
        draining = own.request("GET", "/v1/health", "");
        if (draining.status != 503) std::this_thread::sleep_for(50ms);
    }
    BOOST_TEST(draining.status == 503, draining.body);
    BOOST_TEST(draining.json().at("status") == "draining");
    BOOST_TEST(draining.json().at("node") == host);
    auto sealed = own.request("POST", "/v1/seal", body);
    BOOST_TEST(sealed.status == 200, sealed.body);

    BOOST_TEST(own.signetd->stop(30s) == 0, read_file(own.dir / "signetd.log"));
    const std::string log = read_file(own.dir / "signetd.log");
    BOOST_TEST(log.find("health says draining for 5 s") != std::string::npos, log);
    BOOST_TEST(log.find("signetd: stopped") != std::string::npos, log);
}

BOOST_AUTO_TEST_SUITE_END()
