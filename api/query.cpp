#include "api/query.hpp"

#include <algorithm>

namespace signet::daemon {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Strict UTF-8 (RFC 3629 §3-4): no overlong forms, no surrogates, nothing above U+10FFFF.
// Decoded parameters end up in audit entries and JSON answers, whose encoder accepts nothing else.
bool is_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        unsigned char low = 0x80;  // the range of the second byte, narrowed where RFC 3629 §4 says
        unsigned char high = 0xBF;
        if (lead < 0x80) {
            ++i;
            continue;
        }
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) low = 0xA0;   // overlong
            if (lead == 0xED) high = 0x9F;  // surrogates
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) low = 0x90;   // overlong
            if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
        } else {
            return false;
        }
        if (text.size() - i < length) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto byte = static_cast<unsigned char>(text[i + k]);
            if (byte < (k == 1 ? low : 0x80) || byte > (k == 1 ? high : 0xBF)) return false;
        }
        i += length;
    }
    return true;
}

// `text` percent-decoded; `what` names it in a refusal ("the query parameter 'tenant'").
Result<std::string> decode(std::string_view text, const std::string& what) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%') {
            int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
            int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
            if (high < 0 || low < 0) return fail(Errc::bad_request, what + " has a bad %-escape");
            out += static_cast<char>(high * 16 + low);
            i += 2;
        } else {
            out += text[i];
        }
    }
    if (std::any_of(out.begin(), out.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
        return fail(Errc::bad_request, what + " contains a control character");
    }
    if (!is_utf8(out)) return fail(Errc::bad_request, what + " is not valid UTF-8");
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
        if (pair.empty()) continue;  // "a=1&&b=2" or a trailing '&', as URL builders leave them
        auto equals = pair.find('=');
        std::string key;
        SIGNET_TRY(key, decode(pair.substr(0, equals), "a query parameter's name"));
        const std::string name = "the query parameter '" + key + "'";
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            return fail(Errc::bad_request, name + " is not part of the API");
        }
        if (equals == std::string_view::npos) {
            return fail(Errc::bad_request, name + " has no value (write " + key + "=...)");
        }
        std::string value;
        SIGNET_TRY(value, decode(pair.substr(equals + 1), name));
        if (!query.emplace(std::move(key), std::move(value)).second) {
            return fail(Errc::bad_request, name + " is given twice");
        }
    }
    return query;
}

}  // namespace signet::daemon
