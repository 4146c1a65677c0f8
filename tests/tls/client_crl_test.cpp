// [tls] client_crl (issue 20): every client certificate is checked against the client CA's CRL
// in the handshake. Twenty attempts of each kind, counted: a good certificate is served, an
// expired, a revoked and a foreign one are refused in the handshake, none at all gets 401 (by
// design: the handshake lets it through so that the API can say why in JSON). Then SIGHUP
// reloads the list, and a list that does not load keeps the one in use.

#include <signal.h>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/tls/client_pki.hpp"

namespace {

using namespace std::chrono_literals;
using signet::test::attempt;
using signet::test::ClientPki;
using signet::test::HttpResult;
using signet::test::Installation;
using signet::test::occurrences;
using signet::test::read_file;
using signet::test::run;
using signet::test::write_file;

constexpr int attempts = 20;

struct Checked {
    Installation installation;
    ClientPki pki{installation.install / "pki", "signet test client CA"};
    ClientPki foreign{installation.dir / "foreign", "another client CA"};
    std::filesystem::path crl = installation.install / "pki" / "clients.crl";
    std::filesystem::path log = installation.dir / "signetd.log";

    Checked() {
        signet::test::check_clients_against_crl(installation, pki);
        pki.issue("valid", "platform");
        pki.issue("expired", "platform", true);
        pki.issue("revoked", "platform");
        pki.issue("rotating", "platform");
        foreign.issue("foreign", "platform");  // the right name, from the wrong CA
        pki.write_crl(crl, {"revoked"});
        if (!reload("the first CRL")) throw std::runtime_error("the first client CRL was refused");
    }

    // SIGHUP, then waits for signetd's line about it; true when the reload was taken.
    bool reload(const std::string& what) {
        const auto taken = occurrences(log, "client mappings reloaded");
        const auto refused = occurrences(log, "reload refused");
        ::kill(installation.signetd->pid(), SIGHUP);
        for (int i = 0; i < 200; ++i) {
            if (occurrences(log, "client mappings reloaded") > taken) return true;
            if (occurrences(log, "reload refused") > refused) return false;
            std::this_thread::sleep_for(25ms);
        }
        throw std::runtime_error("signetd said nothing about the reload of " + what);
    }

    // Attempts with the certificate `name` of `issuer` ("" for none): how many were refused
    // (no HTTP answer at all: the handshake failed), how many answered `status`.
    std::pair<int, int> attempts_of(const ClientPki* issuer, const std::string& name, int status) {
        int refused = 0, answered = 0;
        for (int i = 0; i < attempts; ++i) {
            HttpResult result = issuer == nullptr ? attempt(installation, "", "")
                                                  : attempt(installation, issuer->certificate(name),
                                                            issuer->key(name));
            if (result.status == 0 && result.curl_exit != 0) ++refused;
            if (result.status == status) ++answered;
        }
        return {refused, answered};
    }
};

Checked& checked() {
    static Checked shared;
    return shared;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_crl)

BOOST_AUTO_TEST_CASE(every_bad_certificate_is_refused_in_the_handshake_and_every_good_one_served) {
    auto& c = checked();
    const auto revoked_before = occurrences(c.log, "(certificate revoked)");
    const auto expired_before = occurrences(c.log, "(certificate has expired)");
    const auto foreign_before = occurrences(c.log, "(unable to get local issuer certificate)");

    auto [valid_refused, valid_served] = c.attempts_of(&c.pki, "valid", 200);
    BOOST_TEST_MESSAGE("valid certificate: served " << valid_served << " of " << attempts);
    BOOST_TEST(valid_served == attempts);
    BOOST_TEST(valid_refused == 0);
    auto [expired, expired_served] = c.attempts_of(&c.pki, "expired", 200);
    BOOST_TEST_MESSAGE("expired certificate: refused " << expired << " of " << attempts);
    BOOST_TEST(expired == attempts);
    BOOST_TEST(expired_served == 0);
    auto [revoked, revoked_served] = c.attempts_of(&c.pki, "revoked", 200);
    BOOST_TEST_MESSAGE("revoked certificate: refused " << revoked << " of " << attempts);
    BOOST_TEST(revoked == attempts);
    BOOST_TEST(revoked_served == 0);
    auto [foreign, foreign_served] = c.attempts_of(&c.foreign, "foreign", 200);
    BOOST_TEST_MESSAGE("certificate of another CA: refused " << foreign << " of " << attempts);
    BOOST_TEST(foreign == attempts);
    BOOST_TEST(foreign_served == 0);
    auto [none_refused, unauthorised] = c.attempts_of(nullptr, "", 401);
    BOOST_TEST_MESSAGE("no certificate: answered 401 " << unauthorised << " of " << attempts
                                                       << " (handshake refused " << none_refused
                                                       << ")");
    BOOST_TEST(unauthorised == attempts);

    // signetd's own account: one line per refused handshake, with the verification's reason.
    std::this_thread::sleep_for(200ms);
    const auto revoked_logged = occurrences(c.log, "(certificate revoked)") - revoked_before;
    const auto expired_logged = occurrences(c.log, "(certificate has expired)") - expired_before;
    const auto foreign_logged =
        occurrences(c.log, "(unable to get local issuer certificate)") - foreign_before;
    BOOST_TEST_MESSAGE("signetd logged: " << revoked_logged << " revoked, " << expired_logged
                                          << " expired, " << foreign_logged << " unknown issuer");
    BOOST_TEST(revoked_logged == static_cast<std::size_t>(attempts));
    BOOST_TEST(expired_logged == static_cast<std::size_t>(attempts));
    BOOST_TEST(foreign_logged == static_cast<std::size_t>(attempts));
}

BOOST_AUTO_TEST_CASE(sighup_reloads_the_crl_and_a_list_that_does_not_load_keeps_the_one_in_use) {
    auto& c = checked();
    BOOST_TEST(c.attempts_of(&c.pki, "rotating", 200).second == attempts);

    c.pki.write_crl(c.crl, {"revoked", "rotating"});
    BOOST_REQUIRE(c.reload("a CRL that revokes one more"));
    auto [rotating_refused, rotating_served] = c.attempts_of(&c.pki, "rotating", 200);
    BOOST_TEST_MESSAGE("after SIGHUP, newly revoked certificate: refused " << rotating_refused
                                                                           << " of " << attempts);
    BOOST_TEST(rotating_refused == attempts);
    BOOST_TEST(rotating_served == 0);
    auto [valid_refused, valid_served] = c.attempts_of(&c.pki, "valid", 200);
    BOOST_TEST_MESSAGE("after SIGHUP, valid certificate: served " << valid_served << " of "
                                                                  << attempts);
    BOOST_TEST(valid_served == attempts);

    // Each bad list is refused by the reload, with a reason; the one in use stays: the newly
    // revoked certificate is still refused and the good one still served.
    const std::string good = read_file(c.crl);
    struct Bad {
        std::string what, reason;
        std::function<void()> make;
    };
    ClientPki stranger(c.installation.dir / "stranger", "a stranger CA");
    const std::vector<Bad> bad = {
        {"not a CRL", "holds no PEM X509 CRL", [&] { write_file(c.crl, "not a CRL\n"); }},
        {"an empty file", "holds no PEM X509 CRL", [&] { write_file(c.crl, ""); }},
        {"a corrupt CRL", "does not parse",
         [&] {
             std::string broken = good;
             broken.replace(broken.find('\n') + 10, 8, "********");
             write_file(c.crl, broken);
         }},
        {"an expired CRL", "has expired",
         [&] {
             c.pki.write_crl(c.crl, {"revoked", "rotating"}, -1h);
         }},
        {"the CRL of another CA", "is not of a client CA", [&] { stranger.write_crl(c.crl, {}); }},
        {"no file", "does not exist", [&] { std::filesystem::remove(c.crl); }},
    };
    for (const auto& each : bad) {
        each.make();
        const auto refused_lines = occurrences(c.log, each.reason);
        BOOST_TEST(!c.reload(each.what), each.what << " was taken");
        BOOST_TEST(occurrences(c.log, each.reason) > refused_lines,
                   each.what << ": no line says '" << each.reason << "'");
        auto [still_refused, still_served] = c.attempts_of(&c.pki, "rotating", 200);
        auto [valid_refused_now, valid_served_now] = c.attempts_of(&c.pki, "valid", 200);
        BOOST_TEST_MESSAGE("SIGHUP with " << each.what << ": refused; revoked certificate refused "
                                          << still_refused << " of " << attempts
                                          << ", valid served " << valid_served_now << " of "
                                          << attempts);
        BOOST_TEST(still_refused == attempts, each.what);
        BOOST_TEST(still_served == 0, each.what);
        BOOST_TEST(valid_served_now == attempts, each.what);
    }
    write_file(c.crl, good);
    BOOST_TEST(c.reload("the good CRL again"));
}

BOOST_AUTO_TEST_CASE(signetd_does_not_start_with_a_client_crl_that_does_not_load) {
    auto& c = checked();
    const std::string good = read_file(c.crl);
    BOOST_REQUIRE(c.installation.signetd->stop() == 0);
    c.installation.signetd.reset();
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"not a CRL\n", "holds no PEM X509 CRL"}, {"", "holds no PEM X509 CRL"}};
    for (const auto& [content, reason] : bad) {
        write_file(c.crl, content);
        auto started = run({"timeout", "60", SIGNETD_PATH, "--config",
                            (c.installation.install / "signetd.toml").string()});
        BOOST_TEST(started.exit_code == 1, started.output);
        BOOST_TEST(started.output.find("[tls] client_crl") != std::string::npos, started.output);
        BOOST_TEST(started.output.find(reason) != std::string::npos, started.output);
        BOOST_TEST_MESSAGE("start with a bad client_crl: exit " << started.exit_code);
    }
    c.pki.write_crl(c.crl, {"revoked", "rotating"}, -1h);
    auto expired = run({"timeout", "60", SIGNETD_PATH, "--config",
                        (c.installation.install / "signetd.toml").string()});
    BOOST_TEST(expired.exit_code == 1, expired.output);
    BOOST_TEST(expired.output.find("has expired") != std::string::npos, expired.output);

    write_file(c.crl, good);
    c.installation.start();
    BOOST_TEST(c.attempts_of(&c.pki, "valid", 200).second == attempts);
    BOOST_TEST(c.attempts_of(&c.pki, "revoked", 200).first == attempts);
}

BOOST_AUTO_TEST_SUITE_END()
