// signetctl keys: the officers' key life cycle (list, generate, import-cert, activate, retire,
// destroy), through a running signetd or, before its first start, on its token and database.

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands/command_groups.hpp"
#include "cli/commands/install_commands.hpp"

namespace signet::daemon {

namespace {

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

int keys_generate(const std::vector<std::string>& args) {
    po::options_description options = ceremony_options("keys generate options");
    options.add_options()("purpose", po::value<std::string>()->required(), "seal, audit, tsa or guest-ca")(
        "algorithm", po::value<std::string>()->required(), "rsa-3072, rsa-4096, ec-p256 or ec-p384")(
        "label", po::value<std::string>()->required(), "the key's label, also the request's CN")(
        "organization", po::value<std::string>(), "O of the request's subject")(
        "csr", po::value<std::string>()->required(), "where to write the certification request (PEM)");
    auto vm = parse("keys generate", args, options);
    if (!vm) return vm.error();
    nlohmann::json body{{"purpose", (*vm)["purpose"].as<std::string>()},
                        {"algorithm", (*vm)["algorithm"].as<std::string>()},
                        {"label", (*vm)["label"].as<std::string>()}};
    if (vm->count("organization")) body["organization"] = (*vm)["organization"].as<std::string>();
    auto answer = submit("keys generate", *vm, "POST", "/v1/keys", body.dump(),
                       [&body](FirstKeys& keys, const std::string& officer) {
                           return keys.generate(officer, body.dump());
                       });
    if (!answer) return exit_failed;
    const nlohmann::json& made = answer->json;
    const std::string csr_file = (*vm)["csr"].as<std::string>();
    std::ofstream out(csr_file, std::ios::binary | std::ios::trunc);
    out << made["csr"].get<std::string>();
    if (!out.flush()) {
        std::cerr << "signetctl keys generate: key " << made["key_id"].get<std::string>()
                  << " was made but its request cannot be written to " << csr_file << "\n";
        return exit_failed;
    }
    if (json_output(*vm)) {
        std::cout << answer->body << "\n";
        return 0;
    }
    std::cout << "key " << made["key_id"].get<std::string>() << " generated in the HSM (pending); "
              << "certification request written to " << csr_file << "\n";
    return 0;
}

int keys_import_cert(const std::vector<std::string>& args) {
    po::options_description options = ceremony_options("keys import-cert options");
    options.add_options()("certificate", po::value<std::string>()->required(), "the issued certificate (PEM)")(
        "chain", po::value<std::string>(), "its issuing CA certificates (PEM, issuer first)");
    auto vm = parse("keys import-cert", args, options, {{"key-id", "KEY_ID"}});
    if (!vm) return vm.error();
    auto certificate = read_whole((*vm)["certificate"].as<std::string>());
    std::optional<std::string> chain = std::string();
    if (vm->count("chain")) chain = read_whole((*vm)["chain"].as<std::string>());
    if (!certificate) return complain("keys import-cert", "cannot read " + (*vm)["certificate"].as<std::string>(), exit_usage);
    if (!chain) return complain("keys import-cert", "cannot read " + (*vm)["chain"].as<std::string>(), exit_usage);
    nlohmann::json body{{"certificate", *certificate}, {"chain", split_pem(*chain)}};
    const std::string key = (*vm)["key-id"].as<std::string>();
    auto imported = submit("keys import-cert", *vm, "PUT", "/v1/keys/" + key + "/certificate", body.dump(),
                           [&](FirstKeys& keys, const std::string& officer) {
                               return keys.import_certificate(officer, key, body.dump());
                           });
    if (!imported) return exit_failed;
    if (json_output(*vm)) {
        std::cout << imported->body << "\n";
        return 0;
    }
    std::cout << "key " << key << " is ready: certificate " << imported->json["certificate_sha256"].get<std::string>()
              << " valid until " << imported->json["not_after"].get<std::string>() << "\n";
    return 0;
}

int keys_change(const std::string& change, const std::vector<std::string>& args) {
    const std::string command = "keys " + change;
    auto vm = parse(command, args, ceremony_options(command + " options"), {{"key-id", "KEY_ID"}});
    if (!vm) return vm.error();
    const std::string key = (*vm)["key-id"].as<std::string>();
    const std::string approver = vm->count("approver") ? (*vm)["approver"].as<std::string>() : "";
    auto answer = submit(command, *vm, "POST", "/v1/keys/" + key + "/" + change, "",
                       [&](FirstKeys& keys, const std::string& officer) -> Result<JsonReply> {
                           if (change != "activate" || approver.empty()) {
                               return fail(Errc::bad_request,
                                                   "at installation (--config) only activate is done, with --approver");
                           }
                           return keys.activate(officer, approver, key);
                       });
    if (!answer) return exit_failed;
    if (json_output(*vm)) {
        std::cout << answer->body << "\n";
        return 0;
    }
    const nlohmann::json& done = answer->json;
    if (done.contains("expires_at")) {  // requested; a second officer completes it
        std::cout << "approval " << done["approval_id"].get<std::int64_t>() << " requested: " << change << " key "
                  << key << "; a second officer completes it before " << done["expires_at"].get<std::string>()
                  << " with: signetctl approvals approve " << done["approval_id"].get<std::int64_t>() << "\n";
    } else {
        std::cout << "key " << key << " is " << done["state"].get<std::string>() << "\n";
    }
    return 0;
}

int keys_list(const std::vector<std::string>& args) {
    auto vm = parse("keys list", args, connection_options());
    if (!vm) return vm.error();
    auto answer = call("keys list", *vm, "GET", "/v1/keys");
    if (!answer) return exit_failed;
    if (json_output(*vm)) {
        std::cout << answer->body << "\n";
        return 0;
    }
    const nlohmann::json& body = answer->json;
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

}  // namespace

std::vector<Command> keys_commands() {
    const std::string at = "signetctl keys ";
    const std::string connection = " --url https://127.0.0.1:8443 --cacert pki/tls-ca.pem --cert pki/officer.pem "
                                   "--key pki/officer.key";
    auto change = [](std::string name) {
        return [name](const std::vector<std::string>& args) { return keys_change(name, args); };
    };
    return {
        {"keys list", "CONNECTION", "the key inventory: every key, its purpose, state, certificate and uses (officer or "
                                    "auditor certificate)",
         at + "list" + connection, keys_list},
        {"keys generate",
         "--purpose seal|audit|tsa|guest-ca --algorithm ALG --label LABEL [--organization O] --csr FILE "
         "CONNECTION | --config SIGNETD_TOML --officer NAME",
         "make a key pair in the HSM (pending) and write its certification request; ALG is rsa-3072, rsa-4096, "
         "ec-p256 or ec-p384 (officer certificate, or the installation ceremony with --config)",
         at + "generate --purpose seal --algorithm rsa-3072 --label \"Cachet 2027\" --organization \"Ordre\" "
              "--csr seal-2027.csr" + connection,
         keys_generate},
        {"keys import-cert", "KEY_ID --certificate FILE [--chain FILE] CONNECTION | --config SIGNETD_TOML --officer NAME",
         "attach the CA's certificate to a pending key, after every check of an import (officer certificate)",
         at + "import-cert 5d1c0a9e --certificate seal-2027.pem --chain signing-ca.pem" + connection, keys_import_cert},
        {"keys activate", "KEY_ID CONNECTION | --config SIGNETD_TOML --officer NAME --approver NAME",
         "make a ready key the active one of its purpose; a second officer approves (dual control)",
         at + "activate 5d1c0a9e" + connection, change("activate")},
        {"keys retire", "KEY_ID CONNECTION", "stop using a key that is not the active seal, audit or TSA key; a "
                                             "second officer approves",
         at + "retire 5d1c0a9e" + connection, change("retire")},
        {"keys destroy", "KEY_ID CONNECTION", "destroy a key that is not active in the HSM; a second officer approves",
         at + "destroy 5d1c0a9e" + connection, change("destroy")},
    };
}

}  // namespace signet::daemon
