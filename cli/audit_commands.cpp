#include "cli/audit_commands.hpp"

#include <fstream>
#include <iostream>

#include "audit/verify.hpp"
#include "cli/command_line.hpp"

namespace signet::daemon {

int audit_export(const std::vector<std::string>& args) {
    po::options_description options = connection_options("audit export options");
    options.add_options()("output,o", po::value<std::string>(), "write the export here instead of standard output");
    auto vm = parse("audit export", args, options, {});
    if (!vm) return 2;
    auto text = get(*vm, "/v1/audit/export");
    if (!text) {
        std::cerr << "signetctl audit export: " << text.error().message << "\n";
        return 1;
    }
    if (vm->count("output")) {
        std::ofstream out((*vm)["output"].as<std::string>(), std::ios::binary | std::ios::trunc);
        out << *text;
        if (!out.flush()) {
            std::cerr << "signetctl audit export: cannot write " << (*vm)["output"].as<std::string>() << "\n";
            return 1;
        }
    } else {
        std::cout << *text;
    }
    return 0;
}

int audit_verify(const std::vector<std::string>& args) {
    po::options_description options("audit verify options");
    options.add_options()("export", po::value<std::string>()->required(), "EXPORT")(
        "trust", po::value<std::string>()->required(), "the audit certificate (PEM)")(
        "checkpoints", po::value<std::string>(), "checkpoints kept off the machine (one per line)");
    po::positional_options_description positional;
    positional.add("export", 1);
    auto vm = parse("audit verify", args, options, positional);
    if (!vm) return 2;
    auto exported = read_whole((*vm)["export"].as<std::string>());
    auto certificate = read_whole((*vm)["trust"].as<std::string>());
    std::optional<std::string> checkpoints = std::string();
    if (vm->count("checkpoints")) checkpoints = read_whole((*vm)["checkpoints"].as<std::string>());
    if (!exported || !certificate || !checkpoints) {
        std::cerr << "signetctl audit verify: cannot read the export, the certificate or the checkpoints\n";
        return 2;
    }
    auto result = audit::verify_export(*exported, *certificate, *checkpoints);
    if (!result.intact) {
        std::cout << "NOT INTACT: " << result.problem << "\n";
        if (result.first_bad_seq) std::cout << "first bad sequence number: " << *result.first_bad_seq << "\n";
        return 1;
    }
    std::cout << "intact: " << result.entries << " entries, " << result.checkpoints
              << " checkpoints verified, anchored up to entry " << result.anchored << "\n";
    if (result.entries > result.anchored) {
        std::cout << "not yet anchored: entries " << result.anchored + 1 << " to " << result.entries
                  << " (no checkpoint covers them yet)\n";
    }
    return 0;
}

}  // namespace signet::daemon
