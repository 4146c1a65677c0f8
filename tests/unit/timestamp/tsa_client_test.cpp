// fetch_token over real HTTP against the independent test TSA: a good token is fetched and
// checked; every failure of a TSA (refused, hanging, garbage, rejection, a bad token, a URL that
// is not http) is named with its URL, and the next URL is tried.

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <openssl/objects.h>

#include "base/unique_fd.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/responders/tsa_responder.hpp"
#include "timestamp/token_info.hpp"
#include "timestamp/tsa_client.hpp"

namespace signet::timestamp::test {
namespace {

using namespace std::chrono_literals;
using signet::test::TempDir;
using signet::test::TsaResponder;
using Mode = TsaResponder::Mode;

constexpr TsaResponder::Ports test_ports{18400, 18489};

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

// A loopback port that refuses connections: bound (so nobody else listens there) but not
// listening, so the kernel answers a SYN with a reset.
class RefusingPort {
public:
    RefusingPort() {
        for (std::uint16_t port = 18490; port <= 18499; ++port) {
            UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
            sockaddr_in address{};
            address.sin_family = AF_INET;
            address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            address.sin_port = htons(port);
            if (fd && ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address),
                             sizeof address) == 0) {
                fd_ = std::move(fd);
                port_ = port;
                return;
            }
        }
        throw std::runtime_error("no free port for a refusing socket");
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/tsa"; }

private:
    UniqueFd fd_;
    std::uint16_t port_ = 0;
};

struct Fixture {
    TempDir dir{"signet-tsa-client"};
    TsaResponder responder{dir.path(), Mode::good, test_ports};
    ExternalTsas tsas;
    std::vector<std::uint8_t> imprint = std::vector<std::uint8_t>(32, 0x5a);  // a SHA-256's length

    Fixture() {
        tsas.urls = {responder.url()};
        tsas.trust = responder.ca_pem_path();
        tsas.connect_timeout = 2s;
        tsas.total_timeout = 10s;
    }

    Result<ExternalToken> fetch() {
        const auto now = std::chrono::system_clock::now();
        return fetch_token(tsas, NID_sha256, imprint, now - 1h, now + 1h);
    }

    // fetch() fails with unavailable and a message that holds every part, in order.
    std::string require_unavailable(std::initializer_list<std::string_view> parts) {
        const auto token = fetch();
        BOOST_REQUIRE_MESSAGE(!token,
                              "a token was fetched from " << (token ? token->url : std::string()));
        BOOST_TEST(to_string(token.error().code) == "unavailable");
        const std::string& message = token.error().message;
        BOOST_TEST_MESSAGE(message);
        BOOST_TEST(message.starts_with("no time-stamping authority gave a usable token: "),
                   message);
        std::size_t from = 0;
        for (const auto part : parts) {
            const std::size_t at = message.find(part, from);
            BOOST_TEST(at != std::string::npos, message << " should name, in order, " << part);
            if (at != std::string::npos) from = at + part.size();
        }
        return message;
    }
};

BOOST_FIXTURE_TEST_SUITE(fetch_token_tests, Fixture)

BOOST_AUTO_TEST_CASE(a_good_token_is_fetched_and_checked) {
    const auto token = fetch();
    BOOST_REQUIRE_MESSAGE(token, (token ? std::string() : token.error().message));
    BOOST_TEST(token->url == responder.url());
    BOOST_TEST(token->checked.info.policy_oid == "1.2.3.4.1");
    BOOST_TEST(contains(token->checked.info.tsa, "CN=signet test TSA"));
    const auto info = read_token(token->checked.token);
    BOOST_REQUIRE(info);
    BOOST_TEST(info->serial_hex == token->checked.info.serial_hex);
    BOOST_TEST(responder.requests() == 1u);
}

BOOST_AUTO_TEST_CASE(a_hanging_tsa_times_out) {
    responder.set_mode(Mode::hang);
    tsas.total_timeout = 500ms;
    const auto started = std::chrono::steady_clock::now();
    require_unavailable({responder.url(), "timed out"});
    BOOST_TEST((std::chrono::steady_clock::now() - started < 3s));
    BOOST_TEST(responder.requests() == 1u);
}

BOOST_AUTO_TEST_CASE(an_unreachable_tsa_is_named) {
    const RefusingPort refusing;
    tsas.urls = {refusing.url()};
    require_unavailable({refusing.url() + ": connection refused"});
}

BOOST_AUTO_TEST_CASE(urls_that_are_not_http_are_not_tried) {
    tsas.urls = {"ftp://127.0.0.1/tsa", "file:///etc/passwd", "httpx://127.0.0.1/",
                 "127.0.0.1/tsa"};
    require_unavailable({"ftp://127.0.0.1/tsa: not an http:// or https:// URL",
                         "file:///etc/passwd: not an http:// or https:// URL",
                         "httpx://127.0.0.1/: not an http", "127.0.0.1/tsa: not an http"});
}

BOOST_AUTO_TEST_CASE(the_second_url_is_used_when_the_first_fails) {
    const RefusingPort refusing;
    tsas.urls = {refusing.url(), responder.url()};
    const auto token = fetch();
    BOOST_REQUIRE_MESSAGE(token, (token ? std::string() : token.error().message));
    BOOST_TEST(token->url == responder.url());
}

BOOST_AUTO_TEST_CASE(every_failure_is_named_with_its_url_in_order) {
    const RefusingPort refusing;
    TempDir other_dir{"signet-tsa-client-other"};
    TsaResponder wrong{other_dir.path(), Mode::wrong_imprint, test_ports};
    responder.set_mode(Mode::garbage);
    tsas.urls = {refusing.url(), responder.url(), wrong.url()};
    // `wrong` has a CA of its own, which the trust file does not hold.
    require_unavailable({refusing.url() + ": connection refused", "; " + responder.url() + ": ",
                         "not a DER TimeStampResp",
                         "; " + wrong.url() + ": the TSA certificate is not trusted"});
}

BOOST_AUTO_TEST_CASE(a_token_over_another_imprint_is_refused) {
    responder.set_mode(Mode::wrong_imprint);
    require_unavailable({responder.url() + ": the token's imprint does not match the request"});
}

BOOST_AUTO_TEST_CASE(a_rejection_is_named) {
    responder.set_mode(Mode::rejection);
    require_unavailable(
        {responder.url() + ": the TSA did not grant a token: status rejection", "badAlg"});
}

BOOST_AUTO_TEST_CASE(a_signer_without_the_eku_is_refused) {
    responder.set_mode(Mode::no_eku_signer);
    require_unavailable({responder.url() + ": ", "no extendedKeyUsage"});
}

BOOST_AUTO_TEST_CASE(a_token_outside_the_window_is_refused) {
    const auto now = std::chrono::system_clock::now();
    const auto token = fetch_token(tsas, NID_sha256, imprint, now - 2h, now - 1h);
    BOOST_REQUIRE(!token);
    BOOST_TEST(contains(token.error().message, "genTime"), token.error().message);
}

BOOST_AUTO_TEST_CASE(an_http_error_is_named) {
    responder.set_mode(Mode::http_error);
    require_unavailable({responder.url() + ": HTTP status 503"});
}

BOOST_AUTO_TEST_CASE(an_answer_of_another_media_type_is_refused) {
    responder.set_mode(Mode::wrong_content_type);
    require_unavailable({responder.url() + ": the answer's Content-Type is text/plain"});
}

BOOST_AUTO_TEST_CASE(an_answer_past_the_cap_is_refused) {
    tsas.max_response_bytes = 64;
    require_unavailable({responder.url() + ": answer too large"});
}

BOOST_AUTO_TEST_CASE(an_untrusted_tsa_is_refused) {
    TempDir other_dir{"signet-tsa-client-other"};
    TsaResponder other{other_dir.path(), Mode::good, test_ports};
    tsas.trust = other.ca_pem_path();
    require_unavailable({responder.url() + ": the TSA certificate is not trusted"});
}

BOOST_AUTO_TEST_CASE(no_url_is_unavailable) {
    tsas.urls.clear();
    const auto token = fetch();
    BOOST_REQUIRE(!token);
    BOOST_TEST(to_string(token.error().code) == "unavailable");
}

BOOST_AUTO_TEST_CASE(credentials_in_a_url_are_not_repeated) {
    const RefusingPort refusing;
    std::string url = refusing.url();
    url.insert(std::string_view("http://").size(), "user:s3cret@");
    tsas.urls = {url};
    const std::string message = require_unavailable({"connection refused"});
    BOOST_TEST(!contains(message, "s3cret"), message);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::timestamp::test
