#include "cli/keys_commands.hpp"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/command_line.hpp"
#include "cli/install_commands.hpp"

namespace signet::daemon {

namespace {

// Connection options plus a first positional argument named `name`.
std::optional<po::variables_map> parse_with_id(const std::string& command, const std::vector<std::string>& args,
                                               po::options_description options, const char* name) {
    options.add_options()(name, po::value<std::string>()->required(), name);
    po::positional_options_description positional;
    positional.add(name, 1);
    return parse(command, args, options, positional);
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

}  // namespace

int keys_generate(const std::vector<std::string>& args) {
    po::options_description options = ceremony_options("keys generate options");
    options.add_options()("purpose", po::value<std::string>()->required(), "seal, audit, tsa or guest-ca")(
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
                       [&body](FirstKeys& keys, const std::string& officer) {
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
                           [&](FirstKeys& keys, const std::string& officer) {
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
                       [&](FirstKeys& keys, const std::string& officer) -> Result<JsonReply> {
                           if (change != "activate" || approver.empty()) {
                               return fail(Errc::bad_request,
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

}  // namespace signet::daemon
