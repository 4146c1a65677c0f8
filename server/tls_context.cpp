#include "server/tls_context.hpp"

#include <openssl/ssl.h>

#include "base/openssl_error.hpp"

namespace signet::daemon {

namespace ssl = boost::asio::ssl;

Result<ssl::context> make_server_tls_context(const config::Tls& tls) {
    ssl::context context(ssl::context::tls_server);
    SSL_CTX* ctx = context.native_handle();
    // TLS 1.2 is allowed for older clients, with forward secrecy and AEAD only (DESIGN.md);
    // compression, renegotiation and session tickets are off.
    bool ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
              SSL_CTX_set_cipher_list(ctx,
                                      "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                      "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
                                      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256") ==
                  1 &&
              SSL_CTX_set_ciphersuites(ctx,
                                       "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"
                                       "TLS_AES_128_GCM_SHA256") == 1 &&
              SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") == 1;
    if (!ok) return openssl_failure(Errc::internal, "configuring TLS versions and ciphers");
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);

    if (SSL_CTX_use_certificate_chain_file(ctx, tls.certificate.c_str()) != 1) {
        return openssl_failure(Errc::invalid_config,
                               "loading the server certificate " + tls.certificate.string());
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, tls.private_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        return openssl_failure(Errc::invalid_config,
                               "loading the server key " + tls.private_key.string());
    }
    if (SSL_CTX_load_verify_locations(ctx, tls.client_ca.c_str(), nullptr) != 1) {
        return openssl_failure(Errc::invalid_config,
                               "loading the client CA " + tls.client_ca.string());
    }
    // Advertise the acceptable CAs so that clients with several certificates pick the right one.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca.c_str());
    if (names == nullptr) {
        return openssl_failure(Errc::invalid_config,
                               "reading the client CA names " + tls.client_ca.string());
    }
    SSL_CTX_set_client_CA_list(ctx, names);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_verify_depth(ctx, 4);
    static constexpr unsigned char session_context[] = "signetd";
    SSL_CTX_set_session_id_context(ctx, session_context, sizeof session_context - 1);
    return context;
}

}  // namespace signet::daemon
