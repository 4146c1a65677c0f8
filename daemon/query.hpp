#pragma once
// The query string of a request target ("?after=10&limit=50"), percent-decoded, each key at most
// once and only the keys an endpoint knows (400 otherwise). Boost 1.74 has no Boost.URL, so this
// small reader is hand-written.

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "policy/error.hpp"

namespace signet::daemon {

using Query = std::map<std::string, std::string, std::less<>>;

Result<Query> parse_query(std::string_view target, std::initializer_list<std::string_view> known);

}  // namespace signet::daemon
