// What dev-init makes, and how signetd starts (or refuses to) from its configuration.

#include <sys/stat.h>

#include <algorithm>

#include <boost/test/unit_test.hpp>

#include "tests/integration/support/fixture.hpp"

namespace {

using signet::test::installation;
using signet::test::read_file;
using signet::test::run;
using signet::test::TempDir;
using signet::test::write_file;

}  // namespace

BOOST_AUTO_TEST_SUITE(installation_layout)

BOOST_AUTO_TEST_CASE(dev_init_twice_refuses_and_keeps_the_keys) {
    const auto& dir = installation().install;
    std::string pin_before = read_file(dir / "secrets" / "user-pin");
    auto again = run({SIGNETCTL_PATH, "dev-init", dir.string(), "--port", "9999"});
    BOOST_TEST(again.exit_code != 0);
    BOOST_TEST(again.output.find("already holds a signet installation") != std::string::npos,
               again.output);
    BOOST_TEST(read_file(dir / "secrets" / "user-pin") == pin_before);
    BOOST_TEST(installation().healthy());
}

BOOST_AUTO_TEST_CASE(secrets_are_owner_only) {
    const auto& dir = installation().install;
    struct stat info {};
    BOOST_REQUIRE(stat((dir / "secrets" / "user-pin").c_str(), &info) == 0);
    BOOST_TEST((info.st_mode & 0777) == 0600U);
    BOOST_REQUIRE(stat((dir / "secrets").c_str(), &info) == 0);
    BOOST_TEST((info.st_mode & 0777) == 0700U);
    BOOST_REQUIRE(stat((dir / "pki" / "signing-ca.key").c_str(), &info) == 0);
    BOOST_TEST((info.st_mode & 0777) == 0600U);
}

BOOST_AUTO_TEST_CASE(certificates_have_the_usages_they_need) {
    const auto& pki = installation().install / "pki";
    auto seal = run({"openssl", "x509", "-in", (pki / "seal.pem").string(), "-noout", "-text"});
    BOOST_TEST(seal.output.find("Digital Signature, Non Repudiation") != std::string::npos, seal.output);
    BOOST_TEST(seal.output.find("Public-Key: (3072 bit)") != std::string::npos);
    auto chain = run({"openssl", "verify", "-CAfile", (pki / "signing-ca.pem").string(),
                      (pki / "seal.pem").string(), (pki / "audit.pem").string()});
    BOOST_TEST(chain.exit_code == 0, chain.output);
    auto server = run({"openssl", "x509", "-in", (pki / "server.pem").string(), "-noout", "-ext",
                       "subjectAltName"});
    BOOST_TEST(server.output.find("IP Address:127.0.0.1") != std::string::npos, server.output);
    BOOST_TEST(server.output.find("DNS:localhost") != std::string::npos, server.output);
    for (const char* client : {"platform", "officer", "officer2", "auditor"}) {
        auto verified = run({"openssl", "verify", "-purpose", "sslclient", "-CAfile",
                             (pki / "tls-ca.pem").string(), (pki / (std::string(client) + ".pem")).string()});
        BOOST_TEST(verified.exit_code == 0, client << ": " << verified.output);
    }
}

// The development CA's revocation data, checked by openssl rather than by signet.
BOOST_AUTO_TEST_CASE(dev_init_names_the_revocation_urls_and_dev_crl_revokes) {
    TempDir dir;
    const auto install = dir / "install";
    auto bad = run({SIGNETCTL_PATH, "dev-init", install.string(), "--port", "9999", "--ocsp-url", "ftp://x"});
    BOOST_TEST(bad.exit_code == 2, bad.output);
    BOOST_TEST(bad.output.find("--ocsp-url must be an http:// URL") != std::string::npos, bad.output);
    auto made = run({SIGNETCTL_PATH, "dev-init", install.string(), "--port", "9999", "--ocsp-url",
                     "http://127.0.0.1:1/ocsp", "--crl-url", "http://127.0.0.1:1/ca.crl"});
    BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.output);
    const auto pki = install / "pki";
    for (const char* name : {"seal.pem", "audit.pem", "tsa.pem"}) {
        auto ext = run({"openssl", "x509", "-in", (pki / name).string(), "-noout", "-ext",
                        "authorityInfoAccess,crlDistributionPoints"});
        BOOST_TEST(ext.output.find("OCSP - URI:http://127.0.0.1:1/ocsp") != std::string::npos, name << ext.output);
        BOOST_TEST(ext.output.find("URI:http://127.0.0.1:1/ca.crl") != std::string::npos, name << ext.output);
    }
    const std::string crl = (pki / "signing-ca.crl").string();
    const std::string ca = (pki / "signing-ca.pem").string();
    auto empty = run({"openssl", "crl", "-in", crl, "-CAfile", ca, "-noout", "-verify", "-text"});
    BOOST_TEST(empty.exit_code == 0, empty.output);
    BOOST_TEST(empty.output.find("verify OK") != std::string::npos, empty.output);
    BOOST_TEST(empty.output.find("No Revoked Certificates") != std::string::npos, empty.output);

    auto revoked = run({SIGNETCTL_PATH, "dev-crl", install.string(), "--revoke", (pki / "seal.pem").string()});
    BOOST_TEST(revoked.exit_code == 0, revoked.output);
    BOOST_TEST(revoked.output.find("lists 1 revoked certificate(s)") != std::string::npos, revoked.output);
    auto serial = run({"openssl", "x509", "-in", (pki / "seal.pem").string(), "-noout", "-serial"});
    const std::string seal_serial = serial.output.substr(serial.output.find('=') + 1, 32);
    auto listed = run({"openssl", "crl", "-in", crl, "-CAfile", ca, "-noout", "-verify", "-text"});
    BOOST_TEST(listed.output.find("verify OK") != std::string::npos, listed.output);
    BOOST_TEST(listed.output.find("Serial Number: " + seal_serial) != std::string::npos, listed.output);
    // A certificate of the TLS CA is not the signing CA's to revoke; the CRL stays as it was.
    auto refused = run({SIGNETCTL_PATH, "dev-crl", install.string(), "--revoke", (pki / "platform.pem").string()});
    BOOST_TEST(refused.exit_code == 1, refused.output);
    BOOST_TEST(refused.output.find("not issued by this CA") != std::string::npos, refused.output);
    BOOST_TEST(read_file(pki / "signing-ca.crl").find("BEGIN X509 CRL") != std::string::npos);
    auto still = run({"openssl", "crl", "-in", crl, "-noout", "-text"});
    BOOST_TEST(still.output.find("Serial Number: " + seal_serial) != std::string::npos, still.output);
}

BOOST_AUTO_TEST_CASE(bad_configuration_stops_signetd_with_a_message) {
    TempDir work;
    std::string config = read_file(installation().install / "signetd.toml");
    config.replace(config.find("[store]"), 7, "[store]\ncolour = \"blue\"");
    // Paths stay valid: they are relative to the file, so write it beside the original.
    auto path = installation().install / "broken.toml";
    write_file(path, config);
    auto started = run({SIGNETD_PATH, "--config", path.string()});
    std::filesystem::remove(path);
    BOOST_TEST(started.exit_code == 1);
    BOOST_TEST(started.output.find("broken.toml") != std::string::npos, started.output);
    BOOST_TEST(started.output.find("unknown key store.colour") != std::string::npos, started.output);
}

BOOST_AUTO_TEST_CASE(a_broken_rights_matrix_stops_signetd_naming_the_line) {
    TempDir work;
    const auto& dir = installation().install;
    std::string config = read_file(dir / "signetd.toml");
    const std::string key = "rights_matrix = \"";
    auto begin = config.find(key) + key.size();
    std::filesystem::path shipped = config.substr(begin, config.find('"', begin) - begin);
    std::string matrix = read_file(shipped);
    // A cell naming a role that does not exist, on a line counted here.
    auto at = matrix.find("croec = [\"president\"]");
    BOOST_REQUIRE(at != std::string::npos);
    matrix.replace(at, 22, "croec = [\"treasurer\"]");
    auto line = 1 + std::count(matrix.begin(), matrix.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    write_file(work.path() / "matrix.toml", matrix);
    config.replace(begin, shipped.string().size(), (work.path() / "matrix.toml").string());
    auto path = dir / "broken-matrix.toml";
    write_file(path, config);
    auto started = run({SIGNETD_PATH, "--config", path.string()});
    std::filesystem::remove(path);
    BOOST_TEST(started.exit_code == 1);
    BOOST_TEST(started.output.find("matrix.toml, line " + std::to_string(line)) != std::string::npos,
               started.output);
    BOOST_TEST(started.output.find("treasurer") != std::string::npos, started.output);
}

BOOST_AUTO_TEST_CASE(wrong_pin_stops_signetd_without_printing_it) {
    TempDir work;
    std::string config = read_file(installation().install / "signetd.toml");
    config.replace(config.find("secrets/user-pin"), 16, (work / "wrong-pin").string());
    write_file(work / "wrong-pin", "0000000000000000");
    std::filesystem::permissions(work / "wrong-pin", std::filesystem::perms::owner_read);
    auto path = installation().install / "wrong-pin.toml";
    write_file(path, config);
    auto started = run({SIGNETD_PATH, "--config", path.string()});
    std::filesystem::remove(path);
    BOOST_TEST(started.exit_code == 1);
    BOOST_TEST(started.output.find("CKR_PIN_INCORRECT") != std::string::npos, started.output);
    BOOST_TEST(started.output.find("0000000000000000") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
