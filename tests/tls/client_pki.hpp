#pragma once
// Client certificates of every kind a handshake must tell apart, from a client CA of the test's
// own: dev-init keeps no TLS CA key (docs/operator-guide.md), so the test makes a CA, re-issues
// dev-init's client certificates with it and points [tls] client_ca and client_crl at it.

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "devpki/dev_pki.hpp"
#include "tests/integration/support/fixture.hpp"

namespace signet::test {

class ClientPki {
public:
    // A fresh CA named `ca_name` in `folder` (made if missing), as STEM.pem and STEM.key.
    ClientPki(std::filesystem::path folder, const std::string& ca_name,
              std::string stem = "clients-ca");

    // folder/name.pem and name.key, subject CN `cn`, issued by this CA; `expired`: valid from
    // 30 days ago to yesterday. Replaces files of the same name.
    void issue(const std::string& name, const std::string& cn, bool expired = false);
    // folder/name.pem and name.key: a TLS server certificate for 127.0.0.1 and localhost whose
    // cRLDistributionPoints names `crl_url` (RFC 5280 §4.2.1.13), as a production one would.
    void issue_server(const std::string& name, const std::string& crl_url);
    // A CRL of this CA listing the certificates issued as `revoked`, valid for `validity` from now
    // (negative: already past its nextUpdate), written to `file` in one rename.
    void write_crl(const std::filesystem::path& file, const std::vector<std::string>& revoked,
                   std::chrono::seconds validity = std::chrono::hours(24)) const;

    std::filesystem::path certificate(const std::string& name) const {
        return folder_ / (name + ".pem");
    }
    std::filesystem::path key(const std::string& name) const { return folder_ / (name + ".key"); }
    std::filesystem::path ca_file() const { return folder_ / (stem_ + ".pem"); }

private:
    void write(const std::string& name, devpki::Cert cert, const devpki::Key& key);

    std::filesystem::path folder_;
    std::string stem_;
    devpki::Key ca_key_;
    devpki::Cert ca_;
    std::map<std::string, devpki::Cert> issued_;
};

// Re-issues the installation's platform, officer, officer2 and auditor certificates with `pki`
// (whose folder must be the installation's pki/), writes an empty CRL to pki/clients.crl, sets
// [tls] client_ca and client_crl to them, and restarts signetd.
void check_clients_against_crl(Installation& installation, ClientPki& pki);

// One GET /v1/health with `certificate` and `key` ("" for none).
HttpResult attempt(const Installation& installation, const std::filesystem::path& certificate,
                   const std::filesystem::path& key);

// How many times `text` occurs in `file`.
std::size_t occurrences(const std::filesystem::path& file, const std::string& text);

}  // namespace signet::test
