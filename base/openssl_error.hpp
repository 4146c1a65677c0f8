#pragma once
// OpenSSL failures as signet errors, with OpenSSL's error queue in the message (s2n-tls: carry
// the library's own reason to the person reading the error). The one copy every module uses.

#include <string>
#include <string_view>

#include "base/error.hpp"

namespace signet {

// Drains OpenSSL's error queue of this thread into one line ("" when it is empty).
std::string drain_openssl_errors();

// "<what>: <OpenSSL's queued errors>" ("<what>: no OpenSSL error reported" when the queue is
// empty), emptying the queue so that it does not leak into the next message on this thread.
std::string openssl_error(std::string_view what);

inline std::unexpected<Error> openssl_failure(Errc code, const std::string& what) {
    std::string detail = drain_openssl_errors();
    return fail(code, detail.empty() ? what : what + " (" + detail + ")");
}

}  // namespace signet
