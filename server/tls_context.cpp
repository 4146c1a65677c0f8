#include "server/tls_context.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "base/openssl_error.hpp"
#include "base/ssl_ptr.hpp"

namespace signet::daemon {

namespace ssl = boost::asio::ssl;

namespace {

std::string name_of(const X509_NAME* name) {
    Bio out(BIO_new(BIO_s_mem()));
    if (!out || X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253) < 0) return "?";
    char* text = nullptr;
    long size = BIO_get_mem_data(out.get(), &text);
    return std::string(text, static_cast<std::size_t>(size));
}

// Every PEM certificate of `file`.
Result<std::vector<X509Ptr>> read_certificates(const std::filesystem::path& file) {
    Bio in(BIO_new_file(file.c_str(), "r"));
    if (!in) return openssl_failure(Errc::invalid_config, "reading " + file.string());
    std::vector<X509Ptr> read;
    while (X509* cert = PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr))
        read.emplace_back(cert);
    ERR_clear_error();  // the end of the file
    return read;
}

// [tls] client_crl: every CRL of the PEM file, each signed by one of the client CAs and current,
// and one for every client CA, or an error that says which. A file that fails any of these at
// start stops signetd, and on SIGHUP is refused with the previous list kept: an unreadable or
// stale list must never turn into "nothing is revoked".
Result<std::vector<X509Crl>> read_client_crls(const std::filesystem::path& file,
                                              const std::filesystem::path& ca_file) {
    const std::string where = "[tls] client_crl " + file.string();
    ERR_clear_error();  // so that the end of the file below is told from a broken block
    Bio in(BIO_new_file(file.c_str(), "r"));
    if (!in) return openssl_failure(Errc::invalid_config, "reading " + where);
    std::vector<X509Crl> crls;
    while (X509_CRL* crl = PEM_read_bio_X509_CRL(in.get(), nullptr, nullptr, nullptr))
        crls.emplace_back(crl);
    // PEM_read stops at the end of the file (PEM_R_NO_START_LINE) or at a block it cannot parse.
    const unsigned long last = ERR_peek_last_error();
    if (ERR_GET_LIB(last) != ERR_LIB_PEM || ERR_GET_REASON(last) != PEM_R_NO_START_LINE) {
        return openssl_failure(Errc::invalid_config, where + " holds a CRL that does not parse");
    }
    ERR_clear_error();
    if (crls.empty()) return fail(Errc::invalid_config, where + " holds no PEM X509 CRL");
    std::vector<X509Ptr> cas;
    SIGNET_TRY(cas, read_certificates(ca_file));
    for (const auto& crl : crls) {
        const std::string issuer = name_of(X509_CRL_get_issuer(crl.get()));
        auto ca = std::find_if(cas.begin(), cas.end(), [&](const X509Ptr& cert) {
            return X509_NAME_cmp(X509_get_subject_name(cert.get()),
                                 X509_CRL_get_issuer(crl.get())) == 0;
        });
        if (ca == cas.end()) {
            return fail(Errc::invalid_config,
                        where + ": the CRL of " + issuer + " is not of a client CA");
        }
        if (X509_CRL_verify(crl.get(), X509_get0_pubkey(ca->get())) != 1) {
            return openssl_failure(Errc::invalid_config,
                                   where + ": the CRL of " + issuer + " is not signed by that CA");
        }
        // RFC 5280 §5.1.2.5: past nextUpdate a CRL says nothing about what was revoked since.
        const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get());
        if (next == nullptr || X509_cmp_current_time(next) <= 0) {
            return fail(Errc::invalid_config,
                        where + ": the CRL of " + issuer + " has expired (nextUpdate passed)");
        }
        if (X509_cmp_current_time(X509_CRL_get0_lastUpdate(crl.get())) >= 0) {
            return fail(Errc::invalid_config,
                        where + ": the CRL of " + issuer + " is not yet valid");
        }
    }
    for (const auto& ca : cas) {
        auto has_crl = std::any_of(crls.begin(), crls.end(), [&](const X509Crl& crl) {
            return X509_NAME_cmp(X509_get_subject_name(ca.get()), X509_CRL_get_issuer(crl.get())) ==
                   0;
        });
        if (!has_crl) {
            return fail(Errc::invalid_config, where + " has no CRL of the client CA " +
                                                  name_of(X509_get_subject_name(ca.get())));
        }
    }
    return crls;
}

// The handshake checks every certificate of the client's chain against the CRLs, the root's
// included (CRL_CHECK_ALL: an intermediate's revocation is in its issuer's CRL). OpenSSL's
// default verification then refuses a certificate whose issuer has no CRL
// (X509_V_ERR_UNABLE_TO_GET_CRL) and one whose CRL expired while signetd runs
// (X509_V_ERR_CRL_HAS_EXPIRED): no callback overrides either.
Status check_client_crls(SSL_CTX* ctx, const config::Tls& tls) {
    std::vector<X509Crl> crls;
    SIGNET_TRY(crls, read_client_crls(*tls.client_crl, tls.client_ca));
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    for (const auto& crl : crls) {
        if (X509_STORE_add_crl(store, crl.get()) != 1) {
            return openssl_failure(Errc::invalid_config,
                                   "adding [tls] client_crl " + tls.client_crl->string());
        }
    }
    const unsigned long flags = X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
    if (X509_STORE_set_flags(store, flags) != 1 ||
        X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx), flags) != 1) {
        return openssl_failure(Errc::internal, "enabling the client CRL check");
    }
    return {};
}

}  // namespace

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
    if (tls.client_crl) SIGNET_CHECK(check_client_crls(ctx, tls));
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_verify_depth(ctx, 4);
    static constexpr unsigned char session_context[] = "signetd";
    SSL_CTX_set_session_id_context(ctx, session_context, sizeof session_context - 1);
    return context;
}

}  // namespace signet::daemon
