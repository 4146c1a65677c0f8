#include "tests/support/responders/ocsp_responder.hpp"

#include <chrono>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <thread>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/base64.hpp"
#include "base/ssl_ptr.hpp"
#include "hsm/uri.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace signet::test {
namespace {

void openssl(const std::vector<std::string>& arguments) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    const RunResult result = run(argv);
    if (result.exit_code != 0) {
        std::string line;
        for (const auto& a : argv) line += a + " ";
        throw std::runtime_error(line + "failed: " + result.output);
    }
}

std::string ca_config(const std::filesystem::path& dir, std::uint16_t port) {
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    return "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = unused\n"
           "[ca]\ndefault_ca = ca_default\n"
           "[ca_default]\ndir = " +
           dir.string() +
           "\ndatabase = $dir/index.txt\n"
           "new_certs_dir = $dir\nserial = $dir/serial\ncrlnumber = $dir/crlnumber\n"
           "certificate = $dir/ca.pem\nprivate_key = $dir/ca.key\ndefault_md = sha256\n"
           "default_days = 30\ndefault_crl_days = 7\npolicy = policy_any\nunique_subject = no\n"
           "email_in_dn = no\ncopy_extensions = none\n"
           "[policy_any]\ncommonName = supplied\n"
           "[v3_ca]\nbasicConstraints = critical, CA:TRUE\n"
           "keyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n"
           "[leaf_full]\nbasicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\n"
           "authorityInfoAccess = OCSP;URI:" +
           base +
           "/ocsp\n"
           "crlDistributionPoints = URI:" +
           base +
           "/ca.crl\n"
           "[leaf_cdp]\nbasicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\n"
           "crlDistributionPoints = URI:" +
           base +
           "/ca.crl\n"
           "[leaf_none]\nbasicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\n"
           "[responder]\nbasicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\n"
           "extendedKeyUsage = OCSPSigning\n"
           "[plain]\nbasicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\n";
}

}  // namespace

TestPki::TestPki(const std::filesystem::path& folder, std::uint16_t port)
    : folder_(folder), port_(port) {
    make_ca("ca", "signet test revocation CA");
    make_ca("other", "signet test unrelated CA");
    ca_cert = folder_ / "ca" / "ca.pem";
    ca_key = folder_ / "ca" / "ca.key";
    other_ca_cert = folder_ / "other" / "ca.pem";
    other_ca_key = folder_ / "other" / "ca.key";
    responder_cert = issue("responder", "responder");
    responder_key = folder_ / "responder.key";
    plain_cert = issue("plain", "plain");
    plain_key = folder_ / "plain.key";
    leaf = issue("leaf", "leaf_full");
    leaf2 = issue("leaf2", "leaf_full");
    leaf_cdp = issue("leaf_cdp", "leaf_cdp");
    leaf_none = issue("leaf_none", "leaf_none");
}

void TestPki::make_ca(const std::string& name, const std::string& common_name) {
    const auto dir = folder_ / name;
    std::filesystem::create_directories(dir);
    write_file(dir / "openssl.cnf", ca_config(dir, port_));
    write_file(dir / "index.txt", "");
    write_file(dir / "serial", "1000\n");
    write_file(dir / "crlnumber", "01\n");
    openssl({"req", "-x509", "-config", (dir / "openssl.cnf").string(), "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:P-256", "-nodes", "-keyout", (dir / "ca.key").string(), "-out",
             (dir / "ca.pem").string(), "-subj", "/CN=" + common_name, "-days", "30", "-extensions",
             "v3_ca"});
}

std::filesystem::path TestPki::issue(const std::string& name, const std::string& extensions) {
    const auto csr = folder_ / (name + ".csr");
    const auto cert = folder_ / (name + ".pem");
    const auto config = (folder_ / "ca" / "openssl.cnf").string();
    openssl({"req", "-new", "-config", config, "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:P-256", "-nodes", "-keyout", (folder_ / (name + ".key")).string(),
             "-out", csr.string(), "-subj", "/CN=signet test " + name});
    openssl({"ca", "-batch", "-config", config, "-extensions", extensions, "-in", csr.string(),
             "-out", cert.string(), "-notext"});
    return cert;
}

std::string TestPki::ocsp_url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/ocsp";
}
std::string TestPki::crl_url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/ca.crl";
}
std::filesystem::path TestPki::index() const { return folder_ / "ca" / "index.txt"; }

void TestPki::revoke(const std::filesystem::path& cert, const std::string& reason) {
    openssl({"ca", "-config", (folder_ / "ca" / "openssl.cnf").string(), "-revoke", cert.string(),
             "-crl_reason", reason});
}

void TestPki::make_crl(const std::filesystem::path& out, int hours, bool other_ca) {
    openssl({"ca", "-config", (folder_ / (other_ca ? "other" : "ca") / "openssl.cnf").string(),
             "-gencrl", "-crlhours", std::to_string(hours), "-out", out.string()});
}

OcspResponder::OcspResponder(const std::filesystem::path& work, std::uint16_t first,
                             std::uint16_t last)
    : work_(work),
      server_(first, last, [this](const HttpExchange& exchange) { return answer(exchange); },
              [this] { return mode_ == Mode::hang; }) {}

OcspResponder::~OcspResponder() = default;

void OcspResponder::configure(const TestPki& pki, const std::filesystem::path& signer_cert,
                              const std::filesystem::path& signer_key, int next_update_minutes) {
    configure(pki.index(), pki.ca_cert, signer_cert, signer_key, next_update_minutes);
}

void OcspResponder::configure(const std::filesystem::path& index, const std::filesystem::path& ca_cert,
                              const std::filesystem::path& signer_cert, const std::filesystem::path& signer_key,
                              int next_update_minutes) {
    std::lock_guard lock(mutex_);
    index_ = index;
    ca_ = ca_cert;
    signer_cert_ = signer_cert;
    signer_key_ = signer_key;
    next_update_minutes_ = next_update_minutes;
}

void OcspResponder::set_crl(const std::filesystem::path& crl) {
    std::lock_guard lock(mutex_);
    crl_ = crl;
}

HttpAnswer OcspResponder::answer(const HttpExchange& exchange) {
    if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_.load()));
    if (exchange.path == "/ca.crl") {
        ++crl_requests_;
        std::filesystem::path crl;
        {
            std::lock_guard lock(mutex_);
            crl = crl_;
        }
        if (crl.empty() || !std::filesystem::exists(crl)) return {"404 Not Found", "text/plain", "no CRL\n"};
        return {"200 OK", "application/pkix-crl", read_file(crl)};
    }
    if (!exchange.path.starts_with("/ocsp")) return {"404 Not Found", "text/plain", "unknown path\n"};
    ++ocsp_requests_;
    std::string request = exchange.body;
    if (exchange.method != "POST") {
        ++ocsp_get_requests_;
        // RFC 6960 A.1: GET {url}/{url-encoding of base-64 encoding of the DER OCSPRequest}.
        const auto text = hsm::percent_decode(exchange.path.substr(std::strlen("/ocsp/")));
        const auto der = text ? base64_decode(*text) : std::unexpected(text.error());
        if (!der) return {"400 Bad Request", "text/plain", "bad GET\n"};
        request.assign(der->begin(), der->end());
    }
    return {"200 OK", "application/ocsp-response", answer_ocsp(request)};
}

std::string OcspResponder::answer_ocsp(const std::string& request_der) {
    std::lock_guard lock(mutex_);
    const std::string name = std::to_string(++counter_);
    const auto request = work_ / ("request-" + name + ".der");
    const auto response = work_ / ("response-" + name + ".der");
    write_file(request, request_der);
    std::vector<std::string> arguments{"ocsp",
                                       "-index",
                                       index_.string(),
                                       "-CA",
                                       ca_.string(),
                                       "-rsigner",
                                       signer_cert_.string(),
                                       "-rkey",
                                       signer_key_.string(),
                                       "-reqin",
                                       request.string(),
                                       "-respout",
                                       response.string()};
    if (next_update_minutes_ > 0) {
        arguments.push_back("-nmin");
        arguments.push_back(std::to_string(next_update_minutes_));
    }
    openssl(arguments);
    return read_file(response);
}

namespace {

// YYMMDDHHMMSSZ, the index's UTCTime.
std::string index_time(const tm& when) {
    char text[16];
    std::strftime(text, sizeof text, "%y%m%d%H%M%SZ", &when);
    return text;
}

}  // namespace

std::string index_line(const std::filesystem::path& cert, const std::string& revoked_reason) {
    const std::string pem = read_file(cert);
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!certificate) throw std::runtime_error("cannot read " + cert.string());
    std::unique_ptr<BIGNUM, SslDeleter<&BN_free>> serial(
        ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate.get()), nullptr));
    const auto owned_text = [](char* text) {
        std::string copy = text != nullptr ? text : "";
        OPENSSL_free(text);
        return copy;
    };
    const std::string serial_hex = owned_text(BN_bn2hex(serial.get()));
    tm not_after{};
    ASN1_TIME_to_tm(X509_get0_notAfter(certificate.get()), &not_after);
    const std::string subject = owned_text(X509_NAME_oneline(X509_get_subject_name(certificate.get()), nullptr, 0));
    std::string revoked;
    if (!revoked_reason.empty()) {
        const time_t now = ::time(nullptr);
        tm today{};
        gmtime_r(&now, &today);
        revoked = index_time(today) + "," + revoked_reason;
    }
    return std::string(revoked.empty() ? "V" : "R") + "\t" + index_time(not_after) + "\t" + revoked + "\t" +
           serial_hex + "\tunknown\t" + subject + "\n";
}

}  // namespace signet::test
