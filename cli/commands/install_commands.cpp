// signetctl dev-init and dev-crl (a development installation and its CRLs), and the
// installation ceremony's form of the keys commands.

#include "cli/commands/install_commands.hpp"

#include <cstdint>
#include <iostream>

#include "cli/commands/command_groups.hpp"
#include "devpki/dev_init.hpp"

namespace signet::daemon {
namespace {

int dev_init_command(const std::vector<std::string>& args) {
    po::options_description options("dev-init options");
    options.add_options()("port", po::value<unsigned>()->required(), "the port signetd will use")(
        "module", po::value<std::string>()->default_value("/usr/lib/softhsm/libsofthsm2.so"),
        "the SoftHSM PKCS#11 library")(
        "rights-matrix", po::value<std::string>()->default_value(""),
        "the rights matrix (default: the one shipped with signet)")(
        "tsa-algorithm", po::value<std::string>()->default_value("rsa-3072"), "the TSA key's algorithm")(
        "ocsp-url", po::value<std::string>()->default_value(""), "the OCSP responder named in the signing certificates")(
        "crl-url", po::value<std::string>()->default_value(""), "the CRL distribution point named in them")(
        "store-url", po::value<std::string>()->default_value(""), "a PostgreSQL store instead of DIR/signet.db")(
        "store-password-file", po::value<std::string>()->default_value(""), "the PostgreSQL password's file");
    auto parsed = parse("dev-init", args, options, {{"dir", "DIR"}});
    if (!parsed) return parsed.error();
    const po::variables_map& vm = *parsed;
    unsigned port = vm["port"].as<unsigned>();
    if (port == 0 || port > 65535) {
        std::cerr << "signetctl dev-init: --port must be between 1 and 65535\n";
        return exit_usage;
    }
    auto tsa_algorithm = hsm::parse_key_algorithm(vm["tsa-algorithm"].as<std::string>());
    if (!tsa_algorithm) {
        std::cerr << "signetctl dev-init: --tsa-algorithm: " << tsa_algorithm.error().message << "\n";
        return exit_usage;
    }
    DevInitOptions init{vm["dir"].as<std::string>(), static_cast<std::uint16_t>(port), vm["module"].as<std::string>(),
                        vm["rights-matrix"].as<std::string>(), *tsa_algorithm, vm["ocsp-url"].as<std::string>(),
                        vm["crl-url"].as<std::string>(), vm["store-url"].as<std::string>(),
                        vm["store-password-file"].as<std::string>()};
    const std::string& store_url = init.store_url;
    if (store_url.empty() != init.store_password_file.empty() ||
        (!store_url.empty() && (!store_url.starts_with("postgresql://") ||
                                store_url.find_first_of(" \t\r\n\"\\") != std::string::npos))) {
        std::cerr << "signetctl dev-init: --store-url postgresql://USER@HOST:PORT/DB goes with --store-password-file\n";
        return exit_usage;
    }
    for (const char* flag : {"ocsp-url", "crl-url"}) {
        const std::string& url = vm[flag].as<std::string>();
        // Relying parties fetch these over plain http (RFC 5019 §5, RFC 5280 §4.2.1.13): the
        // answers are signed, and https would need revocation data of its own.
        if (!url.empty() && (!url.starts_with("http://") || url.size() > 512 ||
                             url.find_first_of(" \t\r\n,") != std::string::npos)) {
            std::cerr << "signetctl dev-init: --" << flag << " must be an http:// URL without spaces or commas\n";
            return exit_usage;
        }
    }
    if (auto done = dev_init(init); !done) {
        std::cerr << "signetctl dev-init: " << done.error().message << "\n";
        return exit_failed;
    }
    std::cout << "signetctl dev-init: made " << init.dir.string()
              << "; start the daemon with: signetd --config "
              << (init.dir / "signetd.toml").string() << "\n";
    return 0;
}

int dev_crl_command(const std::vector<std::string>& args) {
    po::options_description options("dev-crl options");
    options.add_options()("revoke", po::value<std::vector<std::string>>()->default_value({}, ""),
                          "a certificate (PEM) to list as revoked")(
        "days", po::value<unsigned>()->default_value(30), "the new CRL's validity");
    auto parsed = parse("dev-crl", args, options, {{"dir", "DIR"}});
    if (!parsed) return parsed.error();
    const po::variables_map& vm = *parsed;
    const unsigned days = vm["days"].as<unsigned>();
    if (days == 0 || days > 3650) {
        std::cerr << "signetctl dev-crl: --days must be between 1 and 3650\n";
        return exit_usage;
    }
    DevCrlOptions crl{vm["dir"].as<std::string>(), {}, std::chrono::days(days)};
    for (const std::string& file : vm["revoke"].as<std::vector<std::string>>()) crl.revoke.emplace_back(file);
    auto done = dev_crl(crl);
    if (!done) {
        std::cerr << "signetctl dev-crl: " << done.error().message << "\n";
        return exit_failed;
    }
    std::cout << "signetctl dev-crl: " << (crl.dir / "pki" / "signing-ca.crl").string() << " lists " << *done
              << " revoked certificate(s)\n";
    return 0;
}

}  // namespace

po::options_description ceremony_options(const std::string& title) {
    po::options_description ceremony("installation ceremony, signetd stopped (instead of the connection)");
    ceremony.add_options()("config", po::value<std::string>(), "signetd's configuration file")(
        "officer", po::value<std::string>(), "the officer acting")(
        "approver", po::value<std::string>(), "for activate: the second officer, approving");
    po::options_description options(title);
    options.add(ceremony).add(connection_options());
    return options;
}

std::optional<Answer> submit(const std::string& command, const po::variables_map& vm, const std::string& method,
                             const std::string& path, const std::string& body, const Offline& act) {
    if (!vm.count("config")) return call(command, vm, method, path, body);
    auto keys = FirstKeys::open(vm["config"].as<std::string>());
    auto reply = keys ? act(**keys, vm["officer"].as<std::string>()) : std::unexpected(keys.error());
    if (!reply) {
        complain(command, reply.error().message, exit_failed);
        return std::nullopt;
    }
    return Answer{reply->body, reply->body.dump()};
}

std::vector<Command> install_commands() {
    return {{"dev-init",
             "DIR --port N [--module PKCS11_LIBRARY] [--rights-matrix FILE] [--tsa-algorithm ALG] [--ocsp-url URL] "
             "[--crl-url URL] [--store-url postgresql://USER@HOST:PORT/DB --store-password-file FILE]",
             "make a complete local installation in DIR for development, the quick start and tests: TLS PKI, a "
             "signing CA, a SoftHSM token with the seal, audit and TSA keys, the database, signetd.toml",
             "signetctl dev-init /tmp/signet --port 8443", dev_init_command},
            {"dev-crl", "DIR [--revoke CERT.pem]... [--days N]",
             "issue the next CRL of DIR's development signing CA (DIR/pki/signing-ca.crl), keeping its entries and "
             "revoking each CERT.pem",
             "signetctl dev-crl /tmp/signet --revoke /tmp/signet/pki/seal.pem", dev_crl_command}};
}

}  // namespace signet::daemon
