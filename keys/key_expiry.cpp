#include "keys/key_expiry.hpp"

namespace signet::daemon {

std::vector<KeyExpiry> key_expiries(const std::vector<std::shared_ptr<const ActiveKey>>& keys, signet::Timestamp now,
                                    std::chrono::seconds warning) {
    std::vector<KeyExpiry> out;
    for (const auto& key : keys) {
        KeyExpiry expiry{key->purpose, key->id_hex, key->validity.usable_until()};
        expiry.remaining = expiry.usable_until - now;
        expiry.expiring = expiry.remaining < warning;
        out.push_back(std::move(expiry));
    }
    return out;
}

nlohmann::json expiry_json(const std::vector<KeyExpiry>& expiries) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& expiry : expiries) {
        out.push_back({{"purpose", expiry.purpose},
                       {"key_id", expiry.key_id},
                       {"not_after", signet::format_timestamp(expiry.usable_until)},
                       {"days_left", std::chrono::floor<std::chrono::days>(expiry.remaining).count()},
                       {"expiring", expiry.expiring}});
    }
    return out;
}

std::string expiry_metrics(const std::vector<KeyExpiry>& expiries) {
    std::string seconds =
        "# HELP signet_certificate_expiry_seconds Seconds until the active key's certificate (or private key usage "
        "period) ends.\n# TYPE signet_certificate_expiry_seconds gauge\n";
    std::string expiring =
        "# HELP signet_certificate_expiring 1 when the active key's certificate ends within the warning window.\n"
        "# TYPE signet_certificate_expiring gauge\n";
    for (const auto& expiry : expiries) {
        const std::string labels = "{purpose=\"" + expiry.purpose + "\",key_id=\"" + expiry.key_id + "\"} ";
        seconds += "signet_certificate_expiry_seconds" + labels + std::to_string(expiry.remaining.count()) + "\n";
        expiring += "signet_certificate_expiring" + labels + (expiry.expiring ? "1" : "0") + "\n";
    }
    return seconds + expiring;
}

}  // namespace signet::daemon
