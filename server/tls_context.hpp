#pragma once
// The server's TLS context: TLS 1.3, or TLS 1.2 with ECDHE and an AEAD cipher only; a client
// certificate that chains to the configured client CA is verified when presented. A missing
// certificate is let through the handshake so that the API can answer 401 with a JSON body;
// a certificate that does not verify ends the handshake. With [tls] client_crl, verifying
// includes the CRLs of the client CAs for the whole chain, and fails closed: a CRL missing for
// an issuer or past its nextUpdate refuses the handshake, and a file that does not hold a
// current CRL of every client CA refuses the context (signetd's start, or a SIGHUP reload).

#include <boost/asio/ssl/context.hpp>

#include "config/config.hpp"
#include "base/error.hpp"

namespace signet::daemon {

Result<boost::asio::ssl::context> make_server_tls_context(const config::Tls& tls);

}  // namespace signet::daemon
