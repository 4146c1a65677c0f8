#pragma once
// A certificate as PEM or DER text: for what signetd stores and answers (imported certificates,
// chains) and for the development PKI.

#include <string>
#include <vector>

#include <openssl/x509.h>

#include "base/error.hpp"

namespace signet {

Result<std::string> to_pem(X509* cert);
Result<std::vector<unsigned char>> to_der(X509* cert);

// A distinguished name as RFC 2253 text ("CN=signet TSA,O=Cabinet"), UTF-8 kept as is; "" when
// it cannot be printed.
std::string name_text(const X509_NAME* name);

}  // namespace signet
