#include "base/openssl_error.hpp"

#include <openssl/err.h>

namespace signet {

std::string drain_openssl_errors() {
    std::string out;
    char line[256];
    while (unsigned long code = ERR_get_error()) {
        ERR_error_string_n(code, line, sizeof line);
        if (!out.empty()) out += "; ";
        out += line;
    }
    return out;
}

std::string openssl_error(std::string_view what) {
    const std::string detail = drain_openssl_errors();
    return std::string(what) + ": " + (detail.empty() ? "no OpenSSL error reported" : detail);
}

}  // namespace signet
