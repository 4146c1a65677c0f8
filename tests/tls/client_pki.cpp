#include "tests/tls/client_pki.hpp"

#include <stdexcept>

#include <openssl/x509.h>

#include "devpki/dev_crl.hpp"
#include "tests/support/need.hpp"
#include "tests/support/temp_dir.hpp"

namespace signet::test {

namespace fs = std::filesystem;

ClientPki::ClientPki(fs::path folder, const std::string& ca_name, std::string stem)
    : folder_(std::move(folder)), stem_(std::move(stem)) {
    fs::create_directories(folder_);
    ca_key_ = need(devpki::generate_key("ec-p256"));
    devpki::CertificateSpec spec;
    spec.common_name = ca_name;
    spec.usage = devpki::Usage::ca;
    spec.valid_days = 3650;
    ca_ = need(devpki::issue(spec, ca_key_.get(), nullptr, ca_key_.get()));
    std::error_code ec;
    fs::remove(ca_file(), ec);
    fs::remove(folder_ / (stem_ + ".key"), ec);
    need(devpki::write_certificate(ca_file(), ca_.get()));
    need(devpki::write_private_key(folder_ / (stem_ + ".key"), ca_key_.get()));
}

void ClientPki::issue(const std::string& name, const std::string& cn, bool expired) {
    auto key = need(devpki::generate_key("ec-p256"));
    devpki::CertificateSpec spec;
    spec.common_name = cn;
    auto cert = need(devpki::issue(spec, key.get(), ca_.get(), ca_key_.get()));
    if (expired) {
        // Validity moved into the past and signed again: a certificate that was good once.
        if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -30L * 86400) == nullptr ||
            X509_gmtime_adj(X509_getm_notAfter(cert.get()), -86400) == nullptr ||
            X509_sign(cert.get(), ca_key_.get(), EVP_sha256()) <= 0) {
            throw std::runtime_error("cannot back-date the certificate " + name);
        }
    }
    write(name, std::move(cert), key);
}

void ClientPki::issue_server(const std::string& name, const std::string& crl_url) {
    auto key = need(devpki::generate_key("ec-p256"));
    devpki::CertificateSpec spec;
    spec.common_name = "signetd";
    spec.usage = devpki::Usage::tls_server;
    spec.dns_names = {"localhost"};
    spec.ip_addresses = {"127.0.0.1"};
    spec.crl_url = crl_url;
    write(name, need(devpki::issue(spec, key.get(), ca_.get(), ca_key_.get())), key);
}

void ClientPki::write(const std::string& name, devpki::Cert cert, const devpki::Key& key) {
    std::error_code ec;
    fs::remove(certificate(name), ec);
    fs::remove(this->key(name), ec);
    need(devpki::write_certificate(certificate(name), cert.get()));
    need(devpki::write_private_key(this->key(name), key.get()));
    issued_[name] = std::move(cert);
}

void ClientPki::write_crl(const fs::path& file, const std::vector<std::string>& revoked,
                          std::chrono::seconds validity) const {
    std::vector<X509*> listed;
    for (const auto& name : revoked) listed.push_back(issued_.at(name).get());
    auto crl = need(devpki::next_crl(ca_.get(), ca_key_.get(), nullptr, listed, validity));
    need(devpki::write_crl(file, crl.get()));
}

void check_clients_against_crl(Installation& installation, ClientPki& pki) {
    for (const char* client : {"platform", "officer", "officer2", "auditor"})
        pki.issue(client, client);
    pki.write_crl(installation.install / "pki" / "clients.crl", {});
    const fs::path config_file = installation.install / "signetd.toml";
    std::string config = read_file(config_file);
    const std::string dev_init_ca = "client_ca = \"pki/tls-ca.pem\"\n";
    auto at = config.find(dev_init_ca);
    if (at == std::string::npos)
        throw std::runtime_error("dev-init's config has no [tls] client_ca");
    config.replace(at, dev_init_ca.size(),
                   "client_ca = \"pki/clients-ca.pem\"\nclient_crl = \"pki/clients.crl\"\n");
    write_file(config_file, config);
    installation.restart();
}

HttpResult attempt(const Installation& installation, const fs::path& certificate,
                   const fs::path& key) {
    std::vector<std::string> args;
    if (!certificate.empty()) args = {"--cert", certificate.string(), "--key", key.string()};
    return installation.request("GET", "/v1/health", "", "", "application/json", args);
}

std::size_t occurrences(const fs::path& file, const std::string& text) {
    const std::string content = read_file(file);
    std::size_t count = 0;
    for (auto at = content.find(text); at != std::string::npos;
         at = content.find(text, at + text.size()))
        ++count;
    return count;
}

}  // namespace signet::test
