#include "cli/install_commands.hpp"

#include <cstdint>
#include <iostream>

#include "devpki/dev_init.hpp"

namespace signet::daemon {

int dev_init_command(const std::vector<std::string>& args) {
    po::options_description options("dev-init options");
    options.add_options()("port", po::value<unsigned>()->required(), "the port signetd will use")(
        "module", po::value<std::string>()->default_value("/usr/lib/softhsm/libsofthsm2.so"),
        "the SoftHSM PKCS#11 library")(
        "rights-matrix", po::value<std::string>()->default_value(""),
        "the rights matrix (default: the one shipped with signet)")(
        "tsa-algorithm", po::value<std::string>()->default_value("rsa-3072"), "the TSA key's algorithm")(
        "dir", po::value<std::string>()->required(), "DIR");
    po::positional_options_description positional;
    positional.add("dir", 1);
    auto parsed = parse("dev-init", args, options, positional);
    if (!parsed) return 2;
    const po::variables_map& vm = *parsed;
    unsigned port = vm["port"].as<unsigned>();
    if (port == 0 || port > 65535) {
        std::cerr << "signetctl dev-init: --port must be between 1 and 65535\n";
        return 2;
    }
    auto tsa_algorithm = hsm::parse_key_algorithm(vm["tsa-algorithm"].as<std::string>());
    if (!tsa_algorithm) {
        std::cerr << "signetctl dev-init: --tsa-algorithm: " << tsa_algorithm.error().message << "\n";
        return 2;
    }
    DevInitOptions init{vm["dir"].as<std::string>(), static_cast<std::uint16_t>(port), vm["module"].as<std::string>(),
                        vm["rights-matrix"].as<std::string>(), *tsa_algorithm};
    if (auto done = dev_init(init); !done) {
        std::cerr << "signetctl dev-init: " << done.error().message << "\n";
        return 1;
    }
    std::cout << "signetctl dev-init: made " << init.dir.string()
              << "; start the daemon with: signetd --config "
              << (init.dir / "signetd.toml").string() << "\n";
    return 0;
}

po::options_description ceremony_options(const std::string& title) {
    po::options_description options(title);
    options.add_options()("url", po::value<std::string>(), "signetd's base URL")(
        "cacert", po::value<std::string>(), "the TLS CA")("cert", po::value<std::string>(), "the client certificate")(
        "key", po::value<std::string>(), "its private key")(
        "config", po::value<std::string>(), "installation only, signetd stopped: its configuration file")(
        "officer", po::value<std::string>(), "with --config: the officer acting")(
        "approver", po::value<std::string>(), "with --config, for activate: the second officer, approving");
    return options;
}

std::optional<nlohmann::json> submit(const std::string& command, const po::variables_map& vm, const std::string& method,
                                     const std::string& path, const std::string& body, const Offline& act) {
    if (!vm.count("config")) {
        for (const char* name : {"url", "cacert", "cert", "key"}) {
            if (!vm.count(name)) {
                std::cerr << "signetctl " << command << ": --" << name
                          << " is required (or, at installation, --config and --officer)\n";
                return std::nullopt;
            }
        }
        return call(command, vm, method, path, body);
    }
    if (!vm.count("officer") || vm.count("url")) {
        std::cerr << "signetctl " << command << ": --config takes --officer, and no connection options\n";
        return std::nullopt;
    }
    auto keys = FirstKeys::open(vm["config"].as<std::string>());
    auto reply = keys ? act(**keys, vm["officer"].as<std::string>()) : std::unexpected(keys.error());
    if (!reply) {
        std::cerr << "signetctl " << command << ": " << reply.error().message << "\n";
        return std::nullopt;
    }
    return reply->body;
}

}  // namespace signet::daemon
