#pragma once
// The token-selecting part of an RFC 7512 "pkcs11:" URI. Private to hsm/.

#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace signet::hsm {

// The path attributes of RFC 7512 §2.3 that select a token, percent-decoded. An attribute that is
// absent matches any token. The other attributes RFC 7512 defines (object, id, type, slot-*,
// library-*) select no token and are not kept; an attribute it does not define is refused. The
// query component (pin-source, pin-value, module-name, module-path) is never read: the PIN comes
// from a Secret, the module from the configuration.
struct TokenUri {
    std::optional<std::string> token;         // CK_TOKEN_INFO.label
    std::optional<std::string> manufacturer;  // CK_TOKEN_INFO.manufacturerID
    std::optional<std::string> serial;        // CK_TOKEN_INFO.serialNumber
    std::optional<std::string> model;         // CK_TOKEN_INFO.model

    // Whether a token with these (padding already removed) CK_TOKEN_INFO fields matches.
    bool matches(std::string_view label, std::string_view manufacturer_id,
                 std::string_view serial_number, std::string_view model_name) const;
};

// True when `text` starts with the "pkcs11:" scheme (case-insensitive, RFC 3986 §3.1).
bool is_pkcs11_uri(std::string_view text);

// Parses a "pkcs11:" URI. Errors are bad_request and quote the offending attribute only, never
// the whole URI, which may carry a pin-value.
Result<TokenUri> parse_token_uri(std::string_view uri);

// RFC 3986 §2.1 percent-decoding; a '%' not followed by two hex digits is bad_request.
Result<std::string> percent_decode(std::string_view text);

}  // namespace signet::hsm
