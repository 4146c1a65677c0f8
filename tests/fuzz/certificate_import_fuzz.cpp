// An officer's certificate import, PUT /v1/keys/{id}/certificate (keys/key_admin.cpp,
// import_key_certificate): the JSON body's "certificate" and "chain" PEM texts read by
// read_submission (keys/certificate_checks.hpp), the checks against the key and the signing
// trust anchors (check_for_key), then what the import stores (DER, PEM, validity).
//
// The first byte chooses the form of the rest: even, it is the JSON body as the officer sent
// it; odd, it is a certificate's DER, wrapped in PEM as an officer's tool would (libFuzzer
// mutates DER much better through base64 it does not have to keep valid). The key in the token
// is taken to be the certificate's own, as for the right certificate: a random key would stop
// every input at the first check. The trust anchor is make_pki.sh's CA.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/base64.hpp"
#include "base/x509_encoding.hpp"
#include "json/json_fields.hpp"
#include "keys/certificate_checks.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace signet::daemon;

std::string as_pem(std::span<const std::uint8_t> der) {
    std::string pem = "-----BEGIN CERTIFICATE-----\n";
    const std::string base64 = signet::base64_encode(der);
    for (std::size_t at = 0; at < base64.size(); at += 64) pem += base64.substr(at, 64) + "\n";
    return pem + "-----END CERTIFICATE-----\n";
}

void import(const std::string& certificate_pem, const std::vector<std::string>& chain_pems) {
    static const auto anchors = signet::fuzz::pki() / "ca.pem";
    auto submission = read_submission(certificate_pem, chain_pems);
    if (!submission) return;
    X509* certificate = submission->certificate.get();
    EVP_PKEY* key = X509_get0_pubkey(certificate);
    const auto now =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    if (key != nullptr) {
        for (auto purpose : {signet::policy::KeyPurpose::seal, signet::policy::KeyPurpose::tsa}) {
            (void)check_for_key(*submission, key, purpose, anchors, now);
        }
    }
    (void)signet::to_der(certificate);
    for (const auto& issuer : submission->chain) (void)signet::to_pem(issuer.get());
    (void)validity_of(certificate);
    (void)signet::name_text(X509_get_subject_name(certificate));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::span<const std::uint8_t> rest(data + 1, size - 1);
    if ((data[0] & 1) != 0) {
        static const std::string ca = signet::fuzz::read_file(signet::fuzz::pki() / "ca.pem");
        import(as_pem(rest), {ca});
        return 0;
    }
    auto fields = JsonFields::parse(signet::fuzz::text_of(rest.data(), rest.size()),
                                    {"certificate", "chain"});
    if (!fields) return 0;
    auto certificate = fields->pem("certificate");
    auto chain = fields->pems("chain");
    if (certificate && chain) import(*certificate, *chain);
    return 0;
}
