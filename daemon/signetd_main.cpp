// signetd: wires the modules together; everything else is in the signet_daemon library.

#include <iostream>

#include <boost/program_options.hpp>

#include "daemon/signetd.hpp"

int main(int argc, char** argv) {
    namespace po = boost::program_options;
    po::options_description options("signetd options");
    options.add_options()("help,h", "show this help")(
        "config,c", po::value<std::string>()->required(), "the configuration file (TOML)");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, options), vm);
        if (vm.count("help") != 0) {
            std::cout << "usage: signetd --config FILE\n" << options;
            return 0;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "signetd: " << e.what() << "\nusage: signetd --config FILE\n";
        return 2;
    }
    return signet::daemon::run_signetd(vm["config"].as<std::string>());
}
