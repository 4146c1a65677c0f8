// signetctl timestamp and extend: an RFC 3161 token from signetd's TSA, and a signed PDF
// validated and extended to B-LTA (platform certificate).

#include <fstream>
#include <iostream>
#include <memory>

#include <openssl/evp.h>
#include <openssl/ts.h>

#include <nlohmann/json.hpp>

#include "base/base64.hpp"
#include "base/ssl_ptr.hpp"
#include "cli/commands/command_groups.hpp"
#include "cli/terminal.hpp"
#include "timestamp/request.hpp"
#include "timestamp/token_info.hpp"
#include "timestamp/ts_ptr.hpp"

namespace signet::daemon {
namespace {

using timestamp::TsResp;

// The file's digest with `hash`, streamed: a file to time-stamp may be large.
Result<std::vector<std::uint8_t>> digest_of(const std::string& path, const EVP_MD* hash) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(Errc::bad_request, "cannot read " + path);
    MdCtx context(EVP_MD_CTX_new());
    if (!context || EVP_DigestInit_ex(context.get(), hash, nullptr) != 1) {
        return fail(Errc::internal, "cannot start the digest");
    }
    std::vector<char> buffer(1 << 16);
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
        EVP_DigestUpdate(context.get(), buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    std::vector<std::uint8_t> digest(static_cast<std::size_t>(EVP_MD_get_size(hash)));
    if (EVP_DigestFinal_ex(context.get(), digest.data(), nullptr) != 1) {
        return fail(Errc::internal, "cannot finish the digest");
    }
    return digest;
}

// The token of a granted TimeStampResp, or why there is none.
Result<std::vector<std::uint8_t>> granted_token(const std::string& response) {
    const auto* in = reinterpret_cast<const unsigned char*>(response.data());
    TsResp parsed(d2i_TS_RESP(nullptr, &in, static_cast<long>(response.size())));
    if (!parsed) return fail(Errc::bad_request, "signetd's answer is not a TimeStampResp");
    const long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(parsed.get())));
    PKCS7* token = TS_RESP_get_token(parsed.get());
    if ((status != 0 && status != 1) || token == nullptr) {
        std::string text;
        const STACK_OF(ASN1_UTF8STRING)* texts = TS_STATUS_INFO_get0_text(TS_RESP_get_status_info(parsed.get()));
        for (int i = 0; texts != nullptr && i < sk_ASN1_UTF8STRING_num(texts); ++i) {
            const ASN1_UTF8STRING* line = sk_ASN1_UTF8STRING_value(texts, i);
            text += std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(line)),
                                static_cast<std::size_t>(ASN1_STRING_length(line)));
        }
        return fail(Errc::bad_request, "the TSA refused (status " + std::to_string(status) + ")" +
                                           (text.empty() ? "" : ": " + text));
    }
    unsigned char* der = nullptr;
    const int length = i2d_PKCS7(token, &der);
    OpensslBytes owned(der);
    if (length <= 0) return fail(Errc::internal, "cannot encode the token");
    return std::vector<std::uint8_t>(der, der + length);
}

int timestamp_command(const std::vector<std::string>& args) {
    po::options_description options("timestamp options");
    options.add_options()("tenant", po::value<std::string>()->required(), "the tenant the token is billed to")(
        "hash", po::value<std::string>()->default_value("sha256"), "sha256, sha384 or sha512")(
        "output,o", po::value<std::string>(), "where to write the TimeStampResp (default FILE.tsr)");
    options.add(connection_options());
    auto vm = parse("timestamp", args, options, {{"file", "FILE"}});
    if (!vm) return vm.error();
    auto complain = [](const std::string& message, int code) { return daemon::complain("timestamp", message, code); };
    const std::string file = (*vm)["file"].as<std::string>();
    const EVP_MD* hash = EVP_get_digestbyname((*vm)["hash"].as<std::string>().c_str());
    if (hash == nullptr || !timestamp::supported_hash(EVP_MD_get_type(hash))) {
        return complain("--hash must be sha256, sha384 or sha512", exit_usage);
    }
    auto digest = digest_of(file, hash);
    if (!digest) return complain(digest.error().message, exit_usage);
    auto nonce = timestamp::random_nonce();
    if (!nonce) return complain(nonce.error().message, exit_failed);
    auto query = timestamp::make_request(EVP_MD_get_type(hash), *digest, *nonce);
    if (!query) return complain(query.error().message, exit_failed);

    auto reply = send(*vm, {.method = "POST",
                            .url = "/v1/timestamp?tenant=" + (*vm)["tenant"].as<std::string>(),
                            .body = std::string(query->begin(), query->end()),
                            .content_type = "application/timestamp-query"});
    if (!reply) return complain(reply.error().message, exit_failed);
    if (reply->status != 200) return complain(reply_error(*reply), exit_failed);
    auto token = granted_token(reply->body);
    if (!token) return complain(token.error().message, exit_failed);
    auto info = timestamp::read_token(*token);
    if (!info) return complain(info.error().message, exit_failed);

    const std::string output = vm->count("output") ? (*vm)["output"].as<std::string>() : file + ".tsr";
    std::ofstream out(output, std::ios::binary | std::ios::trunc);
    out << reply->body;
    if (!out.flush()) return complain("cannot write " + output, exit_failed);
    if (json_output(*vm)) {  // the answer is DER: its reading, as JSON
        std::cout << nlohmann::json{{"serial", info->serial_hex}, {"gen_time", info->gen_time_text}, {"tsa", info->tsa},
                                    {"written", output}}
                         .dump()
                  << "\n";
        return 0;
    }
    std::cout << "serial " << info->serial_hex << "\ngen_time " << info->gen_time_text << "\ntsa " << info->tsa
              << "\nwritten " << output << "\n";
    return 0;
}

int extend_command(const std::vector<std::string>& args) {
    po::options_description options("extend options");
    options.add_options()("tenant", po::value<std::string>()->required(), "the tenant the extension is billed to")(
        "idempotency-key", po::value<std::string>(), "sent as Idempotency-Key: a retry gets the first answer");
    options.add(connection_options());
    auto vm = parse("extend", args, options, {{"in", "IN.pdf"}, {"out", "OUT.pdf"}});
    if (!vm) return vm.error();
    auto complain = [](const std::string& message, int code) { return daemon::complain("extend", message, code); };
    const std::string in = (*vm)["in"].as<std::string>();
    const std::string out_path = (*vm)["out"].as<std::string>();
    auto document = read_whole(in);
    if (!document) return complain("cannot read " + in, exit_usage);
    const nlohmann::json request = {
        {"tenant", (*vm)["tenant"].as<std::string>()},
        {"document", base64_encode(std::span(reinterpret_cast<const std::uint8_t*>(document->data()), document->size()))}};
    HttpsRequest call{.method = "POST", .url = "/v1/extend", .body = request.dump()};
    if (vm->count("idempotency-key")) call.headers.emplace_back("Idempotency-Key", (*vm)["idempotency-key"].as<std::string>());
    call.progress = upload_progress(call.body.size());
    auto reply = send(*vm, std::move(call));
    if (!reply) return complain(reply.error().message, exit_failed);
    if (reply->status != 200) return complain(reply_error(*reply), exit_failed);
    const auto answer = nlohmann::json::parse(reply->body, nullptr, false);
    if (answer.is_discarded() || !answer.contains("document")) return complain("signetd's answer is not JSON", exit_failed);
    auto extended = base64_decode(answer.at("document").get<std::string>());
    if (!extended) return complain("signetd's document is not base64", exit_failed);
    std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(extended->data()), static_cast<std::streamsize>(extended->size()));
    if (!out.flush()) return complain("cannot write " + out_path, exit_failed);
    if (json_output(*vm)) {
        std::cout << reply->body << "\n";
        return 0;
    }
    for (const auto& signature : answer.at("signatures")) {
        std::cout << "signature " << signature.at("field").get<std::string>() << " "
                  << signature.at("level").get<std::string>() << " valid\n";
    }
    std::cout << "document time-stamps " << answer.at("timestamps").get<int>() << "\ngen_time "
              << answer.at("timestamp").at("gen_time").get<std::string>() << "\nwritten " << out_path << "\n";
    return 0;
}

}  // namespace

std::vector<Command> evidence_commands() {
    const std::string connection = " --url https://127.0.0.1:8443 --cacert pki/tls-ca.pem --cert pki/platform.pem "
                                   "--key pki/platform.key";
    return {{"extend", "IN.pdf OUT.pdf --tenant T [--idempotency-key K] CONNECTION",
             "validate every signature of IN.pdf, add the validation data still missing and a document "
             "time-stamp (B-LTA, archive renewal); writes OUT.pdf (platform certificate, billed to T)",
             "signetctl extend archive-2026.pdf archive-2027.pdf --tenant cabinet-durand" + connection, extend_command},
            {"timestamp", "FILE --tenant T [--hash sha256|sha384|sha512] [-o FILE.tsr] CONNECTION",
             "an RFC 3161 time-stamp of FILE from signetd's TSA: prints its serial, time and TSA, writes FILE.tsr "
             "(platform certificate, billed to T)",
             "signetctl timestamp minutes.pdf --tenant cabinet-durand" + connection, timestamp_command}};
}

}  // namespace signet::daemon
