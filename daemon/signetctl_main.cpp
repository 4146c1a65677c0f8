// signetctl: the command-line tool for operators, officers and auditors. For now it has
// dev-init; the officer and auditor commands come with their issues.

#include <iostream>
#include <string>

#include <boost/program_options.hpp>

#include "daemon/dev_init.hpp"

namespace {

namespace po = boost::program_options;

constexpr const char* usage =
    "usage: signetctl dev-init DIR --port N [--module PKCS11_LIBRARY] [--rights-matrix FILE]\n"
    "  dev-init   make a complete local installation in DIR (development, quick start, tests)\n";

int dev_init_command(const std::vector<std::string>& args) {
    po::options_description options("dev-init options");
    options.add_options()("port", po::value<unsigned>()->required(), "the port signetd will use")(
        "module", po::value<std::string>()->default_value("/usr/lib/softhsm/libsofthsm2.so"),
        "the SoftHSM PKCS#11 library")(
        "rights-matrix", po::value<std::string>()->default_value(""),
        "the rights matrix (default: the one shipped with signet)")("dir", po::value<std::string>()->required(), "DIR");
    po::positional_options_description positional;
    positional.add("dir", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "signetctl dev-init: " << e.what() << "\n" << usage;
        return 2;
    }
    unsigned port = vm["port"].as<unsigned>();
    if (port == 0 || port > 65535) {
        std::cerr << "signetctl dev-init: --port must be between 1 and 65535\n";
        return 2;
    }
    signet::daemon::DevInitOptions init{vm["dir"].as<std::string>(),
                                        static_cast<std::uint16_t>(port),
                                        vm["module"].as<std::string>(),
                                        vm["rights-matrix"].as<std::string>()};
    if (auto done = signet::daemon::dev_init(init); !done) {
        std::cerr << "signetctl dev-init: " << done.error().message << "\n";
        return 1;
    }
    std::cout << "signetctl dev-init: made " << init.dir.string()
              << "; start the daemon with: signetd --config "
              << (init.dir / "signetd.toml").string() << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        std::cout << usage;
        return argc < 2 ? 2 : 0;
    }
    std::string command = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    if (command == "dev-init") return dev_init_command(args);
    std::cerr << "signetctl: unknown command '" << command << "'\n" << usage;
    return 2;
}
