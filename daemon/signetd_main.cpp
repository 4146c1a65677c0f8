// signetd: wires the modules together; everything else is in the signet_daemon library.

#include <malloc.h>
#include <sys/prctl.h>

#include <iostream>

#include <boost/program_options.hpp>

#include "daemon/signetd.hpp"

int main(int argc, char** argv) {
    // The PIN, a logged-in PKCS#11 session and TOTP seeds pass through this process's memory:
    // no core file of it, however it was started (the systemd unit also sets LimitCORE=0), and
    // no reading of its memory or environment by other processes of its user.
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        std::cerr << "signetd: cannot turn core dumps off\n";
        return 1;
    }
    // Each job allocates a few buffers of its document's size. glibc's defaults mapped and
    // unmapped those above 128 KiB (a TLB shootdown on every CPU each time) and trimmed the job
    // threads' arenas after each job, so the next one faulted its pages in again: a third of a
    // 10 MB JSON seal's CPU (docs/performance.md, issue 19). Buffers up to 32 MiB (glibc's
    // largest threshold) now come back from the arenas; an arena keeps up to 64 MiB free.
    ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
    ::mallopt(M_TRIM_THRESHOLD, 64 << 20);
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
