#pragma once
// Reading a JSON integer into the int64 of a sequence number or a size (private to audit/):
// JSON has no limit, so a number nlohmann reads as unsigned may not fit.

#include <cstdint>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

namespace signet::audit {

// The value when it is an integer from 1 to INT64_MAX, else nothing.
inline std::optional<std::int64_t> positive_int64(const nlohmann::json& value) {
    if (value.is_number_unsigned()) {
        auto number = value.get<std::uint64_t>();
        if (number < 1 || number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return {};
        return static_cast<std::int64_t>(number);
    }
    if (value.is_number_integer() && value.get<std::int64_t>() >= 1) return value.get<std::int64_t>();
    return {};
}

}  // namespace signet::audit
