#pragma once
// How close the active keys' certificates are to their end (issue 5, item 5): shown in
// /v1/health and as Prometheus gauges in /metrics, so that an operator sees a rotation coming
// before the minimum-remaining-validity guard starts refusing jobs.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "keys/active_key.hpp"

namespace signet::daemon {

struct KeyExpiry {
    std::string purpose;
    std::string key_id;
    signet::Timestamp usable_until;
    std::chrono::seconds remaining{0};
    bool expiring = false;  // within the warning window (or past its end)
};

std::vector<KeyExpiry> key_expiries(const std::vector<std::shared_ptr<const ActiveKey>>& keys, signet::Timestamp now,
                                    std::chrono::seconds warning);

// [{"purpose", "key_id", "not_after", "days_left", "expiring"}, ...]
nlohmann::json expiry_json(const std::vector<KeyExpiry>& expiries);

// The gauges signet_certificate_expiry_seconds and signet_certificate_expiring, in the
// Prometheus text exposition format.
std::string expiry_metrics(const std::vector<KeyExpiry>& expiries);

}  // namespace signet::daemon
