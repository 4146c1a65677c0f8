// signetctl seal and sign: a PDF sealed with the firm's seal key, or signed with a person's own
// key under their one-time code, through POST /v1/seal and /v1/sign (platform certificate).

#include <charconv>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <span>

#include "base/base64.hpp"
#include "cli/commands/command_groups.hpp"
#include "cli/terminal.hpp"

namespace signet::daemon {

Result<nlohmann::json> visible_box(const std::string& text) {
    const auto bad = [&text] {
        return fail(Errc::bad_request, "--visible '" + text + "' is not PAGE:X1,Y1,X2,Y2 (e.g. 1:350,40,560,120)");
    };
    const auto colon = text.find(':');
    if (colon == std::string::npos) return bad();
    int page = 0;
    const char* end = text.data() + colon;
    if (auto [at, ec] = std::from_chars(text.data(), end, page); ec != std::errc() || at != end || page < 1) {
        return bad();
    }
    nlohmann::json rect = nlohmann::json::array();
    std::size_t from = colon + 1;
    for (int i = 0; i < 4; ++i) {
        const std::size_t comma = i < 3 ? text.find(',', from) : text.size();
        if (comma == std::string::npos) return bad();
        double value = 0;
        const char* stop = text.data() + comma;
        if (auto [at, ec] = std::from_chars(text.data() + from, stop, value); ec != std::errc() || at != stop) {
            return bad();
        }
        rect.push_back(value);
        from = comma + 1;
    }
    return nlohmann::json{{"page", page}, {"rect", rect}};
}

namespace {

po::options_description document_options(const std::string& title, bool seal) {
    po::options_description options(title);
    options.add_options()("tenant", po::value<std::string>()->required(), "the firm (tenant) it is for")(
        "actor", po::value<std::string>()->required(),
        seal ? "the member sealing, whom the rights matrix must allow" : "the person signing with their own key")(
        "level", po::value<std::string>(), "B-B, B-T, B-LT or B-LTA (default: signetd's [signature] level)")(
        "visible", po::value<std::string>(), "a visible box: PAGE:X1,Y1,X2,Y2 in PDF points")(
        "field", po::value<std::string>(), "fill this prepared signature field instead")(
        "idempotency-key", po::value<std::string>(), "sent as Idempotency-Key: a retry gets the first answer");
    if (seal) options.add_options()("approved-by", po::value<std::string>(), "the approver, when the actor is a preparer");
    options.add(connection_options());
    return options;
}

void print_signature(const std::string& done, const std::string& out, const nlohmann::json& answer) {
    const nlohmann::json& signature = answer.at("signature");
    std::cout << done << " " << out << ": level " << signature.value("level", std::string("B-B")) << ", key "
              << signature.at("key_id").get<std::string>() << ", audit entry " << answer.at("audit_seq").dump();
    if (answer.contains("activation_seq")) std::cout << ", activation entry " << answer["activation_seq"].dump();
    std::cout << "\n";
    if (signature.contains("timestamp")) {
        std::cout << "time-stamp " << signature["timestamp"].value("gen_time", std::string()) << " by "
                  << signature["timestamp"].value("tsa", std::string()) << "\n";
    }
}

// seal (`seal` true) or sign: the request's JSON from the command line, the call, OUT.pdf.
int document_job(const std::string& command, const std::vector<std::string>& args, bool seal) {
    auto vm = parse(command, args, document_options(command + " options", seal),
                    {{"in", "IN.pdf"}, {"out", "OUT.pdf"}});
    if (!vm) return vm.error();
    const std::string in = (*vm)["in"].as<std::string>();
    const std::string out = (*vm)["out"].as<std::string>();
    auto document = read_whole(in);
    if (!document) return complain(command, "cannot read " + in, exit_usage);
    nlohmann::json request{{"tenant", (*vm)["tenant"].as<std::string>()}, {"actor", (*vm)["actor"].as<std::string>()}};
    if (vm->count("level")) request["level"] = (*vm)["level"].as<std::string>();
    if (vm->count("approved-by")) request["approved_by"] = (*vm)["approved-by"].as<std::string>();
    if (vm->count("visible") && vm->count("field")) {
        return complain(command, "--visible and --field exclude each other", exit_usage);
    }
    if (vm->count("visible")) {
        auto box = visible_box((*vm)["visible"].as<std::string>());
        if (!box) return complain(command, box.error().message, exit_usage);
        request["appearance"] = *box;
    }
    if (vm->count("field")) request["appearance"] = {{"field", (*vm)["field"].as<std::string>()}};
    if (!seal) {
        auto code = read_code("one-time code of " + (*vm)["actor"].as<std::string>() + ": ");
        if (!code) return complain(command, code.error().message, exit_usage);
        request["activation"] = {{"otp", *code}};
    }
    request["document"] =
        base64_encode(std::span(reinterpret_cast<const std::uint8_t*>(document->data()), document->size()));
    HttpsRequest call{.method = "POST", .url = seal ? "/v1/seal" : "/v1/sign", .body = request.dump()};
    if (vm->count("idempotency-key")) call.headers.emplace_back("Idempotency-Key", (*vm)["idempotency-key"].as<std::string>());
    call.progress = upload_progress(call.body.size());
    auto reply = send(*vm, std::move(call));
    if (!reply) return complain(command, reply.error().message, exit_failed);
    if (reply->status != 200) return complain(command, reply_error(*reply), exit_failed);
    const auto answer = nlohmann::json::parse(reply->body, nullptr, false);
    if (!answer.is_object() || !answer.contains("document") || !answer["document"].is_string()) {
        return complain(command, "signetd's answer is not the signed document", exit_failed);
    }
    auto signed_pdf = base64_decode(answer["document"].get<std::string>());
    if (!signed_pdf) return complain(command, "signetd's document is not base64", exit_failed);
    std::ofstream file(out, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(signed_pdf->data()), static_cast<std::streamsize>(signed_pdf->size()));
    if (!file.flush()) return complain(command, "cannot write " + out, exit_failed);
    if (json_output(*vm)) {
        std::cout << reply->body << "\n";
    } else {
        print_signature(seal ? "sealed" : "signed", out, answer);
    }
    return 0;
}

}  // namespace

std::vector<Command> document_commands() {
    return {{"seal",
             "IN.pdf OUT.pdf --tenant T --actor P [--level L] [--visible PAGE:X1,Y1,X2,Y2 | --field NAME] "
             "[--approved-by P] [--idempotency-key K] CONNECTION",
             "seal IN.pdf with the firm's seal key in the HSM, as the rights matrix allows the actor; writes OUT.pdf "
             "(platform certificate)",
             "signetctl seal lettre.pdf lettre-scellee.pdf --tenant cabinet-durand --actor marie.durand --level B-T "
             "--visible 1:350,40,560,120",
             [](const std::vector<std::string>& args) { return document_job("seal", args, true); }},
            {"sign",
             "IN.pdf OUT.pdf --tenant T --actor P [--level L] [--visible PAGE:X1,Y1,X2,Y2 | --field NAME] "
             "[--idempotency-key K] CONNECTION",
             "sign IN.pdf with the actor's own key; their one-time code is asked on the terminal (or read from "
             "standard input), never taken from the command line; writes OUT.pdf (platform certificate)",
             "signetctl sign bilan.pdf bilan-signe.pdf --tenant cabinet-durand --actor paul --field \"Signature EC\"",
             [](const std::vector<std::string>& args) { return document_job("sign", args, false); }}};
}

}  // namespace signet::daemon
