// signetctl health: GET /v1/health, as a few lines or (--json) signetd's JSON.

#include <cstdio>
#include <iostream>

#include "cli/commands/command_groups.hpp"

namespace signet::daemon {
namespace {

std::string text_of(const nlohmann::json& value) {
    return value.is_string() ? value.get<std::string>() : value.is_null() ? "-" : value.dump();
}

void print_health(const nlohmann::json& health) {
    std::cout << "signetd " << text_of(health.value("node", nlohmann::json("?"))) << ": "
              << text_of(health.value("status", nlohmann::json("?"))) << "\n";
    for (const char* part : {"hsm", "database", "audit"}) {
        if (health.contains(part)) std::printf("  %-9s %s\n", part, text_of(health[part]).c_str());
    }
    if (health.contains("hsm_error")) {
        std::printf("  %-9s %s (since %s)\n", "", text_of(health["hsm_error"]).c_str(),
                    text_of(health.value("hsm_since", nlohmann::json())).c_str());
    }
    if (health.contains("clock_synchronized")) {
        std::printf("  %-9s %s\n", "clock",
                    health["clock_synchronized"] == true ? "synchronised" : "not synchronised");
    }
    for (const auto& certificate : health.value("certificates", nlohmann::json::array())) {
        std::printf("  %-9s key %s until %s (%s days left%s)\n", text_of(certificate.value("purpose", nlohmann::json())).c_str(),
                    text_of(certificate.value("key_id", nlohmann::json())).c_str(),
                    text_of(certificate.value("not_after", nlohmann::json())).c_str(),
                    text_of(certificate.value("days_left", nlohmann::json())).c_str(),
                    certificate.value("expiring", false) ? ", EXPIRING" : "");
    }
}

int health(const std::vector<std::string>& args) {
    auto vm = parse("health", args, connection_options());
    if (!vm) return vm.error();
    auto reply = send(*vm, {.method = "GET", .url = "/v1/health"});
    if (!reply) return complain("health", reply.error().message, exit_failed);
    auto answer = nlohmann::json::parse(reply->body, nullptr, false);
    // 503 is the answer of a node that is not ready: its body still says why.
    if ((reply->status != 200 && reply->status != 503) || !answer.is_object()) {
        return complain("health", reply_error(*reply), exit_failed);
    }
    if (json_output(*vm)) {
        std::cout << reply->body << "\n";
    } else {
        print_health(answer);
    }
    return reply->status == 200 ? 0 : exit_failed;
}

}  // namespace

std::vector<Command> health_commands() {
    return {{"health", "CONNECTION",
             "signetd's state: HSM, database, audit log, clock and certificates; exit 1 when it is not ready "
             "(any role)",
             "signetctl health --url https://127.0.0.1:8443 --cacert pki/tls-ca.pem --cert pki/officer.pem "
             "--key pki/officer.key",
             health}};
}

}  // namespace signet::daemon
