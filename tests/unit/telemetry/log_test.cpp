#include "telemetry/log.hpp"

#include "tests/support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using nlohmann::json;
using namespace signet::daemon;

namespace {

// Runs `body` with stderr redirected to a file and returns what it wrote, line by line.
std::vector<std::string> captured_stderr(const std::function<void()>& body) {
    ::unsetenv("JOURNAL_STREAM");  // plain JSON lines, not the journald priority prefix
    signet::test::TempDir dir("signet-log-test");
    auto path = dir / "stderr";
    std::fflush(stderr);
    int saved = ::dup(STDERR_FILENO);
    BOOST_REQUIRE(saved >= 0);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    BOOST_REQUIRE(fd >= 0);
    BOOST_REQUIRE(::dup2(fd, STDERR_FILENO) == STDERR_FILENO);
    ::close(fd);
    body();
    std::fflush(stderr);
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);

    std::string text = signet::test::read_file(path);
    BOOST_TEST((text.empty() || text.back() == '\n'), "the last line is not terminated");
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

json parsed_line(const std::string& line) {
    json value = json::parse(line, nullptr, /*allow_exceptions=*/false);
    BOOST_REQUIRE_MESSAGE(!value.is_discarded(), "not JSON: " << line);
    BOOST_REQUIRE_MESSAGE(value.is_object(), "not an object: " << line);
    return value;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(log_lines)

BOOST_AUTO_TEST_CASE(one_json_object_per_line_with_time_level_message) {
    auto lines = captured_stderr([] {
        log_info("started");
        log_error("the HSM is gone");
    });
    BOOST_REQUIRE(lines.size() == 2U);
    json info = parsed_line(lines[0]);
    json error = parsed_line(lines[1]);
    BOOST_TEST(info["level"] == "info");
    BOOST_TEST(info["message"] == "started");
    BOOST_TEST(error["level"] == "error");
    BOOST_TEST(error["message"] == "the HSM is gone");
    static const std::regex utc(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
    for (const json& line : {info, error}) {
        BOOST_REQUIRE(line["time"].is_string());
        BOOST_TEST(std::regex_match(line["time"].get<std::string>(), utc), line["time"]);
        BOOST_TEST(!line.contains("request_id"));  // outside a request
        BOOST_TEST(line.size() == 3U);
    }
}

BOOST_AUTO_TEST_CASE(quotes_newlines_and_control_characters_are_escaped) {
    const std::string message = "file \"a\nb.pdf\"\r\tback\\slash \x01 end";
    auto lines = captured_stderr([&] { log_error(message); });
    BOOST_REQUIRE(lines.size() == 1U);  // the newline in the message did not split the line
    BOOST_TEST(lines[0].find('\r') == std::string::npos);
    BOOST_TEST(lines[0].find('\t') == std::string::npos);
    BOOST_TEST(lines[0].find("\\\"a\\nb.pdf\\\"") != std::string::npos, lines[0]);
    BOOST_TEST(parsed_line(lines[0])["message"] == message);
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_are_replaced_not_thrown) {
    const std::string message = "name \xff\xfe end";
    std::vector<std::string> lines;
    BOOST_CHECK_NO_THROW(lines = captured_stderr([&] { log_info(message); }));
    BOOST_REQUIRE(lines.size() == 1U);
    std::string logged = parsed_line(lines[0])["message"];
    BOOST_TEST(logged.starts_with("name "));
    BOOST_TEST(logged.ends_with(" end"));
    BOOST_TEST(logged.find('\xff') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(extra_fields_are_added_to_the_line) {
    auto lines = captured_stderr([] {
        log_fields(false, "access", {{"method", "POST"}, {"path", "/v1/seal"}, {"status", 201}, {"ms", 12.5}});
        log_fields(true, "not an object", json::array({1, 2}));  // ignored, not a crash
    });
    BOOST_REQUIRE(lines.size() == 2U);
    json access = parsed_line(lines[0]);
    BOOST_TEST(access["level"] == "info");
    BOOST_TEST(access["message"] == "access");
    BOOST_TEST(access["method"] == "POST");
    BOOST_TEST(access["path"] == "/v1/seal");
    BOOST_TEST(access["status"] == 201);
    BOOST_TEST(access["ms"].get<double>() == 12.5);
    json other = parsed_line(lines[1]);
    BOOST_TEST(other["level"] == "error");
    BOOST_TEST(other.size() == 3U);
}

BOOST_AUTO_TEST_CASE(request_scope_adds_the_request_id) {
    auto lines = captured_stderr([] {
        BOOST_TEST(current_request_id().empty());
        {
            RequestScope outer("00000000000000aa");
            log_info("outer");
            {
                RequestScope inner("00000000000000bb");
                BOOST_TEST(current_request_id() == "00000000000000bb");
                log_info("inner");
                // Another thread works for no request unless it opens its own scope.
                std::string seen_by_other = "unset";
                std::thread([&seen_by_other] {
                    seen_by_other = current_request_id();
                    log_info("other thread");
                }).join();
                BOOST_TEST(seen_by_other.empty());  // Boost.Test asserts on the main thread only
            }
            BOOST_TEST(current_request_id() == "00000000000000aa");  // restored
            log_info("outer again");
        }
        BOOST_TEST(current_request_id().empty());
        log_info("after");
    });
    BOOST_REQUIRE(lines.size() == 5U);
    BOOST_TEST(parsed_line(lines[0])["request_id"] == "00000000000000aa");
    BOOST_TEST(parsed_line(lines[1])["request_id"] == "00000000000000bb");
    BOOST_TEST(!parsed_line(lines[2]).contains("request_id"));
    BOOST_TEST(parsed_line(lines[3])["request_id"] == "00000000000000aa");
    BOOST_TEST(!parsed_line(lines[4]).contains("request_id"));
}

BOOST_AUTO_TEST_CASE(lines_from_threads_do_not_interleave) {
    constexpr int threads = 4, per_thread = 50;
    auto lines = captured_stderr([] {
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([t] {
                for (int i = 0; i < per_thread; ++i) {
                    log_fields(false, std::string(200, static_cast<char>('a' + t)), {{"i", i}});
                }
            });
        }
        for (auto& worker : workers) worker.join();
    });
    BOOST_REQUIRE(lines.size() == static_cast<std::size_t>(threads * per_thread));
    for (const auto& line : lines) {
        json value = parsed_line(line);
        std::string message = value["message"];
        BOOST_TEST(message.size() == 200U);
        BOOST_TEST(message.find_first_not_of(message[0]) == std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(new_request_ids_are_16_hex_digits_and_distinct) {
    static const std::regex hex16("[0-9a-f]{16}");
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        std::string id = new_request_id();
        BOOST_TEST(std::regex_match(id, hex16), id);
        seen.insert(id);
    }
    BOOST_TEST(seen.size() == 100U);
}
