// signetctl audit export and audit verify: the auditor's copy of the key-usage log, and its
// verification offline.

#include <fstream>
#include <iostream>

#include "audit/verify.hpp"
#include "cli/commands/command_groups.hpp"

namespace signet::daemon {
namespace {

int audit_export(const std::vector<std::string>& args) {
    po::options_description options("audit export options");
    options.add_options()("output,o", po::value<std::string>(), "write the export here instead of standard output");
    options.add(connection_options());
    auto vm = parse("audit export", args, options);
    if (!vm) return vm.error();
    auto reply = send(*vm, {.method = "GET", .url = "/v1/audit/export"});
    if (!reply) return complain("audit export", reply.error().message, exit_failed);
    if (reply->status != 200) return complain("audit export", reply_error(*reply), exit_failed);
    if (!vm->count("output")) {
        std::cout << reply->body;
        return 0;
    }
    const std::string file = (*vm)["output"].as<std::string>();
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << reply->body;
    if (!out.flush()) return complain("audit export", "cannot write " + file, exit_failed);
    return 0;
}

int audit_verify(const std::vector<std::string>& args) {
    po::options_description options("audit verify options");
    options.add_options()("trust", po::value<std::string>()->required(),
                          "the audit certificates (PEM; before and after a rotation)")(
        "checkpoints", po::value<std::string>(), "checkpoints kept off the machine (one per line)");
    auto vm = parse("audit verify", args, options, {{"export", "EXPORT"}});
    if (!vm) return vm.error();
    // Each file named, read whole; checkpoints are optional.
    std::string texts[3];
    const char* files[] = {"export", "trust", "checkpoints"};
    for (int i = 0; i < 3; ++i) {
        if (!vm->count(files[i])) continue;
        const std::string path = (*vm)[files[i]].as<std::string>();
        auto text = read_whole(path);
        if (!text) return complain("audit verify", "cannot read " + path, exit_usage);
        texts[i] = std::move(*text);
    }
    auto result = audit::verify_export(texts[0], texts[1], texts[2]);
    if (!result.intact) {
        std::cout << "NOT INTACT: " << result.problem << "\n";
        if (result.first_bad_seq) std::cout << "first bad sequence number: " << *result.first_bad_seq << "\n";
        return exit_failed;
    }
    std::cout << "intact: " << result.entries << " entries, " << result.checkpoints
              << " checkpoints verified, anchored up to entry " << result.anchored << "\n";
    if (result.entries > result.anchored) {
        std::cout << "not yet anchored: entries " << result.anchored + 1 << " to " << result.entries
                  << " (no checkpoint covers them yet)\n";
    }
    return 0;
}

}  // namespace

std::vector<Command> audit_commands() {
    return {{"audit export", "[-o FILE] CONNECTION",
             "fetch the key-usage log and its checkpoints, as JSON lines (auditor certificate)",
             "signetctl audit export -o audit.jsonl --url https://127.0.0.1:8443 --cacert pki/tls-ca.pem "
             "--cert pki/auditor.pem --key pki/auditor.key",
             audit_export},
            {"audit verify", "EXPORT --trust AUDIT_CERT [--checkpoints FILE]",
             "check an export offline: the hash chain, every checkpoint's HSM signature; exit 0 only for an "
             "intact log",
             "signetctl audit verify audit.jsonl --trust audit-certificates.pem --checkpoints kept-checkpoints.txt",
             audit_verify}};
}

}  // namespace signet::daemon
