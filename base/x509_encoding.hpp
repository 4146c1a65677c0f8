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

}  // namespace signet
