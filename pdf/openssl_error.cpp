#include "pdf/openssl_error.hpp"

#include <openssl/err.h>

namespace signet::pdf {

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

}  // namespace signet::pdf
