#include "devpki/dev_init.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>

#include <openssl/rand.h>

#include "base/base64.hpp"
#include "devpki/dev_crl.hpp"
#include "devpki/dev_pki.hpp"
#include "base/openssl_error.hpp"
#include "base/secret_file.hpp"
#include "base/time.hpp"
#include "hsm/module.hpp"
#include "hsm/token.hpp"
#include "store/database.hpp"

namespace signet::daemon {
namespace {

namespace fs = std::filesystem;

constexpr const char* token_label = "signet-dev";

devpki::CertificateSpec spec_for(std::string common_name, devpki::Usage usage, int valid_days) {
    devpki::CertificateSpec spec;
    spec.common_name = std::move(common_name);
    spec.usage = usage;
    spec.valid_days = valid_days;
    return spec;
}

Result<std::string> random_hex(std::size_t bytes) {
    std::vector<std::uint8_t> buffer(bytes);
    if (RAND_bytes(buffer.data(), static_cast<int>(bytes)) != 1) {
        return openssl_failure(Errc::internal, "drawing random bytes");
    }
    return hex_encode(buffer);
}

Status write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out.flush()) return fail(Errc::unavailable, "cannot write " + path.string());
    return {};
}

// One client or server certificate with its key, as pki/NAME.pem and pki/NAME.key.
Status issue_tls_pair(const fs::path& pki, const std::string& name, devpki::Usage usage,
                      X509* ca, EVP_PKEY* ca_key) {
    auto key = devpki::generate_key("ec-p256");
    if (!key) return std::unexpected(key.error());
    devpki::CertificateSpec spec = spec_for(name, usage, 825);
    if (usage == devpki::Usage::tls_server) {
        spec.dns_names = {"localhost"};
        spec.ip_addresses = {"127.0.0.1"};
    }
    auto cert = devpki::issue(spec, key->get(), ca, ca_key);
    if (!cert) return std::unexpected(cert.error());
    SIGNET_CHECK(devpki::write_certificate(pki / (name + ".pem"), cert->get()));
    return devpki::write_private_key(pki / (name + ".key"), key->get());
}

struct HsmKey {
    std::string purpose;
    std::string label;
    std::string common_name;
    hsm::KeyAlgorithm algorithm = hsm::KeyAlgorithm::rsa_3072;
    devpki::Usage usage = devpki::Usage::signing;
};

// A key pair made in the token, certified by the development signing CA; the certificate
// goes to the token, to DIR/pki/PURPOSE.pem and to the key register, and the key is active.
Status make_hsm_key(hsm::Token& token, store::Database& db, const fs::path& pki, const HsmKey& spec,
                    X509* signing_ca, EVP_PKEY* signing_ca_key, const std::string& chain_pem,
                    const DevInitOptions& options) {
    auto id_hex = random_hex(16);
    if (!id_hex) return std::unexpected(id_hex.error());
    auto id = hex_decode(*id_hex);
    if (!id) return std::unexpected(id.error());
    auto public_key = token.generate_key_pair(spec.algorithm, *id, spec.label);
    if (!public_key) return std::unexpected(public_key.error());
    devpki::CertificateSpec cert_spec = spec_for(spec.common_name, spec.usage, 3 * 365);
    cert_spec.ocsp_url = options.ocsp_url;
    cert_spec.crl_url = options.crl_url;
    auto cert = devpki::issue(cert_spec, public_key->get(), signing_ca, signing_ca_key);
    if (!cert) return std::unexpected(cert.error());
    auto der = signet::to_der(cert->get());
    if (!der) return std::unexpected(der.error());
    SIGNET_CHECK(token.store_certificate(*id, spec.label, *der));
    SIGNET_CHECK(devpki::write_certificate(pki / (spec.purpose + ".pem"), cert->get()));

    auto insert = db.prepare(
        "INSERT INTO keys (key_id, purpose, label, algorithm, state, certificate, chain, "
        "created_at) VALUES (?, ?, ?, ?, 'active', ?, ?, ?)");
    if (!insert) return std::unexpected(insert.error());
    insert->bind(1, *id_hex)
        .bind(2, spec.purpose)
        .bind(3, spec.label)
        .bind(4, std::string(hsm::to_string(spec.algorithm)))
        .bind(5, store::Blob(der->begin(), der->end()))
        .bind(6, store::Blob(chain_pem.begin(), chain_pem.end()))
        .bind(7, signet::format_timestamp(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())));
    return insert->run();
}

// Without --ocsp-url and --crl-url the certificates name no responder: the development CA's
// own CRL file (signetctl dev-crl) gives their status.
std::string revocation_text(const DevInitOptions& options) {
    std::string text = "# The status of the signing certificates before each key use (\"require\": none, no use).\n"
                       "[revocation]\nmode = \"require\"\n";
    if (options.ocsp_url.empty() && options.crl_url.empty()) text += "crl_files = [\"pki/signing-ca.crl\"]\n";
    return text + "\n";
}

config::Store store_of(const DevInitOptions& options) {
    config::Store store;
    store.path = std::filesystem::absolute(options.dir) / "signet.db";
    if (!options.store_url.empty()) {
        store.backend = config::Store::Backend::postgresql;
        store.url = options.store_url;
        store.password_file = std::filesystem::absolute(options.store_password_file);
    }
    return store;
}

std::string store_text(const DevInitOptions& options) {
    if (options.store_url.empty()) return "[store]\nbackend = \"sqlite\"\npath = \"signet.db\"\n\n";
    return "[store]\nbackend = \"postgresql\"\nurl = \"" + options.store_url + "\"\npassword_file = \"" +
           std::filesystem::absolute(options.store_password_file).string() + "\"\n\n";
}

std::string config_text(const DevInitOptions& options) {
    return "# signetd configuration made by `signetctl dev-init` for development.\n"
           "# Relative paths are relative to this file's folder.\n\n"
           "[server]\naddress = \"127.0.0.1\"\nport = " + std::to_string(options.port) + "\n\n"
           "[tls]\ncertificate = \"pki/server.pem\"\nprivate_key = \"pki/server.key\"\n"
           "client_ca = \"pki/tls-ca.pem\"\n\n"
           "[[client]]\nsubject_cn = \"platform\"\nrole = \"platform\"\n\n"
           "[[client]]\nsubject_cn = \"officer\"\nrole = \"officer\"\n\n"
           "[[client]]\nsubject_cn = \"officer2\"\nrole = \"officer\"\n\n"
           "[[client]]\nsubject_cn = \"auditor\"\nrole = \"auditor\"\n\n"
           "[[client]]\nsubject_cn = \"balancer\"\nrole = \"monitor\"\n\n"
           "[hsm]\nmodule = \"" + options.pkcs11_module.string() + "\"\n"
           "softhsm_conf = \"softhsm2.conf\"\n"
           "token = \"pkcs11:token=" + token_label + "\"\n"
           "pin_file = \"secrets/user-pin\"\n\n"
           + store_text(options) +
           "[policy]\nrights_matrix = \"" + options.rights_matrix.string() + "\"\n\n"
           "[keys]\nsigning_trust_anchors = \"pki/signing-ca.pem\"\n\n"
           "[signature]\nlevel = \"B-B\"\n\n"
           "# signetd's own time-stamping authority. 2.999 is the example arc of ITU-T X.660: a\n"
           "# development policy OID that no real policy uses. A development machine rarely runs a\n"
           "# time daemon, so the clock's synchronisation is not required here; it is in production.\n"
           "[timestamp]\nsource = \"internal\"\npolicy = \"2.999.1.1\"\naccuracy_seconds = 1\n"
           "require_synchronized_clock = false\n\n" + revocation_text(options) +
           "[limits]\nmax_body_bytes = 92274688\nmax_raw_document_bytes = 67108864\n";
}

}  // namespace

fs::path shipped_rights_matrix() {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return fs::weakly_canonical(exe.parent_path() / ".." / "share" / "signet" / "rights-matrix.toml", ec);
}

namespace {

Status check_fresh(const fs::path& dir) {
    std::error_code ec;
    for (const char* existing : {"signetd.toml", "pki", "secrets", "tokens", "signet.db"}) {
        if (fs::exists(dir / existing, ec)) {
            return fail(Errc::conflict,
                        dir.string() + " already holds a signet installation (" + existing +
                            " exists); dev-init never overwrites keys: choose an empty folder");
        }
    }
    return {};
}

Status make_dir(const fs::path& path, fs::perms perms) {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) return fail(Errc::unavailable, "cannot create " + path.string() + ": " + ec.message());
    fs::permissions(path, perms, ec);
    if (ec) return fail(Errc::unavailable, "cannot set the mode of " + path.string());
    return {};
}

}  // namespace

Status dev_init(const DevInitOptions& requested) {
    DevInitOptions options = requested;
    if (options.rights_matrix.empty()) options.rights_matrix = shipped_rights_matrix();
    options.rights_matrix = fs::absolute(options.rights_matrix);
    if (std::error_code ec; !fs::is_regular_file(options.rights_matrix, ec)) {
        return fail(Errc::invalid_config, "the rights matrix " + options.rights_matrix.string() +
                                              " is missing (it is shipped in share/signet/)");
    }
    const fs::path dir = fs::absolute(options.dir);
    SIGNET_CHECK(check_fresh(dir));
    const fs::path pki = dir / "pki";
    SIGNET_CHECK(make_dir(dir, fs::perms::owner_all | fs::perms::group_read |
                                   fs::perms::group_exec | fs::perms::others_read |
                                   fs::perms::others_exec));
    SIGNET_CHECK(make_dir(pki, fs::perms::owner_all | fs::perms::group_read |
                                   fs::perms::group_exec | fs::perms::others_read |
                                   fs::perms::others_exec));
    SIGNET_CHECK(make_dir(dir / "secrets", fs::perms::owner_all));
    SIGNET_CHECK(make_dir(dir / "tokens", fs::perms::owner_all));

    // TLS: a CA, the server and the clients of DESIGN.md.
    auto tls_ca_key = devpki::generate_key("ec-p256");
    if (!tls_ca_key) return std::unexpected(tls_ca_key.error());
    auto tls_ca = devpki::issue(spec_for("signet development TLS CA", devpki::Usage::ca, 3650),
                                tls_ca_key->get(), nullptr, tls_ca_key->get());
    if (!tls_ca) return std::unexpected(tls_ca.error());
    SIGNET_CHECK(devpki::write_certificate(pki / "tls-ca.pem", tls_ca->get()));
    SIGNET_CHECK(issue_tls_pair(pki, "server", devpki::Usage::tls_server, tls_ca->get(),
                                tls_ca_key->get()));
    // "balancer": a load balancer's health checks (role monitor), for several nodes.
    for (const char* client : {"platform", "officer", "officer2", "auditor", "balancer"}) {
        SIGNET_CHECK(issue_tls_pair(pki, client, devpki::Usage::tls_client, tls_ca->get(),
                                    tls_ca_key->get()));
    }

    // The development signing CA that certifies the seal and audit keys.
    auto signing_ca_key = devpki::generate_key("rsa-3072");
    if (!signing_ca_key) return std::unexpected(signing_ca_key.error());
    auto signing_ca = devpki::issue(spec_for("signet development signing CA", devpki::Usage::ca, 3650),
                                    signing_ca_key->get(), nullptr, signing_ca_key->get());
    if (!signing_ca) return std::unexpected(signing_ca.error());
    SIGNET_CHECK(devpki::write_certificate(pki / "signing-ca.pem", signing_ca->get()));
    SIGNET_CHECK(devpki::write_private_key(pki / "signing-ca.key", signing_ca_key->get()));
    // Its CRL, empty until `signetctl dev-crl --revoke` lists a certificate; 30 days, so that a
    // forgotten installation shows what a stale CRL does.
    auto crl = devpki::next_crl(signing_ca->get(), signing_ca_key->get(), nullptr, {}, std::chrono::days(30));
    if (!crl) return std::unexpected(crl.error());
    SIGNET_CHECK(devpki::write_crl(pki / "signing-ca.crl", crl->get()));
    auto chain_pem = signet::to_pem(signing_ca->get());
    if (!chain_pem) return std::unexpected(chain_pem.error());

    // A fresh SoftHSM token in DIR/tokens, with PINs that only files hold.
    SIGNET_CHECK(write_text(dir / "softhsm2.conf",
                            "# SoftHSM configuration made by signetctl dev-init\n"
                            "directories.tokendir = " + (dir / "tokens").string() + "\n"
                            "objectstore.backend = file\nlog.level = ERROR\n"
                            "slots.removable = false\n"));
    ::setenv("SOFTHSM2_CONF", (dir / "softhsm2.conf").c_str(), 1);
    auto user_pin_hex = random_hex(16);
    auto so_pin_hex = random_hex(16);
    if (!user_pin_hex || !so_pin_hex) return fail(Errc::internal, "cannot draw PINs");
    Secret user_pin(std::move(*user_pin_hex));
    Secret so_pin(std::move(*so_pin_hex));
    SIGNET_CHECK(write_secret_file(dir / "secrets" / "user-pin", user_pin));
    SIGNET_CHECK(write_secret_file(dir / "secrets" / "so-pin", so_pin));

    auto module = hsm::Module::load(options.pkcs11_module);
    if (!module) return std::unexpected(module.error());
    SIGNET_CHECK(hsm::Token::initialise(**module, token_label, so_pin, user_pin));
    auto token = hsm::Token::open(*module, token_label, user_pin, 1);
    if (!token) return std::unexpected(token.error());

    auto db = store::Database::open(store_of(options));
    if (!db) return std::unexpected(db.error());
    SIGNET_CHECK(make_hsm_key(**token, *db, pki,
                              {"seal", "seal-1", "signet development seal"},
                              signing_ca->get(), signing_ca_key->get(), *chain_pem, options));
    SIGNET_CHECK(make_hsm_key(**token, *db, pki,
                              {"audit", "audit-1", "signet development audit log"},
                              signing_ca->get(), signing_ca_key->get(), *chain_pem, options));
    // The time-stamping authority's key: RSA-3072 by default, the profile most TSA
    // certificates have, or --tsa-algorithm; its certificate has the critical extendedKeyUsage
    // timeStamping alone (RFC 3161 §2.3).
    SIGNET_CHECK(make_hsm_key(**token, *db, pki,
                              {"tsa", "tsa-1", "signet development TSA", options.tsa_algorithm,
                               devpki::Usage::time_stamping},
                              signing_ca->get(), signing_ca_key->get(), *chain_pem, options));

    // The guest CA (issue 22): it certifies each guest's one-time key, for an hour; EC P-256,
    // whose signatures cost the HSM least.
    SIGNET_CHECK(make_hsm_key(**token, *db, pki,
                              {"guest-ca", "guest-ca-1", "signet development guest CA", hsm::KeyAlgorithm::ec_p256,
                               devpki::Usage::guest_ca},
                              signing_ca->get(), signing_ca_key->get(), *chain_pem, options));

    // Written last: its presence means the installation is complete.
    return write_text(dir / "signetd.toml", config_text(options));
}

Result<std::size_t> dev_crl(const DevCrlOptions& options) {
    const fs::path pki = options.dir / "pki";
    auto ca = devpki::read_certificate(pki / "signing-ca.pem");
    if (!ca) return std::unexpected(ca.error());
    auto ca_key = devpki::read_private_key(pki / "signing-ca.key");
    if (!ca_key) return std::unexpected(ca_key.error());
    X509Crl previous;
    if (std::error_code ec; fs::exists(pki / "signing-ca.crl", ec)) {
        auto read = devpki::read_crl(pki / "signing-ca.crl");
        if (!read) return std::unexpected(read.error());
        previous = std::move(*read);
    }
    std::vector<devpki::Cert> revoked;
    for (const fs::path& file : options.revoke) {
        auto cert = devpki::read_certificate(file);
        if (!cert) return std::unexpected(cert.error());
        revoked.push_back(std::move(*cert));
    }
    std::vector<X509*> revoke;
    for (const auto& cert : revoked) revoke.push_back(cert.get());
    auto crl = devpki::next_crl(ca->get(), ca_key->get(), previous.get(), revoke, options.validity);
    if (!crl) return std::unexpected(crl.error());
    SIGNET_CHECK(devpki::write_crl(pki / "signing-ca.crl", crl->get()));
    // An empty CRL has no list at all, and sk_num of none is -1.
    const int listed = sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl->get()));
    return static_cast<std::size_t>(std::max(listed, 0));
}

}  // namespace signet::daemon
