#pragma once
// OpenSSL failures as signet errors, with OpenSSL's error queue in the message (s2n-tls: carry
// the library's own reason to the person reading the error). pdf/ may not link daemon/, so this
// is pdf's own copy of daemon/openssl_error.hpp.

#include <string>

#include "policy/error.hpp"

namespace signet::pdf {

// Drains OpenSSL's error queue of this thread into one line ("" when it is empty).
std::string drain_openssl_errors();

inline std::unexpected<Error> openssl_failure(Errc code, const std::string& what) {
    std::string detail = drain_openssl_errors();
    return fail(code, detail.empty() ? what : what + " (" + detail + ")");
}

}  // namespace signet::pdf
