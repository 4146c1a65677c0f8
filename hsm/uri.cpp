#include "hsm/uri.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace signet::hsm {

namespace {

constexpr std::string_view scheme = "pkcs11:";

// RFC 7512 §2.3 path attributes that name an object, a slot or the library rather than the
// token: valid in a key's URI, so accepted, but they take no part in choosing the token.
const std::set<std::string_view> ignored_attributes{
    "object",
    "id",
    "type",
    "slot-description",
    "slot-manufacturer",
    "slot-id",
    "library-manufacturer",
    "library-description",
    "library-version",
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool matches_attribute(const std::optional<std::string>& wanted, std::string_view actual) {
    return !wanted || *wanted == actual;
}

}  // namespace

bool TokenUri::matches(std::string_view label, std::string_view manufacturer_id,
                       std::string_view serial_number, std::string_view model_name) const {
    return matches_attribute(token, label) && matches_attribute(manufacturer, manufacturer_id) &&
           matches_attribute(serial, serial_number) && matches_attribute(model, model_name);
}

bool is_pkcs11_uri(std::string_view text) {
    return text.size() >= scheme.size() &&
           std::equal(scheme.begin(), scheme.end(), text.begin(), [](char a, char b) {
               return a == std::tolower(static_cast<unsigned char>(b));
           });
}

Result<std::string> percent_decode(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            decoded.push_back(text[i]);
            continue;
        }
        const int high = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
        const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
        if (high < 0 || low < 0) {
            return fail(Errc::bad_request,
                        "'%' must be followed by two hexadecimal digits (RFC 3986 §2.1)");
        }
        decoded.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    return decoded;
}

Result<TokenUri> parse_token_uri(std::string_view uri) {
    if (!is_pkcs11_uri(uri)) {
        return fail(Errc::bad_request, "a PKCS#11 URI starts with \"pkcs11:\"");
    }
    std::string_view path = uri.substr(scheme.size());
    // RFC 7512 §2.3: the query ("?pin-source=...") follows the path; nothing in it selects a
    // token, and it may hold a PIN, so it is cut off unread.
    path = path.substr(0, path.find('?'));

    TokenUri result;
    std::set<std::string, std::less<>> seen;
    while (!path.empty()) {
        const std::size_t end = path.find(';');
        const std::string_view attribute = path.substr(0, end);
        path = end == std::string_view::npos ? std::string_view() : path.substr(end + 1);
        if (end != std::string_view::npos && path.empty()) {
            return fail(Errc::bad_request, "PKCS#11 URI path ends with ';' (RFC 7512 §2.3)");
        }

        const std::size_t equals = attribute.find('=');
        if (equals == std::string_view::npos || equals == 0) {
            return fail(Errc::bad_request, "PKCS#11 URI path attribute '" +
                                               std::string(attribute.substr(0, equals)) +
                                               "' is not of the form name=value (RFC 7512 §2.3)");
        }
        const std::string_view name = attribute.substr(0, equals);
        // §2.3: "An attribute can only appear once in the path component."
        if (!seen.emplace(name).second) {
            return fail(Errc::bad_request, "PKCS#11 URI path attribute '" + std::string(name) +
                                               "' appears more than once (RFC 7512 §2.3)");
        }
        auto value = percent_decode(attribute.substr(equals + 1));
        if (!value) {
            return std::unexpected(value.error().with_context("PKCS#11 URI path attribute '" +
                                                              std::string(name) + "'"));
        }
        if (name == "token") {
            result.token = std::move(*value);
        } else if (name == "manufacturer") {
            result.manufacturer = std::move(*value);
        } else if (name == "serial") {
            result.serial = std::move(*value);
        } else if (name == "model") {
            result.model = std::move(*value);
        } else if (!ignored_attributes.contains(name)) {
            // Refused rather than ignored: skipping a misspelt "tokne=seal" would widen the
            // match to every token (RFC 7512 §2.4 likewise has unrecognised attributes match
            // nothing).
            return fail(Errc::bad_request, "PKCS#11 URI path attribute '" + std::string(name) +
                                               "' is unknown; a token is selected with token, "
                                               "manufacturer, serial and model (RFC 7512 §2.3)");
        }
    }
    return result;
}

}  // namespace signet::hsm
