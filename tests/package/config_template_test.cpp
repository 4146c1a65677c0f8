// The packaged /etc/signet/signetd.toml (packaging/signetd.toml) against signetd's own
// configuration loader. The template names the packaged paths, which do not exist on a build
// machine: the test moves /etc/signet, /var/lib/signet and /usr/share/signet under a fresh
// folder, makes each file the template names there, and gives the PIN as a systemd credential,
// as signetd.service's LoadCredential= does.

#define BOOST_TEST_MODULE signet_package_config_template
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "config/config.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using signet::test::read_file;
using signet::test::TempDir;
using signet::test::write_file;

// Where the package puts what the template names; anything else it names must be a file of
// another package (the PKCS#11 module).
const std::vector<std::string> packaged_roots = {"/etc/signet/", "/var/lib/signet/", "/usr/share/signet/"};
const std::string softhsm_module = "/usr/lib/softhsm/libsofthsm2.so";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

// The quoted absolute paths of the lines that are not comments.
std::vector<std::string> named_paths(const std::string& text) {
    static const std::regex assignment(R"(^\s*[a-z_0-9]+\s*=\s*"(/[^"]*)\")");
    std::vector<std::string> paths;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        std::smatch match;
        if (std::regex_search(line, match, assignment)) paths.push_back(match[1].str());
    }
    return paths;
}

struct PackagedTree {
    TempDir root{"signet-package-config"};
    std::string text = read_file(SIGNET_PACKAGED_CONFIG);

    // The template with the packaged folders moved under root, and every file it names made.
    fs::path install() {
        std::string moved = text;
        for (const auto& prefix : packaged_roots) {
            moved = replace_all(moved, "\"" + prefix, "\"" + (root.path() / prefix.substr(1)).string());
        }
        for (const auto& path : named_paths(moved)) {
            if (!path.starts_with(root.path().string())) continue;
            fs::create_directories(fs::path(path).parent_path());
            write_file(path, "x");
        }
        fs::create_directories(root / "credentials");
        write_file(root / "credentials" / "hsm-pin", "1234");
        fs::create_directories(root / "etc" / "signet");
        const fs::path file = root / "etc" / "signet" / "signetd.toml";
        write_file(file, moved);
        return file;
    }
};

BOOST_AUTO_TEST_CASE(names_only_packaged_paths) {
    PackagedTree tree;
    const auto paths = named_paths(tree.text);
    BOOST_TEST(paths.size() >= 8U);
    for (const auto& path : paths) {
        bool packaged = path == softhsm_module;
        for (const auto& prefix : packaged_roots) packaged = packaged || path.starts_with(prefix);
        BOOST_TEST(packaged, path << " is outside the packaged folders");
    }
}

BOOST_AUTO_TEST_CASE(loads_with_signetds_loader) {
    if (!fs::exists(softhsm_module)) {
        BOOST_TEST_MESSAGE("skipped: " << softhsm_module << " is not installed (softhsm2)");
        return;
    }
    PackagedTree tree;
    const fs::path file = tree.install();
    ::setenv("CREDENTIALS_DIRECTORY", (tree.root / "credentials").c_str(), 1);
    auto config = signet::config::load(file);
    ::unsetenv("CREDENTIALS_DIRECTORY");
    BOOST_REQUIRE_MESSAGE(config.has_value(), (config ? std::string() : config.error().message));

    const fs::path root = tree.root.path();
    // The PIN is the unit's credential, never a file the signet user could read.
    BOOST_TEST(config->hsm.pin_file == root / "credentials" / "hsm-pin");
    BOOST_TEST(config->hsm.module == fs::path(softhsm_module));
    BOOST_TEST(config->hsm.softhsm_conf.value_or("") == root / "etc/signet/softhsm2.conf");
    BOOST_TEST(config->hsm.token == "pkcs11:token=signet");
    // Everything signetd writes is in /var/lib/signet: /etc/signet is read-only for the service.
    BOOST_TEST(config->store.path == root / "var/lib/signet/signet.db");
    BOOST_TEST(config->audit.checkpoint_file == root / "var/lib/signet/audit-checkpoints.ndjson");
    BOOST_TEST(config->jobs.answers_folder == root / "var/lib/signet/answers");
    BOOST_TEST(config->policy.rights_matrix == root / "usr/share/signet/rights-matrix.toml");
    BOOST_TEST(config->tls.certificate == root / "etc/signet/tls/server.pem");
    BOOST_TEST(config->keys.signing_trust_anchors == root / "etc/signet/signing-ca.pem");
    // The worker is found beside signetd, not named.
    BOOST_TEST(config->limits.pdf_worker.empty());
    BOOST_TEST(config->clients.size() == 4U);
}

// Without the credential (signetd started by hand, outside its unit) the loader says so.
BOOST_AUTO_TEST_CASE(needs_the_units_credential) {
    if (!fs::exists(softhsm_module)) return;
    PackagedTree tree;
    const fs::path file = tree.install();
    ::unsetenv("CREDENTIALS_DIRECTORY");
    auto config = signet::config::load(file);
    BOOST_REQUIRE(!config.has_value());
    BOOST_TEST(config.error().message.find("CREDENTIALS_DIRECTORY") != std::string::npos);
}

}  // namespace
