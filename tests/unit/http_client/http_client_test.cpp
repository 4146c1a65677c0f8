// The pieces of http_client that need no server, and the failures that need none either. The
// exchanges themselves are exercised against real servers by tests/unit/timestamp (TSA) and
// tests/unit/revocation (OCSP, CRL).

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <utility>

#include "base/unique_fd.hpp"
#include "http_client/http_client.hpp"

namespace signet::http_client {
namespace {

using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(http_client)

BOOST_AUTO_TEST_CASE(only_http_and_https) {
    BOOST_TEST(is_http_url("http://a/"));
    BOOST_TEST(is_http_url("HTTPS://a/"));
    BOOST_TEST(!is_http_url("ldap://a/"));
    BOOST_TEST(!is_http_url("file:///etc/passwd"));
    BOOST_TEST(!is_http_url("http:/a"));
    const auto refused = get("file:///etc/passwd", HttpOptions{});
    BOOST_REQUIRE(!refused);
    BOOST_TEST(refused.error().message == "not an http:// or https:// URL");
}

BOOST_AUTO_TEST_CASE(credentials_are_redacted) {
    BOOST_TEST(redact_url("https://user:s3cret@tsa.example/x") == "https://***@tsa.example/x");
    BOOST_TEST(redact_url("http://h:80/p@q") == "http://h:80/p@q");
    BOOST_TEST(redact_url("http://h") == "http://h");
}

BOOST_AUTO_TEST_CASE(media_types_ignore_case_blanks_and_parameters) {
    BOOST_TEST(media_type_is(" Application/OCSP-Response ; x=1", "application/ocsp-response"));
    BOOST_TEST(!media_type_is("text/plain", "application/ocsp-response"));
    BOOST_TEST(!media_type_is("", "application/ocsp-response"));
    HttpResponse response;
    response.status = 503;
    BOOST_TEST(expect_ok(response, "a/b").error().message == "HTTP status 503");
    response.status = 200;
    BOOST_TEST(expect_ok(response, "a/b").error().message ==
               "the answer's Content-Type is missing, not a/b");
    response.content_type = "a/b; q=1";
    BOOST_TEST(expect_ok(response, "a/b").has_value());
}

BOOST_AUTO_TEST_CASE(connection_refused_is_named) {
    // A socket bound in the tests' port range that does not listen: connecting is refused.
    UniqueFd socket_fd;
    sockaddr_in address{};
    for (std::uint16_t port = 19400; port <= 19499 && !socket_fd; ++port) {
        UniqueFd candidate(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        address = sockaddr_in{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(port);
        if (::bind(candidate.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) ==
            0)
            socket_fd = std::move(candidate);
    }
    BOOST_REQUIRE(socket_fd);
    const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/";
    HttpOptions options;
    options.connect_timeout = 1000ms;
    const auto answer = post(url, "application/x", std::vector<std::uint8_t>{1, 2}, options);
    BOOST_REQUIRE(!answer);
    BOOST_TEST((answer.error().code == Errc::unavailable));
    BOOST_TEST(answer.error().message == "connection refused");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::http_client
