#pragma once
// External time-stamping authorities (`[timestamp] source = "external"`): a request for the
// imprint posted over http or https with libcurl to each URL in order until one answers with a
// token that passes verify.hpp's checks.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "timestamp/verify.hpp"

namespace signet::timestamp {

struct ExternalTsas {
    std::vector<std::string> urls;                      // http:// or https://, tried in order
    std::filesystem::path trust;                        // PEM CAs for the TSAs' certificates
    std::filesystem::path https_ca;                     // PEM CAs for https servers; empty: system
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds total_timeout{10000};
    std::size_t max_response_bytes = 64 * 1024;
};

struct ExternalToken {
    CheckedToken checked;
    std::string url;  // the TSA that made it
};

// A token over `imprint` (hash `hash_nid`) with a fresh nonce and certReq, from the first TSA
// that gives a good one, its genTime inside [not_before, not_after]. unavailable (503) when
// none did, the message naming each URL and what went wrong with it.
Result<ExternalToken> fetch_token(const ExternalTsas& tsas, int hash_nid, std::span<const std::uint8_t> imprint,
                                  std::chrono::system_clock::time_point not_before,
                                  std::chrono::system_clock::time_point not_after);

}  // namespace signet::timestamp
