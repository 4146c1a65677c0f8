// What every signetctl command relies on: --help and -h at every level (a usage line, the
// options, an example, exit 0), an unknown option or command named with exit 2, the
// connection from SIGNET_* with flags winning, whole files read, and a call where no signetd
// listens refused with a sentence rather than an exception.

#include "cli/command_line.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "cli/command_table.hpp"
#include "cli/commands/command_groups.hpp"
#include "cli/commands/install_commands.hpp"
#include "cli/terminal.hpp"
#include "tests/support/temp_dir.hpp"

namespace po = boost::program_options;
using signet::daemon::commands;
using signet::daemon::parse;
using signet::daemon::run_signetctl;

namespace {

// What a call prints on one of stdout (1) or stderr (2), captured through a temporary file.
class Captured {
public:
    Captured(int fd, const std::filesystem::path& file) : fd_(fd), path_(file) {
        flush();
        saved_ = ::dup(fd_);
        std::FILE* out = std::fopen(path_.c_str(), "w");
        ::dup2(::fileno(out), fd_);
        std::fclose(out);
    }
    ~Captured() { restore(); }
    std::string text() {
        restore();
        return signet::daemon::read_whole(path_).value_or("");
    }

private:
    void flush() {
        std::cout.flush();
        std::cerr.flush();
        std::fflush(nullptr);
    }
    void restore() {
        if (saved_ < 0) return;
        flush();
        ::dup2(saved_, fd_);
        ::close(saved_);
        saved_ = -1;
    }
    int fd_;
    std::filesystem::path path_;
    int saved_ = -1;
};

struct Outcome {
    int code = -1;
    std::string out;
    std::string err;
};

Outcome signetctl(const std::vector<std::string>& args) {
    signet::test::TempDir dir;
    Captured out(1, dir.path() / "out");
    Captured err(2, dir.path() / "err");
    Outcome outcome;
    outcome.code = run_signetctl(args);
    outcome.out = out.text();
    outcome.err = err.text();
    return outcome;
}

std::vector<std::string> words_of(const std::string& name) {
    std::vector<std::string> words;
    std::istringstream in(name);
    for (std::string word; in >> word;) words.push_back(word);
    return words;
}

// Sets the four SIGNET_* variables for a scope.
struct Environment {
    Environment() {
        ::setenv("SIGNET_URL", "https://127.0.0.1:1", 1);
        ::setenv("SIGNET_CACERT", "env-ca.pem", 1);
        ::setenv("SIGNET_CERT", "env-cert.pem", 1);
        ::setenv("SIGNET_KEY", "env-key.pem", 1);
    }
    ~Environment() {
        for (const char* name : {"SIGNET_URL", "SIGNET_CACERT", "SIGNET_CERT", "SIGNET_KEY"}) ::unsetenv(name);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(command_line)

BOOST_AUTO_TEST_CASE(every_command_answers_help_with_a_usage_line_its_options_and_an_example) {
    BOOST_TEST(commands().size() == 17U);
    for (const auto& command : commands()) {
        for (const char* help : {"--help", "-h"}) {
            auto args = words_of(command.name);
            args.emplace_back(help);
            auto shown = signetctl(args);
            BOOST_TEST(shown.code == 0, command.name);
            BOOST_TEST(shown.err.empty(), command.name << ": " << shown.err);
            BOOST_TEST(shown.out.starts_with("usage: signetctl " + command.name + " " + command.synopsis + "\n"),
                       shown.out);
            BOOST_TEST(shown.out.find("\nexample:\n  signetctl " + command.name) != std::string::npos, shown.out);
            BOOST_TEST(shown.out.find("  --") != std::string::npos, shown.out);  // its options
        }
    }
    // Help wins over everything else on the line, even a bad option.
    auto despite = signetctl({"keys", "generate", "--colour", "red", "-h"});
    BOOST_TEST(despite.code == 0);
}

BOOST_AUTO_TEST_CASE(the_tool_and_each_group_answer_help_and_list_their_commands) {
    auto overview = signetctl({"--help"});
    BOOST_TEST(overview.code == 0);
    for (const auto& command : commands()) {
        BOOST_TEST(overview.out.find("  signetctl " + command.name + " ") != std::string::npos, command.name);
    }
    BOOST_TEST(overview.out.find("SIGNET_URL") != std::string::npos);
    BOOST_TEST(signetctl({"-h"}).code == 0);
    auto bare = signetctl({});
    BOOST_TEST(bare.code == 2);
    BOOST_TEST(bare.err.starts_with("usage: signetctl"));

    for (const std::string group : {"keys", "approvals", "audit"}) {
        auto listed = signetctl({group, "--help"});
        BOOST_TEST(listed.code == 0, group);
        BOOST_TEST(listed.out.starts_with("usage: signetctl " + group + " SUBCOMMAND"), listed.out);
        BOOST_TEST(signetctl({group, "-h"}).code == 0);
        BOOST_TEST(signetctl({group}).code == 2);
        auto unknown = signetctl({group, "frobnicate"});
        BOOST_TEST(unknown.code == 2);
        BOOST_TEST(unknown.err == "signetctl " + group + ": there is no subcommand 'frobnicate' (signetctl " + group +
                                      " --help lists them)\n");
    }
    auto unknown = signetctl({"frobnicate"});
    BOOST_TEST(unknown.code == 2);
    BOOST_TEST(unknown.err == "signetctl: there is no command 'frobnicate' (signetctl --help lists them)\n");
}

BOOST_AUTO_TEST_CASE(an_unknown_option_names_itself_and_exits_2_in_every_command) {
    for (const auto& command : commands()) {
        auto args = words_of(command.name);
        args.emplace_back("--colour=red");
        auto refused = signetctl(args);
        BOOST_TEST(refused.code == 2, command.name);
        BOOST_TEST(refused.err.starts_with("signetctl " + command.name + ": "), refused.err);
        BOOST_TEST(refused.err.find("--colour") != std::string::npos, refused.err);
        BOOST_TEST(refused.out.empty());
    }
}

BOOST_AUTO_TEST_CASE(positional_arguments_are_required_and_named_when_missing) {
    po::options_description options("extend options");
    options.add_options()("tenant", po::value<std::string>()->required(), "the tenant");
    auto vm = parse("extend", {"in.pdf", "out.pdf", "--tenant", "t"}, options, {{"in", "IN.pdf"}, {"out", "OUT.pdf"}});
    BOOST_REQUIRE(vm.has_value());
    BOOST_TEST((*vm)["out"].as<std::string>() == "out.pdf");
    auto missing = signetctl({"extend", "in.pdf", "--tenant", "t"});
    BOOST_TEST(missing.code == 2);
    BOOST_TEST(missing.err == "signetctl extend: OUT.pdf is missing\n");
    auto extra = signetctl({"extend", "a", "b", "c", "--tenant", "t"});
    BOOST_TEST(extra.code == 2);
}

BOOST_AUTO_TEST_CASE(the_connection_comes_from_the_environment_and_a_flag_wins) {
    auto missing = signetctl({"keys", "list"});
    BOOST_TEST(missing.code == 2);
    BOOST_TEST(missing.err == "signetctl keys list: --url is missing: give it or set SIGNET_URL\n");
    auto ceremony = signetctl({"keys", "activate", "0a"});
    BOOST_TEST(ceremony.err.find("or, before signetd's first start, --config and --officer") != std::string::npos,
               ceremony.err);

    Environment environment;
    auto vm = parse("keys list", {"--cert", "flag-cert.pem"}, signet::daemon::connection_options());
    BOOST_REQUIRE(vm.has_value());
    BOOST_TEST((*vm)["url"].as<std::string>() == "https://127.0.0.1:1");
    BOOST_TEST((*vm)["cacert"].as<std::string>() == "env-ca.pem");
    BOOST_TEST((*vm)["cert"].as<std::string>() == "flag-cert.pem");
    BOOST_TEST((*vm)["key"].as<std::string>() == "env-key.pem");
    BOOST_TEST(!signet::daemon::json_output(*vm));
    // --json before the command is the command's own.
    auto json_first = signetctl({"--json", "keys", "list", "--colour"});
    BOOST_TEST(json_first.code == 2);
    // The installation ceremony's form takes no connection: the variables do not make one.
    auto offline = parse("keys activate", {"0a", "--config", "x.toml", "--officer", "o"},
                         signet::daemon::ceremony_options("keys activate options"), {{"key-id", "KEY_ID"}});
    BOOST_REQUIRE(offline.has_value());
    BOOST_TEST(offline->count("url") == 0U);
    for (const char* flag : {"--url", "--cacert", "--cert", "--key"}) {
        auto both = signetctl({"keys", "activate", "0a", "--config", "x.toml", "--officer", "o", flag, "x"});
        BOOST_TEST(both.code == 2);
        BOOST_TEST(both.err == "signetctl keys activate: --config takes no " + std::string(flag) + "\n");
    }
    auto no_officer = signetctl({"keys", "generate", "--config", "x.toml", "--purpose", "seal", "--algorithm",
                                 "rsa-3072", "--label", "l", "--csr", "c"});
    BOOST_TEST(no_officer.code == 2);
    BOOST_TEST(no_officer.err == "signetctl keys generate: --config needs --officer\n");
}

BOOST_AUTO_TEST_CASE(a_call_where_no_signetd_listens_is_refused_with_one_sentence) {
    Environment environment;
    auto refused = signetctl({"keys", "list"});
    BOOST_TEST(refused.code == 1);
    BOOST_TEST(refused.err.starts_with("signetctl keys list: "), refused.err);
    BOOST_TEST(std::count(refused.err.begin(), refused.err.end(), '\n') == 1, refused.err);
    auto health = signetctl({"health", "--json"});
    BOOST_TEST(health.code == 1);
    BOOST_TEST(health.out.empty());
}

BOOST_AUTO_TEST_CASE(a_visible_box_is_page_colon_four_numbers) {
    auto box = signet::daemon::visible_box("2:350,40.5,560,120");
    BOOST_REQUIRE(box.has_value());
    BOOST_TEST(box->dump() == R"({"page":2,"rect":[350.0,40.5,560.0,120.0]})");
    for (const char* bad : {"", "1", "1:", "0:1,2,3,4", "x:1,2,3,4", "1:1,2,3", "1:1,2,3,4,5", "1:1,,3,4", "1:a,2,3,4",
                            "-1:1,2,3,4", "1:1,2,3,4 "}) {
        auto refused = signet::daemon::visible_box(bad);
        BOOST_TEST(!refused.has_value(), bad);
        if (!refused) BOOST_TEST(refused.error().message.find("PAGE:X1,Y1,X2,Y2") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(the_progress_bar_shows_the_share_sent) {
    BOOST_TEST(signet::daemon::progress_line(0, 10'000'000) ==
               "sending [                              ]   0% 0.0/10.0 MB");
    BOOST_TEST(signet::daemon::progress_line(5'000'000, 10'000'000) ==
               "sending [###############               ]  50% 5.0/10.0 MB");
    BOOST_TEST(signet::daemon::progress_line(10'000'000, 10'000'000) ==
               "sending [##############################] 100% 10.0/10.0 MB");
    // Not on a terminal (the test's stderr is a file) or not over 5 MB: no bar.
    BOOST_TEST(!signet::daemon::upload_progress(6'000'000));
    BOOST_TEST(!signet::daemon::upload_progress(1'000));
}

BOOST_AUTO_TEST_CASE(whole_files_are_read_byte_for_byte_and_a_missing_one_or_a_folder_is_none) {
    signet::test::TempDir dir;
    const std::string bytes("PEM\0with a NUL\r\n", 16);
    std::ofstream(dir.path() / "file", std::ios::binary) << bytes;
    BOOST_TEST(signet::daemon::read_whole((dir.path() / "file").string()).value_or("") == bytes);
    BOOST_TEST(!signet::daemon::read_whole((dir.path() / "missing").string()).has_value());
    BOOST_TEST(!signet::daemon::read_whole(dir.path().string()).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
