// testssl.sh (Debian's testssl.sh 3.0) against a running signetd, offline and on 127.0.0.1: the
// protocols and ciphers offered per protocol, forward secrecy, the server's defaults and the
// vulnerability checks. testssl.sh 3.0 cannot present a client certificate (--mtls came in 3.1);
// it needs none, since signetd completes a handshake without one and answers 401 (the API says
// why), so every check runs against the real handshake. The server certificate is one like a
// production CA's, naming its CRL: dev-init's names none, which testssl.sh rates HIGH
// (cert_revocation), a property of the development certificate, not of signetd.

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/tls/client_pki.hpp"

namespace {

using signet::test::ClientPki;
using signet::test::Installation;
using signet::test::read_file;
using signet::test::run;

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.rfind(prefix, 0) == 0;
}
bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(testssl)

BOOST_AUTO_TEST_CASE(testssl_finds_only_tls_1_3_and_1_2_with_ecdhe_aead_and_nothing_vulnerable) {
    if (run({"sh", "-c", "command -v testssl"}).exit_code != 0) {
        BOOST_FAIL("testssl.sh is not installed (Debian package testssl.sh, .ci/install-deps.sh)");
    }
    Installation installation;
    const auto pki = installation.install / "pki";
    std::filesystem::copy_file(pki / "tls-ca.pem", pki / "dev-clients-ca.pem");
    ClientPki server_ca(pki, "signet test server CA", "server-ca");
    // Never fetched: testssl.sh looks CRLs up only with --phone-out.
    server_ca.issue_server("test-server", "http://127.0.0.1/server-ca.crl");
    // The fixture's curl trusts pki/tls-ca.pem for the server; the clients keep dev-init's CA.
    std::filesystem::copy_file(server_ca.ca_file(), pki / "tls-ca.pem",
                               std::filesystem::copy_options::overwrite_existing);
    const auto config_file = installation.install / "signetd.toml";
    std::string config = read_file(config_file);
    const std::string tls =
        "certificate = \"pki/server.pem\"\nprivate_key = \"pki/server.key\"\n"
        "client_ca = \"pki/tls-ca.pem\"\n";
    BOOST_REQUIRE(config.find(tls) != std::string::npos);
    config.replace(config.find(tls), tls.size(),
                   "certificate = \"pki/test-server.pem\"\nprivate_key = \"pki/test-server.key\"\n"
                   "client_ca = \"pki/dev-clients-ca.pem\"\n");
    signet::test::write_file(config_file, config);
    installation.restart();

    const auto json_file = installation.dir / "testssl.json";
    const auto started = std::chrono::steady_clock::now();
    // -p protocols, -E ciphers per protocol (with their key exchange), -S server defaults,
    // -U every vulnerability check (renegotiation and CRIME among them). Nothing leaves the
    // machine: an IP address, no DNS, no certificate revocation lookups.
    auto scan = run({"timeout",
                     "600",
                     "testssl",
                     "--quiet",
                     "--color",
                     "0",
                     "--warnings",
                     "off",
                     "--nodns",
                     "none",
                     "--connect-timeout",
                     "5",
                     "--openssl-timeout",
                     "5",
                     "--add-ca",
                     server_ca.ca_file().string(),
                     "-p",
                     "-E",
                     "-S",
                     "-U",
                     "--jsonfile",
                     json_file.string(),
                     "127.0.0.1:" + std::to_string(installation.port)});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    BOOST_TEST_MESSAGE("testssl.sh ran " << seconds << " s, exit " << scan.exit_code);
    BOOST_REQUIRE_MESSAGE(std::filesystem::exists(json_file), scan.output);
    auto findings = nlohmann::json::parse(read_file(json_file));
    BOOST_REQUIRE(findings.is_array());

    std::map<std::string, std::string> by_id;
    std::set<std::string> printed_prefixes = {"SSLv",
                                              "TLS1",
                                              "cipher-",
                                              "cipher_order",
                                              "FS",
                                              "secure_",
                                              "CRIME",
                                              "BREACH",
                                              "heartbleed",
                                              "CCS",
                                              "ticketbleed",
                                              "ROBOT",
                                              "POODLE",
                                              "fallback",
                                              "SWEET32",
                                              "FREAK",
                                              "DROWN",
                                              "LOGJAM",
                                              "BEAST",
                                              "LUCKY13",
                                              "RC4",
                                              "winshock",
                                              "TLS_session",
                                              "overall",
                                              "scanProblem",
                                              "clientAuth",
                                              "TLS_extensions",
                                              "cert_chain_of_trust",
                                              "cert_revocation",
                                              "cert_trust",
                                              "PFS",
                                              "scanTime"};
    int bad = 0;
    for (const auto& item : findings) {
        const std::string id = item.value("id", "");
        const std::string severity = item.value("severity", "");
        const std::string finding = item.value("finding", "");
        by_id[id] = finding;
        const bool notable = severity != "INFO" && severity != "OK";
        for (const auto& prefix : printed_prefixes) {
            if (notable || starts_with(id, prefix)) {
                BOOST_TEST_MESSAGE("  " << id << " [" << severity << "] " << finding);
                break;
            }
        }
        const bool alarming =
            severity == "HIGH" || severity == "CRITICAL" || contains(finding, "VULNERABLE");
        if (alarming) ++bad;
        BOOST_TEST(!alarming, id << " [" << severity << "] " << finding);
    }
    BOOST_TEST_MESSAGE("testssl.sh: " << findings.size() << " findings, " << bad
                                      << " HIGH/CRITICAL/VULNERABLE");

    // Only TLS 1.3 and TLS 1.2.
    for (const char* old : {"SSLv2", "SSLv3", "TLS1", "TLS1_1"}) {
        BOOST_TEST(starts_with(by_id[old], "not offered"), old << ": " << by_id[old]);
    }
    BOOST_TEST(starts_with(by_id["TLS1_2"], "offered"), by_id["TLS1_2"]);
    BOOST_TEST(starts_with(by_id["TLS1_3"], "offered"), by_id["TLS1_3"]);
    // TLS 1.2: ECDHE key exchange and AEAD ciphers only; TLS 1.3 suites are all AEAD by design.
    int tls12_ciphers = 0;
    for (const auto& [id, finding] : by_id) {
        if (!starts_with(id, "cipher-tls1_2_")) {
            BOOST_TEST(!(starts_with(id, "cipher-") && !starts_with(id, "cipher-tls1_3_")),
                       id << ": " << finding);
            continue;
        }
        ++tls12_ciphers;
        BOOST_TEST(contains(finding, "ECDHE"), id << ": " << finding);
        BOOST_TEST((contains(finding, "GCM") || contains(finding, "POLY1305")),
                   id << ": " << finding);
    }
    BOOST_TEST(tls12_ciphers > 0);
    // No client-initiated renegotiation, secure or not; no TLS compression.
    BOOST_TEST(contains(by_id["secure_client_renego"], "not vulnerable"),
               by_id["secure_client_renego"]);
    BOOST_TEST(contains(by_id["CRIME_TLS"], "not vulnerable"), by_id["CRIME_TLS"]);
}

BOOST_AUTO_TEST_SUITE_END()
