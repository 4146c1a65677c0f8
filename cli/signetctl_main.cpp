// signetctl: the command-line tool for operators, officers and auditors: dev-init, the
// officers' key lifecycle and approvals, and the auditor's export and offline verification of
// the key-usage log.

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "audit/verify.hpp"
#include "cli/first_keys.hpp"
#include "devpki/dev_init.hpp"
#include "cli/https_client.hpp"

namespace {

namespace po = boost::program_options;

constexpr const char* usage =
    "usage: signetctl dev-init DIR --port N [--module PKCS11_LIBRARY] [--rights-matrix FILE]\n"
    "       signetctl audit export --url https://HOST:PORT --cacert CA --cert CERT --key KEY [-o FILE]\n"
    "       signetctl audit verify EXPORT --trust AUDIT_CERT [--checkpoints FILE]\n"
    "       signetctl keys list CONNECTION\n"
    "       signetctl keys generate CONNECTION --purpose seal|audit --algorithm ALG --label LABEL\n"
    "                 [--organization O] --csr FILE\n"
    "       signetctl keys import-cert KEY_ID CONNECTION --certificate FILE [--chain FILE]\n"
    "       signetctl keys activate|retire|destroy KEY_ID CONNECTION\n"
    "       signetctl keys generate|import-cert|activate ... --config SIGNETD_TOML --officer NAME [--approver NAME]\n"
    "                 the installation ceremony, before signetd's first start: the first seal and audit\n"
    "                 keys on the configured token and database (activate needs a second officer)\n"
    "       signetctl approvals list CONNECTION\n"
    "       signetctl approvals approve APPROVAL_ID CONNECTION\n"
    "  CONNECTION is --url https://HOST:PORT --cacert CA --cert CERT --key KEY\n"
    "  dev-init      make a complete local installation in DIR (development, quick start, tests)\n"
    "  audit export  fetch the key-usage log and its checkpoints (auditor certificate)\n"
    "  audit verify  check an export offline: exit 0 only for an intact log; --trust may hold\n"
    "                several audit certificates (before and after an audit key rotation)\n"
    "  keys list     the key inventory (officer or auditor certificate)\n"
    "  keys ...      key lifecycle (officer certificate); ALG is rsa-3072, rsa-4096, ec-p256 or ec-p384\n"
    "  approvals     the dual-control requests a second officer completes\n";

// Parses `args` against `options`; positional names in order. nullopt after printing the error.
std::optional<po::variables_map> parse(const std::string& command, const std::vector<std::string>& args,
                                       const po::options_description& options,
                                       const po::positional_options_description& positional) {
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "signetctl " << command << ": " << e.what() << "\n" << usage;
        return std::nullopt;
    }
    return vm;
}

std::optional<std::string> read_whole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The options every command that calls signetd takes.
po::options_description connection_options(const char* title) {
    po::options_description options(title);
    options.add_options()("url", po::value<std::string>()->required(), "signetd's base URL")(
        "cacert", po::value<std::string>()->required(), "the TLS CA")(
        "cert", po::value<std::string>()->required(), "the client certificate")(
        "key", po::value<std::string>()->required(), "its private key");
    return options;
}

signet::Result<std::string> get(const po::variables_map& vm, const std::string& path) {
    signet::daemon::ClientCredentials credentials{vm["cacert"].as<std::string>(), vm["cert"].as<std::string>(),
                                                  vm["key"].as<std::string>()};
    return signet::daemon::https_get(vm["url"].as<std::string>() + path, credentials);
}

signet::daemon::ClientCredentials credentials_of(const po::variables_map& vm) {
    return {vm["cacert"].as<std::string>(), vm["cert"].as<std::string>(), vm["key"].as<std::string>()};
}

// One API call for `command`; the JSON answer of a 2xx, else nullopt after printing why.
std::optional<nlohmann::json> call(const std::string& command, const po::variables_map& vm, const std::string& method,
                                   const std::string& path, const std::string& body = "") {
    auto reply = signet::daemon::https_call(method, vm["url"].as<std::string>() + path, body, credentials_of(vm));
    if (!reply) {
        std::cerr << "signetctl " << command << ": " << reply.error().message << "\n";
        return std::nullopt;
    }
    if (reply->status < 200 || reply->status > 299) {
        std::cerr << "signetctl " << command << ": " << signet::daemon::reply_error(*reply) << "\n";
        return std::nullopt;
    }
    auto parsed = nlohmann::json::parse(reply->body, nullptr, false);
    if (!parsed.is_object()) {
        std::cerr << "signetctl " << command << ": signetd's answer is not JSON\n";
        return std::nullopt;
    }
    return parsed;
}

// What the installation ceremony's commands (keys generate, import-cert, activate) take:
// CONNECTION, or --config and --officer to act on signetd's token and database directly
// before its first start (first_keys.hpp).
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

using Offline = std::function<signet::Result<signet::daemon::JsonReply>(signet::daemon::FirstKeys&, const std::string&)>;

// The API call, or with --config its offline counterpart `act`.
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
    auto keys = signet::daemon::FirstKeys::open(vm["config"].as<std::string>());
    auto reply = keys ? act(**keys, vm["officer"].as<std::string>()) : std::unexpected(keys.error());
    if (!reply) {
        std::cerr << "signetctl " << command << ": " << reply.error().message << "\n";
        return std::nullopt;
    }
    return reply->body;
}

// Connection options plus a first positional argument named `name`.
std::optional<po::variables_map> parse_with_id(const std::string& command, const std::vector<std::string>& args,
                                               po::options_description options, const char* name) {
    options.add_options()(name, po::value<std::string>()->required(), name);
    po::positional_options_description positional;
    positional.add(name, 1);
    return parse(command, args, options, positional);
}

int keys_generate(const std::vector<std::string>& args) {
    po::options_description options = ceremony_options("keys generate options");
    options.add_options()("purpose", po::value<std::string>()->required(), "seal or audit")(
        "algorithm", po::value<std::string>()->required(), "rsa-3072, rsa-4096, ec-p256 or ec-p384")(
        "label", po::value<std::string>()->required(), "the key's label, also the request's CN")(
        "organization", po::value<std::string>(), "O of the request's subject")(
        "csr", po::value<std::string>()->required(), "where to write the certification request (PEM)");
    auto vm = parse("keys generate", args, options, {});
    if (!vm) return 2;
    nlohmann::json body{{"purpose", (*vm)["purpose"].as<std::string>()},
                        {"algorithm", (*vm)["algorithm"].as<std::string>()},
                        {"label", (*vm)["label"].as<std::string>()}};
    if (vm->count("organization")) body["organization"] = (*vm)["organization"].as<std::string>();
    auto made = submit("keys generate", *vm, "POST", "/v1/keys", body.dump(),
                       [&body](signet::daemon::FirstKeys& keys, const std::string& officer) {
                           return keys.generate(officer, body.dump());
                       });
    if (!made) return 1;
    const std::string csr_file = (*vm)["csr"].as<std::string>();
    std::ofstream out(csr_file, std::ios::binary | std::ios::trunc);
    out << (*made)["csr"].get<std::string>();
    if (!out.flush()) {
        std::cerr << "signetctl keys generate: key " << (*made)["key_id"].get<std::string>()
                  << " was made but its request cannot be written to " << csr_file << "\n";
        return 1;
    }
    std::cout << "key " << (*made)["key_id"].get<std::string>() << " generated in the HSM (pending); "
              << "certification request written to " << csr_file << "\n";
    return 0;
}

// The PEM certificates of a file, one text each.
std::vector<std::string> split_pem(const std::string& text) {
    std::vector<std::string> out;
    const std::string end = "-----END CERTIFICATE-----";
    for (std::size_t at = 0;;) {
        auto begin = text.find("-----BEGIN CERTIFICATE-----", at);
        if (begin == std::string::npos) break;
        auto stop = text.find(end, begin);
        if (stop == std::string::npos) break;
        out.push_back(text.substr(begin, stop + end.size() - begin) + "\n");
        at = stop + end.size();
    }
    return out;
}

int keys_import_cert(const std::vector<std::string>& args) {
    po::options_description options = ceremony_options("keys import-cert options");
    options.add_options()("certificate", po::value<std::string>()->required(), "the issued certificate (PEM)")(
        "chain", po::value<std::string>(), "its issuing CA certificates (PEM, issuer first)");
    auto vm = parse_with_id("keys import-cert", args, options, "key-id");
    if (!vm) return 2;
    auto certificate = read_whole((*vm)["certificate"].as<std::string>());
    std::optional<std::string> chain = std::string();
    if (vm->count("chain")) chain = read_whole((*vm)["chain"].as<std::string>());
    if (!certificate || !chain) {
        std::cerr << "signetctl keys import-cert: cannot read the certificate or the chain file\n";
        return 2;
    }
    nlohmann::json body{{"certificate", *certificate}, {"chain", split_pem(*chain)}};
    const std::string key = (*vm)["key-id"].as<std::string>();
    auto imported = submit("keys import-cert", *vm, "PUT", "/v1/keys/" + key + "/certificate", body.dump(),
                           [&](signet::daemon::FirstKeys& keys, const std::string& officer) {
                               return keys.import_certificate(officer, key, body.dump());
                           });
    if (!imported) return 1;
    std::cout << "key " << key << " is ready: certificate " << (*imported)["certificate_sha256"].get<std::string>()
              << " valid until " << (*imported)["not_after"].get<std::string>() << "\n";
    return 0;
}

int keys_change(const std::string& change, const std::vector<std::string>& args) {
    const std::string command = "keys " + change;
    auto vm = parse_with_id(command, args, ceremony_options(command + " options"), "key-id");
    if (!vm) return 2;
    const std::string key = (*vm)["key-id"].as<std::string>();
    const std::string approver = vm->count("approver") ? (*vm)["approver"].as<std::string>() : "";
    auto done = submit(command, *vm, "POST", "/v1/keys/" + key + "/" + change, "",
                       [&](signet::daemon::FirstKeys& keys, const std::string& officer) -> signet::Result<signet::daemon::JsonReply> {
                           if (change != "activate" || approver.empty()) {
                               return signet::fail(signet::Errc::bad_request,
                                                   "at installation (--config) only activate is done, with --approver");
                           }
                           return keys.activate(officer, approver, key);
                       });
    if (!done) return 1;
    if (done->contains("expires_at")) {  // requested; a second officer completes it
        std::cout << "approval " << (*done)["approval_id"].get<std::int64_t>() << " requested: " << change << " key "
                  << key << "; a second officer completes it before " << (*done)["expires_at"].get<std::string>()
                  << " with: signetctl approvals approve " << (*done)["approval_id"].get<std::int64_t>() << "\n";
    } else {
        std::cout << "key " << key << " is " << (*done)["state"].get<std::string>() << "\n";
    }
    return 0;
}

int approvals_list(const std::vector<std::string>& args) {
    auto vm = parse("approvals list", args, connection_options("approvals list options"), {});
    if (!vm) return 2;
    auto listed = call("approvals list", *vm, "GET", "/v1/approvals");
    if (!listed) return 1;
    std::printf("%-6s  %-9s  %-32s  %-8s  %-16s  %-20s  %s\n", "ID", "CHANGE", "KEY ID", "PURPOSE", "REQUESTED BY",
                "EXPIRES AT", "STATE");
    for (const auto& item : (*listed)["approvals"]) {
        std::printf("%-6lld  %-9s  %-32s  %-8s  %-16s  %-20s  %s\n",
                    static_cast<long long>(item["approval_id"].get<std::int64_t>()),
                    item["change"].get<std::string>().c_str(), item["key_id"].get<std::string>().c_str(),
                    item["purpose"].get<std::string>().c_str(), item["requested_by"].get<std::string>().c_str(),
                    item["expires_at"].get<std::string>().c_str(), item["state"].get<std::string>().c_str());
    }
    return 0;
}

int approvals_approve(const std::vector<std::string>& args) {
    auto vm = parse_with_id("approvals approve", args, connection_options("approvals approve options"), "approval-id");
    if (!vm) return 2;
    auto done = call("approvals approve", *vm, "POST", "/v1/approvals/" + (*vm)["approval-id"].as<std::string>() + "/approve");
    if (!done) return 1;
    std::cout << "approved: key " << (*done)["key_id"].get<std::string>() << " is " << (*done)["state"].get<std::string>();
    if (done->contains("retired")) std::cout << "; key " << (*done)["retired"].get<std::string>() << " is retired";
    std::cout << "\n";
    return 0;
}

int keys_list(const std::vector<std::string>& args) {
    auto vm = parse("keys list", args, connection_options("keys list options"), {});
    if (!vm) return 2;
    auto text = get(*vm, "/v1/keys");
    auto body = text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
    if (!text || !body.is_object()) {
        std::cerr << "signetctl keys list: " << (text ? "signetd's answer is not JSON" : text.error().message) << "\n";
        return 1;
    }
    auto field = [](const nlohmann::json& key, const char* name) {
        return key[name].is_null() ? std::string("-") : key[name].is_string() ? key[name].get<std::string>() : key[name].dump();
    };
    std::printf("%-32s  %-8s  %-9s  %-20s  %6s  %s\n", "KEY ID", "PURPOSE", "STATE", "NOT AFTER", "USES", "SUBJECT");
    for (const auto& key : body["keys"]) {
        std::printf("%-32s  %-8s  %-9s  %-20s  %6s  %s\n", field(key, "key_id").c_str(), field(key, "purpose").c_str(),
                    field(key, "state").c_str(), field(key, "not_after").c_str(), field(key, "uses").c_str(),
                    field(key, "subject").c_str());
    }
    return 0;
}

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
    auto result = signet::audit::verify_export(*exported, *certificate, *checkpoints);
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

int dev_init_command(const std::vector<std::string>& args) {
    po::options_description options("dev-init options");
    options.add_options()("port", po::value<unsigned>()->required(), "the port signetd will use")(
        "module", po::value<std::string>()->default_value("/usr/lib/softhsm/libsofthsm2.so"),
        "the SoftHSM PKCS#11 library")(
        "rights-matrix", po::value<std::string>()->default_value(""),
        "the rights matrix (default: the one shipped with signet)")("dir", po::value<std::string>()->required(), "DIR");
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
    if (command == "audit" && !args.empty() && args[0] == "export") return audit_export({args.begin() + 1, args.end()});
    if (command == "audit" && !args.empty() && args[0] == "verify") return audit_verify({args.begin() + 1, args.end()});
    const std::string sub = args.empty() ? "" : args[0];
    const std::vector<std::string> rest = args.empty() ? args : std::vector<std::string>(args.begin() + 1, args.end());
    if (command == "keys" && sub == "list") return keys_list(rest);
    if (command == "keys" && sub == "generate") return keys_generate(rest);
    if (command == "keys" && sub == "import-cert") return keys_import_cert(rest);
    if (command == "keys" && (sub == "activate" || sub == "retire" || sub == "destroy")) return keys_change(sub, rest);
    if (command == "approvals" && sub == "list") return approvals_list(rest);
    if (command == "approvals" && sub == "approve") return approvals_approve(rest);
    std::cerr << "signetctl: unknown command '" << command << "'\n" << usage;
    return 2;
}
