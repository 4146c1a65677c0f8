#pragma once
// The server's TLS context: TLS 1.3, or TLS 1.2 with ECDHE and an AEAD cipher only; a client
// certificate that chains to the configured client CA is verified when presented. A missing
// certificate is let through the handshake so that the API can answer 401 with a JSON body;
// a certificate that does not verify ends the handshake.

#include <boost/asio/ssl/context.hpp>

#include "config/config.hpp"
#include "base/error.hpp"

namespace signet::daemon {

Result<boost::asio::ssl::context> make_server_tls_context(const config::Tls& tls);

}  // namespace signet::daemon
