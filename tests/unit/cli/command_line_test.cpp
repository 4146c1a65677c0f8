// What every signetctl command group relies on: options parsed with the usage text answering
// every error, whole files read, and a call to an address where no signetd listens refused
// with a message rather than an exception.

#include "cli/command_line.hpp"

#include <unistd.h>

#include <fstream>

#include <boost/test/unit_test.hpp>

#include "tests/support/temp_dir.hpp"

namespace po = boost::program_options;
using signet::daemon::parse;

namespace {

po::options_description export_options() {
    po::options_description options("audit export");
    options.add_options()("out,o", po::value<std::string>(), "the file")("id", po::value<std::string>()->required(), "");
    return options;
}

// What a call prints on stderr, captured through a temporary file.
class CapturedStderr {
public:
    explicit CapturedStderr(const std::filesystem::path& file) : path_(file) {
        std::fflush(stderr);
        saved_ = ::dup(2);
        std::FILE* out = std::fopen(path_.c_str(), "w");
        ::dup2(::fileno(out), 2);
        std::fclose(out);
    }
    ~CapturedStderr() { restore(); }
    std::string text() {
        restore();
        return signet::daemon::read_whole(path_).value_or("");
    }

private:
    void restore() {
        if (saved_ < 0) return;
        std::cerr.flush();
        std::fflush(stderr);
        ::dup2(saved_, 2);
        ::close(saved_);
        saved_ = -1;
    }
    std::filesystem::path path_;
    int saved_ = -1;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(command_line)

BOOST_AUTO_TEST_CASE(options_and_positional_arguments_are_parsed) {
    po::positional_options_description positional;
    positional.add("id", 1);
    auto vm = parse("keys activate", {"0a0b", "-o", "out.txt"}, export_options(), positional);
    BOOST_REQUIRE(vm.has_value());
    BOOST_TEST((*vm)["id"].as<std::string>() == "0a0b");
    BOOST_TEST((*vm)["out"].as<std::string>() == "out.txt");
}

BOOST_AUTO_TEST_CASE(a_missing_or_unknown_option_prints_the_error_and_the_usage) {
    signet::test::TempDir dir;
    po::positional_options_description positional;
    for (const std::vector<std::string>& args : {std::vector<std::string>{"-o", "x"},
                                                 std::vector<std::string>{"0a0b", "--colour", "red"},
                                                 std::vector<std::string>{"0a0b", "extra"}}) {
        CapturedStderr captured(dir.path() / "stderr");
        positional = {};
        positional.add("id", 1);
        auto vm = parse("keys activate", args, export_options(), positional);
        const std::string printed = captured.text();
        BOOST_TEST(!vm.has_value());
        BOOST_TEST(printed.starts_with("signetctl keys activate: "), printed);
        BOOST_TEST(printed.find(signet::daemon::usage) != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(whole_files_are_read_byte_for_byte_and_a_missing_one_is_none) {
    signet::test::TempDir dir;
    const std::string bytes("PEM\0with a NUL\r\n", 16);
    std::ofstream(dir.path() / "file", std::ios::binary) << bytes;
    BOOST_TEST(signet::daemon::read_whole((dir.path() / "file").string()).value_or("") == bytes);
    BOOST_TEST(!signet::daemon::read_whole((dir.path() / "missing").string()).has_value());
}

BOOST_AUTO_TEST_CASE(a_call_where_no_signetd_listens_is_refused_with_a_message) {
    signet::test::TempDir dir;
    po::variables_map vm;
    po::store(po::command_line_parser(std::vector<std::string>{"--url", "https://127.0.0.1:1", "--cacert", "ca.pem",
                                                              "--cert", "c.pem", "--key", "c.key"})
                  .options(signet::daemon::connection_options("connection"))
                  .run(),
              vm);
    po::notify(vm);
    CapturedStderr captured(dir.path() / "stderr");
    auto answer = signet::daemon::call("keys list", vm, "GET", "/v1/keys");
    const std::string printed = captured.text();
    BOOST_TEST(!answer.has_value());
    BOOST_TEST(printed.starts_with("signetctl keys list: "), printed);
}

BOOST_AUTO_TEST_SUITE_END()
