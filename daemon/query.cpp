#include "daemon/query.hpp"

#include <algorithm>

namespace signet::daemon {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Result<std::string> decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%') {
            int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
            int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
            if (high < 0 || low < 0) return fail(Errc::bad_request, "the query string has a bad %-escape");
            out += static_cast<char>(high * 16 + low);
            i += 2;
        } else {
            out += text[i];
        }
    }
    if (std::any_of(out.begin(), out.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
        return fail(Errc::bad_request, "the query string contains a control character");
    }
    return out;
}

}  // namespace

Result<Query> parse_query(std::string_view target, std::initializer_list<std::string_view> known) {
    Query query;
    auto mark = target.find('?');
    if (mark == std::string_view::npos) return query;
    std::string_view rest = target.substr(mark + 1);
    while (!rest.empty()) {
        auto end = rest.find('&');
        std::string_view pair = rest.substr(0, end);
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
        if (pair.empty()) continue;
        auto equals = pair.find('=');
        auto key = decode(pair.substr(0, equals));
        if (!key) return std::unexpected(key.error());
        auto value = decode(equals == std::string_view::npos ? "" : pair.substr(equals + 1));
        if (!value) return std::unexpected(value.error());
        if (std::find(known.begin(), known.end(), *key) == known.end()) {
            return fail(Errc::bad_request, "the query parameter '" + *key + "' is not part of the API");
        }
        if (!query.emplace(std::move(*key), std::move(*value)).second) {
            return fail(Errc::bad_request, "a query parameter is given twice");
        }
    }
    return query;
}

}  // namespace signet::daemon
