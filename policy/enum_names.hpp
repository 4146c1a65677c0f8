#pragma once
// The names of an enum as a table of (value, name) pairs, read both ways: one table per enum,
// so that parsing and printing cannot drift apart.

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace signet::policy {

template <class Enum, std::size_t N>
using EnumNames = std::array<std::pair<Enum, std::string_view>, N>;

template <class Enum, std::size_t N>
constexpr std::optional<Enum> parse_name(const EnumNames<Enum, N>& names, std::string_view text) {
    for (const auto& [value, name] : names) {
        if (name == text) return value;
    }
    return std::nullopt;
}

template <class Enum, std::size_t N>
constexpr std::string_view name_of(const EnumNames<Enum, N>& names, Enum value) {
    for (const auto& [candidate, name] : names) {
        if (candidate == value) return name;
    }
    return "?";
}

}  // namespace signet::policy
