// signetctl against a real signetd (issue 24): health, seal into a file that pdfsig, qpdf and
// the appearance accept, the connection from SIGNET_* with flags winning, --json as signetd
// wrote it, refusals as one sentence and a non-zero exit, Idempotency-Key, a prepared field,
// and the progress bar of a long upload on a terminal only.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/pdf_samples.hpp"
#include "tests/integration/support/validators.hpp"

namespace {

using nlohmann::json;
using signet::test::Installation;
using signet::test::read_file;
using signet::test::run;
using signet::test::RunResult;
using signet::test::TempDir;
using signet::test::write_file;

// The connection of `client` as SIGNET_* variables.
std::vector<std::string> environment_of(const Installation& inst, const std::string& client,
                                        const std::string& url = "") {
    const auto pki = inst.install / "pki";
    return {"SIGNET_URL=" + (url.empty() ? "https://127.0.0.1:" + std::to_string(inst.port) : url),
            "SIGNET_CACERT=" + (pki / "tls-ca.pem").string(), "SIGNET_CERT=" + (pki / (client + ".pem")).string(),
            "SIGNET_KEY=" + (pki / (client + ".key")).string()};
}

RunResult signetctl(const std::vector<std::string>& args, const std::vector<std::string>& environment,
                    const std::string& input = {}) {
    std::vector<std::string> argv{SIGNETCTL_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, input, environment);
}

// pdfsig, qpdf and openssl cms all accept `pdf`'s `signatures` signatures.
void accepted(const Installation& inst, const std::filesystem::path& pdf, int signatures) {
    auto report = signet::test::pdfsig(inst.nss_db, pdf);
    BOOST_TEST(report.signatures == signatures, report.output);
    BOOST_TEST(report.valid == signatures, report.output);
    BOOST_TEST(signet::test::qpdf_check(pdf).first == 0);
    TempDir scratch{"signet-cli-cms"};
    auto cms = signet::test::openssl_verify_all(pdf, inst.install / "pki" / "signing-ca.pem", scratch.path());
    BOOST_TEST(cms.verified == signatures);
    BOOST_TEST(cms.failures.empty());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(signetctl_against_signetd)

BOOST_AUTO_TEST_CASE(health_and_a_seal_from_the_environment_and_json_as_signetd_wrote_it) {
    Installation& inst = signet::test::installation();
    TempDir work{"signet-cli"};
    const auto platform = environment_of(inst, "platform");

    auto health = signetctl({"health"}, environment_of(inst, "officer"));
    BOOST_TEST(health.exit_code == 0, health.output);
    BOOST_TEST(health.output.find(": ok\n") != std::string::npos, health.output);
    BOOST_TEST(health.output.find("seal") != std::string::npos, health.output);
    auto health_json = signetctl({"--json", "health"}, environment_of(inst, "auditor"));
    BOOST_REQUIRE_EQUAL(health_json.exit_code, 0);
    BOOST_TEST(json::parse(health_json.output).at("status") == "ok");

    write_file(work / "lettre.pdf", signet::test::sample_letter());
    auto sealed = signetctl({"seal", (work / "lettre.pdf").string(), (work / "scellee.pdf").string(), "--tenant",
                             "cabinet-durand", "--actor", "marie.durand", "--visible", "1:350,40,560,120"},
                            platform);
    BOOST_REQUIRE_MESSAGE(sealed.exit_code == 0, sealed.output);
    BOOST_TEST(sealed.output.starts_with("sealed " + (work / "scellee.pdf").string() + ": level B-B, key "),
               sealed.output);
    accepted(inst, work / "scellee.pdf", 1);
    BOOST_TEST(read_file(work / "scellee.pdf").starts_with(signet::test::sample_letter()));

    // --json: the answer's JSON itself, the document in it the file written.
    auto as_json = signetctl({"seal", (work / "lettre.pdf").string(), (work / "json.pdf").string(), "--tenant",
                              "cabinet-durand", "--actor", "marie.durand", "--json"},
                             platform);
    BOOST_REQUIRE_MESSAGE(as_json.exit_code == 0, as_json.output.substr(0, 300));
    const json answer = json::parse(as_json.output);
    BOOST_TEST(answer.at("audit_seq").is_number());
    BOOST_TEST(answer.at("signature").at("key_id").is_string());
    auto decoded = run({"base64", "-d"}, answer.at("document").get<std::string>());
    BOOST_TEST((decoded.output == read_file(work / "json.pdf")));

    // A flag wins over its variable: a wrong SIGNET_URL with the right --url works, and the
    // right SIGNET_URL with a wrong --url does not.
    const std::string right = "https://127.0.0.1:" + std::to_string(inst.port);
    const std::string wrong = "https://127.0.0.1:" + std::to_string(signet::test::free_port());
    BOOST_TEST(signetctl({"health", "--url", right}, environment_of(inst, "officer", wrong)).exit_code == 0);
    auto unreachable = signetctl({"health", "--url", wrong}, environment_of(inst, "officer"));
    BOOST_TEST(unreachable.exit_code == 1);
    BOOST_TEST(unreachable.output.starts_with("signetctl health: " + wrong), unreachable.output);
    auto no_connection = signetctl({"health"}, {});
    BOOST_TEST(no_connection.exit_code == 2);
    BOOST_TEST(no_connection.output == "signetctl health: --url is missing: give it or set SIGNET_URL\n");
}

BOOST_AUTO_TEST_CASE(refusals_are_one_sentence_and_a_non_zero_exit) {
    Installation& inst = signet::test::installation();
    TempDir work{"signet-cli-refused"};
    const auto platform = environment_of(inst, "platform");
    write_file(work / "lettre.pdf", signet::test::sample_letter());
    const std::string in = (work / "lettre.pdf").string();
    const std::string out = (work / "out.pdf").string();

    auto refused = signetctl({"seal", in, out, "--tenant", "cabinet-durand", "--actor", "nobody"}, platform);
    BOOST_TEST(refused.exit_code == 1);
    BOOST_TEST(refused.output.starts_with("signetctl seal: signetd answered 403: "), refused.output);
    BOOST_TEST(std::count(refused.output.begin(), refused.output.end(), '\n') == 1, refused.output);
    BOOST_TEST(!std::filesystem::exists(out));

    auto wrong_role = signetctl({"seal", in, out, "--tenant", "cabinet-durand", "--actor", "marie.durand"},
                                environment_of(inst, "auditor"));
    BOOST_TEST(wrong_role.exit_code == 1);
    BOOST_TEST(wrong_role.output.starts_with("signetctl seal: signetd answered 403: "), wrong_role.output);

    auto missing = signetctl({"seal", (work / "absent.pdf").string(), out, "--tenant", "t", "--actor", "a"}, platform);
    BOOST_TEST(missing.exit_code == 2);
    BOOST_TEST(missing.output == "signetctl seal: cannot read " + (work / "absent.pdf").string() + "\n");

    auto bad_box = signetctl({"seal", in, out, "--tenant", "cabinet-durand", "--actor", "marie.durand", "--visible",
                              "1:350,40"},
                             platform);
    BOOST_TEST(bad_box.exit_code == 2);
    BOOST_TEST(bad_box.output.find("is not PAGE:X1,Y1,X2,Y2") != std::string::npos, bad_box.output);
    auto both = signetctl({"seal", in, out, "--tenant", "cabinet-durand", "--actor", "marie.durand", "--visible",
                           "1:1,1,50,50", "--field", "x"},
                          platform);
    BOOST_TEST(both.exit_code == 2);
    auto garbage = signetctl({"seal", "/etc/hostname", out, "--tenant", "cabinet-durand", "--actor", "marie.durand"},
                             platform);
    BOOST_TEST(garbage.exit_code == 1);
    BOOST_TEST(garbage.output.starts_with("signetctl seal: signetd answered 422: "), garbage.output);
}

BOOST_AUTO_TEST_CASE(an_idempotency_key_and_a_prepared_field) {
    Installation& inst = signet::test::installation();
    TempDir work{"signet-cli-keyed"};
    const auto platform = environment_of(inst, "platform");
    write_file(work / "lettre.pdf", signet::test::sample_letter());
    const std::vector<std::string> keyed{"seal", (work / "lettre.pdf").string(), "", "--tenant", "cabinet-durand",
                                         "--actor", "marie.durand", "--json", "--idempotency-key", "cli-once"};
    auto first_args = keyed;
    first_args[2] = (work / "first.pdf").string();
    auto second_args = keyed;
    second_args[2] = (work / "second.pdf").string();
    auto first = signetctl(first_args, platform);
    auto second = signetctl(second_args, platform);
    BOOST_REQUIRE_MESSAGE(first.exit_code == 0 && second.exit_code == 0, first.output + second.output);
    BOOST_TEST((first.output == second.output));  // the kept answer, byte for byte
    BOOST_TEST((read_file(work / "first.pdf") == read_file(work / "second.pdf")));

    // A field placed by POST /v1/prepare, filled by signetctl seal --field.
    auto prepared = inst.request("POST", "/v1/prepare",
                                 json{{"tenant", "cabinet-durand"},
                                      {"actor", "marie.durand"},
                                      {"document", run({"base64", "-w0", (work / "lettre.pdf").string()}).output},
                                      {"fields", {{{"name", "Cachet"}, {"page", 1}, {"rect", {40, 40, 260, 110}}}}}}
                                     .dump());
    BOOST_REQUIRE_MESSAGE(prepared.status == 200, prepared.body);
    write_file(work / "prepared.pdf",
               run({"base64", "-d"}, prepared.json().at("document").get<std::string>()).output);
    auto filled = signetctl({"seal", (work / "prepared.pdf").string(), (work / "filled.pdf").string(), "--tenant",
                             "cabinet-durand", "--actor", "marie.durand", "--field", "Cachet"},
                            platform);
    BOOST_REQUIRE_MESSAGE(filled.exit_code == 0, filled.output);
    accepted(inst, work / "filled.pdf", 1);
    auto unknown_field = signetctl({"seal", (work / "prepared.pdf").string(), (work / "x.pdf").string(), "--tenant",
                                    "cabinet-durand", "--actor", "marie.durand", "--field", "Absent"},
                                   platform);
    BOOST_TEST(unknown_field.exit_code == 1);
    BOOST_TEST(unknown_field.output.starts_with("signetctl seal: signetd answered 422: "), unknown_field.output);
}

BOOST_AUTO_TEST_CASE(a_long_upload_shows_its_progress_on_a_terminal_only) {
    // A letter carrying a 4.5 MB attachment of random bytes (6 MB as base64 in JSON): over the
    // 5 MB threshold, under this installation's body limit.
    Installation inst(false, "", 16 * 1024 * 1024);
    TempDir work{"signet-cli-progress"};
    write_file(work / "letter.pdf", signet::test::sample_letter());
    BOOST_REQUIRE_EQUAL(run({"sh", "-c", "head -c 4500000 /dev/urandom > " + (work / "annex.bin").string()}).exit_code, 0);
    auto attached = run({"qpdf", (work / "letter.pdf").string(), "--add-attachment", (work / "annex.bin").string(), "--",
                         (work / "big.pdf").string()});
    BOOST_REQUIRE_MESSAGE(attached.exit_code == 0, attached.output);
    const auto environment = environment_of(inst, "platform");
    const std::string command = std::string(SIGNETCTL_PATH) + " seal " + (work / "big.pdf").string() + " " +
                                (work / "big-sealed.pdf").string() + " --tenant cabinet-durand --actor marie.durand";

    auto piped = signetctl({"seal", (work / "big.pdf").string(), (work / "piped.pdf").string(), "--tenant",
                            "cabinet-durand", "--actor", "marie.durand"},
                           environment);
    BOOST_REQUIRE_MESSAGE(piped.exit_code == 0, piped.output);
    BOOST_TEST(piped.output.find("sending [") == std::string::npos, piped.output);

    // script(1) gives signetctl a terminal.
    const std::string quoted = "script -q -e -c '" + command + "' /dev/null";
    auto on_terminal = run({"sh", "-c", quoted}, "", environment);
    BOOST_REQUIRE_MESSAGE(on_terminal.exit_code == 0, on_terminal.output.substr(0, 500));
    BOOST_TEST(on_terminal.output.find("sending [") != std::string::npos, on_terminal.output.substr(0, 500));
    BOOST_TEST(on_terminal.output.find("100%") != std::string::npos);
    accepted(inst, work / "big-sealed.pdf", 1);

    // Over the body limit: signetd refuses from the headers and closes; signetctl still gives
    // its refusal rather than the reset of the connection.
    BOOST_REQUIRE_EQUAL(run({"sh", "-c", "head -c 13000000 /dev/urandom > " + (work / "annex.bin").string()}).exit_code, 0);
    BOOST_REQUIRE_EQUAL(run({"qpdf", (work / "letter.pdf").string(), "--add-attachment", (work / "annex.bin").string(),
                             "--", (work / "huge.pdf").string()})
                            .exit_code,
                        0);
    auto refused = signetctl({"seal", (work / "huge.pdf").string(), (work / "huge-sealed.pdf").string(), "--tenant",
                              "cabinet-durand", "--actor", "marie.durand"},
                             environment);
    BOOST_TEST(refused.exit_code == 1);
    BOOST_TEST(refused.output.starts_with("signetctl seal: signetd answered 413: "), refused.output);
}

BOOST_AUTO_TEST_SUITE_END()
