#include "devpki/dev_pki.hpp"

#include "tests/support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <openssl/asn1.h>
#include <openssl/x509v3.h>

#include "tests/support/need.hpp"

using namespace signet::devpki;
using signet::Errc;
using signet::test::TempDir;

namespace {

Key key(std::string_view algorithm) {
    auto generated = generate_key(algorithm);
    BOOST_REQUIRE_MESSAGE(generated, signet::test::error_of(generated));
    return std::move(*generated);
}

Cert issued(const CertificateSpec& spec, EVP_PKEY* subject, X509* issuer, EVP_PKEY* issuer_key) {
    auto cert = issue(spec, subject, issuer, issuer_key);
    BOOST_REQUIRE_MESSAGE(cert, signet::test::error_of(cert));
    return std::move(*cert);
}

// A spec by assignment (designated initializers that skip fields trip -Wmissing-field-initializers).
CertificateSpec spec(std::string common_name, Usage usage = Usage::tls_client) {
    CertificateSpec out;
    out.common_name = std::move(common_name);
    out.usage = usage;
    return out;
}

CertificateSpec ca_spec() {
    CertificateSpec out = spec("dev CA", Usage::ca);
    out.valid_days = 30;
    return out;
}

// A CA shared by the test cases (EC keys: fast to generate).
struct Ca {
    Key key = ::key("ec-p256");
    Cert cert = issued(ca_spec(), key.get(), nullptr, key.get());
};

bool critical(X509* cert, int nid) {
    int index = X509_get_ext_by_NID(cert, nid, -1);
    BOOST_REQUIRE_MESSAGE(index >= 0, "no extension " << OBJ_nid2sn(nid));
    return X509_EXTENSION_get_critical(X509_get_ext(cert, index)) == 1;
}

bool has_extension(X509* cert, int nid) { return X509_get_ext_by_NID(cert, nid, -1) >= 0; }

std::string subject_entry(X509* cert, int nid) {
    char text[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), nid, text, sizeof text);
    return text;
}

// X509_verify_cert with the CA as the only trust anchor, for `purpose` (X509_PURPOSE_*).
int chain_error(X509* ca, X509* leaf, int purpose) {
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
    BOOST_REQUIRE(X509_STORE_add_cert(store.get(), ca) == 1);
    BOOST_REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr) == 1);
    BOOST_REQUIRE(X509_STORE_CTX_set_purpose(ctx.get(), purpose) == 1);
    if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
    return X509_STORE_CTX_get_error(ctx.get());
}

unsigned mode_of(const std::filesystem::path& path) {
    struct stat info {};
    BOOST_REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

// Restores the umask it replaced.
struct Umask {
    explicit Umask(mode_t mask) : previous(::umask(mask)) {}
    ~Umask() { ::umask(previous); }
    mode_t previous;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(keys)

BOOST_AUTO_TEST_CASE(generates_the_four_algorithms) {
    struct Expected {
        std::string_view name;
        int type;
        int bits;
    };
    for (auto [name, type, bits] : {Expected{"rsa-2048", EVP_PKEY_RSA, 2048}, Expected{"rsa-3072", EVP_PKEY_RSA, 3072},
                                    Expected{"ec-p256", EVP_PKEY_EC, 256}, Expected{"ec-p384", EVP_PKEY_EC, 384}}) {
        BOOST_TEST_CONTEXT(name) {
            Key k = key(name);
            BOOST_TEST(EVP_PKEY_get_base_id(k.get()) == type);
            BOOST_TEST(EVP_PKEY_get_bits(k.get()) == bits);
        }
    }
    BOOST_TEST(EVP_PKEY_eq(key("ec-p256").get(), key("ec-p256").get()) != 1);  // fresh keys
}

BOOST_AUTO_TEST_CASE(refuses_an_unknown_algorithm) {
    for (std::string_view name : {"", "rsa-1024", "RSA-2048", "ed25519", "ec-p521"}) {
        auto generated = generate_key(name);
        BOOST_REQUIRE(!generated);
        BOOST_TEST(static_cast<int>(generated.error().code) == static_cast<int>(Errc::bad_request));
        BOOST_TEST(generated.error().message.find("'" + std::string(name) + "'") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(issuing)

BOOST_AUTO_TEST_CASE(self_signed_ca) {
    Ca ca;
    X509* cert = ca.cert.get();
    BOOST_TEST(X509_get_version(cert) == 2);  // v3
    BOOST_TEST(X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0);
    BOOST_TEST(subject_entry(cert, NID_commonName) == "dev CA");
    BOOST_TEST(subject_entry(cert, NID_organizationName) == "signet development");
    BOOST_TEST(X509_verify(cert, ca.key.get()) == 1);
    BOOST_TEST(X509_check_ca(cert) == 1);
    BOOST_TEST(critical(cert, NID_basic_constraints));
    BOOST_TEST(critical(cert, NID_key_usage));
    BOOST_TEST(X509_get_key_usage(cert) == static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
    BOOST_TEST(!has_extension(cert, NID_ext_key_usage));
    BOOST_TEST(X509_get0_subject_key_id(cert) != nullptr);
    // Valid from (a little before) now to valid_days ahead.
    BOOST_TEST(X509_cmp_current_time(X509_get0_notBefore(cert)) < 0);
    int days = 0, seconds = 0;
    BOOST_REQUIRE(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert)) == 1);
    BOOST_TEST((days == 30 || (days == 29 && seconds > 86000)));
    // A positive serial number.
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
    BOOST_TEST(ASN1_STRING_type(serial) == V_ASN1_INTEGER);
}

BOOST_AUTO_TEST_CASE(tls_server_certificate) {
    Ca ca;
    Key subject = key("ec-p256");
    CertificateSpec server = spec("signetd", Usage::tls_server);
    server.dns_names = {"localhost", "signet.example"};
    server.ip_addresses = {"127.0.0.1"};
    Cert cert = issued(server, subject.get(), ca.cert.get(), ca.key.get());
    X509* c = cert.get();
    BOOST_TEST(X509_verify(c, ca.key.get()) == 1);
    BOOST_TEST(X509_verify(c, subject.get()) != 1);  // signed by the CA, not by itself
    BOOST_TEST(EVP_PKEY_eq(X509_get0_pubkey(c), subject.get()) == 1);
    BOOST_TEST(X509_NAME_cmp(X509_get_issuer_name(c), X509_get_subject_name(ca.cert.get())) == 0);
    const ASN1_OCTET_STRING* akid = X509_get0_authority_key_id(c);
    BOOST_REQUIRE(akid != nullptr);
    BOOST_TEST(ASN1_OCTET_STRING_cmp(akid, X509_get0_subject_key_id(ca.cert.get())) == 0);
    BOOST_TEST(X509_check_issued(ca.cert.get(), c) == X509_V_OK);  // names and AKID match
    BOOST_TEST(X509_check_ca(c) == 0);
    BOOST_TEST(critical(c, NID_basic_constraints));
    BOOST_TEST(critical(c, NID_key_usage));
    BOOST_TEST(X509_get_key_usage(c) == static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
    BOOST_TEST(X509_get_extended_key_usage(c) == static_cast<uint32_t>(XKU_SSL_SERVER));
    BOOST_TEST(X509_check_host(c, "localhost", 0, 0, nullptr) == 1);
    BOOST_TEST(X509_check_host(c, "signet.example", 0, 0, nullptr) == 1);
    BOOST_TEST(X509_check_host(c, "other.example", 0, 0, nullptr) == 0);
    BOOST_TEST(X509_check_ip_asc(c, "127.0.0.1", 0) == 1);
    BOOST_TEST(X509_check_ip_asc(c, "127.0.0.2", 0) == 0);
    BOOST_TEST(chain_error(ca.cert.get(), c, X509_PURPOSE_SSL_SERVER) == X509_V_OK);
    BOOST_TEST(chain_error(ca.cert.get(), c, X509_PURPOSE_SSL_CLIENT) != X509_V_OK);
}

BOOST_AUTO_TEST_CASE(tls_client_certificate) {
    Ca ca;
    Key subject = key("rsa-2048");  // an RSA subject under an EC CA
    CertificateSpec alice = spec("alice");
    alice.organization = "cabinet";
    Cert cert = issued(alice, subject.get(), ca.cert.get(), ca.key.get());
    X509* c = cert.get();
    BOOST_TEST(subject_entry(c, NID_commonName) == "alice");
    BOOST_TEST(subject_entry(c, NID_organizationName) == "cabinet");
    BOOST_TEST(X509_verify(c, ca.key.get()) == 1);
    BOOST_TEST(X509_check_ca(c) == 0);
    BOOST_TEST(X509_get_key_usage(c) == static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
    BOOST_TEST(X509_get_extended_key_usage(c) == static_cast<uint32_t>(XKU_SSL_CLIENT));
    BOOST_TEST(!has_extension(c, NID_subject_alt_name));
    BOOST_TEST(chain_error(ca.cert.get(), c, X509_PURPOSE_SSL_CLIENT) == X509_V_OK);
    BOOST_TEST(chain_error(ca.cert.get(), c, X509_PURPOSE_SSL_SERVER) != X509_V_OK);
}

BOOST_AUTO_TEST_CASE(signing_certificate) {
    Ca ca;
    Key subject = key("ec-p384");
    Cert cert = issued(spec("seal", Usage::signing), subject.get(), ca.cert.get(), ca.key.get());
    X509* c = cert.get();
    BOOST_TEST(X509_verify(c, ca.key.get()) == 1);
    BOOST_TEST(X509_check_ca(c) == 0);
    BOOST_TEST(critical(c, NID_key_usage));
    BOOST_TEST(X509_get_key_usage(c) == static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION));
    BOOST_TEST(!has_extension(c, NID_ext_key_usage));
    BOOST_TEST(chain_error(ca.cert.get(), c, X509_PURPOSE_ANY) == X509_V_OK);
}

BOOST_AUTO_TEST_CASE(another_ca_does_not_verify_it) {
    Ca ca, other;
    Key subject = key("ec-p256");
    Cert cert = issued(spec("bob"), subject.get(), ca.cert.get(), ca.key.get());
    BOOST_TEST(X509_verify(cert.get(), other.key.get()) != 1);
    BOOST_TEST(chain_error(other.cert.get(), cert.get(), X509_PURPOSE_SSL_CLIENT) != X509_V_OK);
    // Serial numbers are random: two certificates of one CA differ.
    Cert again = issued(spec("bob"), subject.get(), ca.cert.get(), ca.key.get());
    BOOST_TEST(ASN1_INTEGER_cmp(X509_get0_serialNumber(cert.get()), X509_get0_serialNumber(again.get())) != 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(files)

BOOST_AUTO_TEST_CASE(writes_with_modes_0644_and_0600_and_reads_back) {
    Ca ca;
    TempDir dir("signet-devpki-test");
    Umask open_mask(0);  // the modes are the ones asked for, not what the umask leaves of 0666
    BOOST_REQUIRE(write_certificate(dir / "ca.pem", ca.cert.get()));
    BOOST_REQUIRE(write_private_key(dir / "ca.key", ca.key.get()));
    BOOST_TEST(mode_of(dir / "ca.pem") == 0644U);
    BOOST_TEST(mode_of(dir / "ca.key") == 0600U);
    BOOST_TEST(signet::test::read_file(dir / "ca.pem").starts_with("-----BEGIN CERTIFICATE-----\n"));
    // Split so that a search for committed private keys does not take this assertion for one.
    BOOST_TEST(signet::test::read_file(dir / "ca.key").starts_with("-----BEGIN " "PRIVATE KEY-----\n"));

    auto cert = read_certificate(dir / "ca.pem");
    BOOST_REQUIRE_MESSAGE(cert, signet::test::error_of(cert));
    BOOST_TEST(X509_cmp(cert->get(), ca.cert.get()) == 0);
    auto read_key = read_private_key(dir / "ca.key");
    BOOST_REQUIRE_MESSAGE(read_key, signet::test::error_of(read_key));
    BOOST_TEST(EVP_PKEY_eq(read_key->get(), ca.key.get()) == 1);
}

BOOST_AUTO_TEST_CASE(refuses_to_overwrite) {
    Ca ca, other;
    TempDir dir("signet-devpki-test");
    BOOST_REQUIRE(write_certificate(dir / "ca.pem", ca.cert.get()));
    BOOST_REQUIRE(write_private_key(dir / "ca.key", ca.key.get()));
    const std::string cert_before = signet::test::read_file(dir / "ca.pem");
    const std::string key_before = signet::test::read_file(dir / "ca.key");

    auto cert_again = write_certificate(dir / "ca.pem", other.cert.get());
    BOOST_REQUIRE(!cert_again);
    BOOST_TEST(static_cast<int>(cert_again.error().code) == static_cast<int>(Errc::conflict));
    BOOST_TEST(cert_again.error().message.find("ca.pem") != std::string::npos);
    auto key_again = write_private_key(dir / "ca.key", other.key.get());
    BOOST_REQUIRE(!key_again);
    BOOST_TEST(static_cast<int>(key_again.error().code) == static_cast<int>(Errc::conflict));
    BOOST_TEST(signet::test::read_file(dir / "ca.pem") == cert_before);
    BOOST_TEST(signet::test::read_file(dir / "ca.key") == key_before);

    // Nor through a pre-existing symbolic link (O_EXCL).
    std::filesystem::create_symlink(dir / "target", dir / "link.key");
    BOOST_TEST(!write_private_key(dir / "link.key", ca.key.get()));
    BOOST_TEST(!std::filesystem::exists(dir / "target"));
    // A folder that does not exist is refused too.
    BOOST_TEST(!write_certificate(dir / "missing" / "x.pem", ca.cert.get()));
}

BOOST_AUTO_TEST_CASE(reading_refuses_missing_and_garbage_files) {
    Ca ca;
    TempDir dir("signet-devpki-test");
    signet::test::write_file(dir / "garbage.pem", "not a PEM file\n");
    signet::test::write_file(dir / "empty.pem", "");
    BOOST_REQUIRE(write_certificate(dir / "ca.pem", ca.cert.get()));
    BOOST_REQUIRE(write_private_key(dir / "ca.key", ca.key.get()));
    auto expect_invalid = [](const auto& result, std::string_view fragment) {
        BOOST_REQUIRE(!result);
        BOOST_TEST(static_cast<int>(result.error().code) == static_cast<int>(Errc::invalid_config));
        BOOST_TEST(result.error().message.find(fragment) != std::string::npos, result.error().message);
    };
    expect_invalid(read_certificate(dir / "absent.pem"), "absent.pem");
    expect_invalid(read_private_key(dir / "absent.key"), "absent.key");
    expect_invalid(read_certificate(dir / "garbage.pem"), "holds no PEM certificate");
    expect_invalid(read_private_key(dir / "garbage.pem"), "holds no PEM private key");
    expect_invalid(read_certificate(dir / "empty.pem"), "empty.pem");
    expect_invalid(read_certificate(dir / "ca.key"), "holds no PEM certificate");  // a key is not a certificate
    expect_invalid(read_private_key(dir / "ca.pem"), "holds no PEM private key");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(sha256_fingerprint_is_the_hex_digest_of_the_der) {
    Ca ca;
    auto fingerprint = sha256_fingerprint(ca.cert.get());
    BOOST_REQUIRE_MESSAGE(fingerprint, signet::test::error_of(fingerprint));

    unsigned char* der = nullptr;
    int length = i2d_X509(ca.cert.get(), &der);
    BOOST_REQUIRE(length > 0);
    signet::OpensslBytes owned(der);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    BOOST_REQUIRE(EVP_Digest(der, static_cast<size_t>(length), digest.data(), &size, EVP_sha256(), nullptr) == 1);
    BOOST_REQUIRE(size == 32U);
    std::string expected;
    for (unsigned i = 0; i < size; ++i) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", digest[i]);
        expected += hex;
    }
    BOOST_TEST(*fingerprint == expected);
    BOOST_TEST(fingerprint->size() == 64U);

    Ca other;
    BOOST_TEST(sha256_fingerprint(other.cert.get()).value() != *fingerprint);
}
