#pragma once
// The query string of a request target ("?after=10&limit=50"), percent-decoded ('+' is a space,
// as HTML forms write it), each key at most once, with a value ("key=", possibly empty), and only
// the keys an endpoint knows; keys and values are UTF-8 without control characters. Anything
// else is a 400 whose message names the parameter, never its value (a value may be a one-time
// code). Boost 1.74 has no Boost.URL, so this small reader is hand-written.

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace signet::daemon {

using Query = std::map<std::string, std::string, std::less<>>;

Result<Query> parse_query(std::string_view target, std::initializer_list<std::string_view> known);

}  // namespace signet::daemon
