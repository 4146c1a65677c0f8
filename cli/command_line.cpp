#include "cli/command_line.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/https_client.hpp"

namespace signet::daemon {

const char* const usage =
    "usage: signetctl dev-init DIR --port N [--module PKCS11_LIBRARY] [--rights-matrix FILE]\n"
    "                 [--tsa-algorithm rsa-3072|ec-p256|...] [--ocsp-url URL] [--crl-url URL]\n"
    "                 [--store-url postgresql://USER@HOST:PORT/DB --store-password-file FILE]\n"
    "       signetctl dev-crl DIR [--revoke CERT.pem]... [--days N]\n"
    "       signetctl audit export --url https://HOST:PORT --cacert CA --cert CERT --key KEY [-o FILE]\n"
    "       signetctl audit verify EXPORT --trust AUDIT_CERT [--checkpoints FILE]\n"
    "       signetctl keys list CONNECTION\n"
    "       signetctl keys generate CONNECTION --purpose seal|audit|tsa|guest-ca --algorithm ALG --label LABEL\n"
    "                 [--organization O] --csr FILE\n"
    "       signetctl keys import-cert KEY_ID CONNECTION --certificate FILE [--chain FILE]\n"
    "       signetctl keys activate|retire|destroy KEY_ID CONNECTION\n"
    "       signetctl keys generate|import-cert|activate ... --config SIGNETD_TOML --officer NAME [--approver NAME]\n"
    "                 the installation ceremony, before signetd's first start: the first seal and audit\n"
    "                 keys on the configured token and database (activate needs a second officer)\n"
    "       signetctl approvals list CONNECTION\n"
    "       signetctl approvals approve APPROVAL_ID CONNECTION\n"
    "       signetctl timestamp FILE CONNECTION --tenant T [--hash sha256|sha384|sha512] [-o FILE.tsr]\n"
    "       signetctl extend IN.pdf OUT.pdf CONNECTION --tenant T\n"
    "  CONNECTION is --url https://HOST:PORT --cacert CA --cert CERT --key KEY\n"
    "  dev-init      make a complete local installation in DIR (development, quick start, tests);\n"
    "                --ocsp-url and --crl-url go into the seal, audit and TSA certificates\n"
    "  dev-crl       issue the next CRL of DIR's development signing CA (DIR/pki/signing-ca.crl,\n"
    "                valid N days, default 30), keeping its entries and revoking each CERT.pem\n"
    "  audit export  fetch the key-usage log and its checkpoints (auditor certificate)\n"
    "  audit verify  check an export offline: exit 0 only for an intact log; --trust may hold\n"
    "                several audit certificates (before and after an audit key rotation)\n"
    "  keys list     the key inventory (officer or auditor certificate)\n"
    "  keys ...      key lifecycle (officer certificate); ALG is rsa-3072, rsa-4096, ec-p256 or ec-p384\n"
    "  approvals     the dual-control requests a second officer completes\n"
    "  timestamp     an RFC 3161 token for FILE from signetd's TSA (platform certificate, billed to T):\n"
    "                prints its serial and time, writes FILE.tsr (or -o)\n"
    "  extend        validate every signature of IN.pdf and add the missing validation data and a\n"
    "                document time-stamp (platform certificate, billed to T); writes OUT.pdf\n";

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

po::options_description connection_options(const char* title) {
    po::options_description options(title);
    options.add_options()("url", po::value<std::string>()->required(), "signetd's base URL")(
        "cacert", po::value<std::string>()->required(), "the TLS CA")(
        "cert", po::value<std::string>()->required(), "the client certificate")(
        "key", po::value<std::string>()->required(), "its private key");
    return options;
}

namespace {

ClientCredentials credentials_of(const po::variables_map& vm) {
    return {vm["cacert"].as<std::string>(), vm["cert"].as<std::string>(), vm["key"].as<std::string>()};
}

}  // namespace

Result<std::string> get(const po::variables_map& vm, const std::string& path) {
    return https_get(vm["url"].as<std::string>() + path, credentials_of(vm));
}

Result<HttpsReply> send(const po::variables_map& vm, const std::string& method, const std::string& path,
                        const std::string& body, const std::string& content_type) {
    return https_call(method, vm["url"].as<std::string>() + path, body, credentials_of(vm), content_type);
}

std::optional<nlohmann::json> call(const std::string& command, const po::variables_map& vm, const std::string& method,
                                   const std::string& path, const std::string& body) {
    auto reply = https_call(method, vm["url"].as<std::string>() + path, body, credentials_of(vm));
    if (!reply) {
        std::cerr << "signetctl " << command << ": " << reply.error().message << "\n";
        return std::nullopt;
    }
    if (reply->status < 200 || reply->status > 299) {
        std::cerr << "signetctl " << command << ": " << reply_error(*reply) << "\n";
        return std::nullopt;
    }
    auto parsed = nlohmann::json::parse(reply->body, nullptr, false);
    if (!parsed.is_object()) {
        std::cerr << "signetctl " << command << ": signetd's answer is not JSON\n";
        return std::nullopt;
    }
    return parsed;
}

}  // namespace signet::daemon
