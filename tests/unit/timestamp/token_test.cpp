// issue_token and the TimeStampResp around it, checked by the real `openssl ts -verify` and
// `openssl ts -reply -text`, and taken apart with OpenSSL's CMS and TS readers: the
// encapsulated TSTInfo, the signed attributes, the certificates that are (not) there, the size
// bound a PDF placeholder relies on; rejections as openssl reads them.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <openssl/asn1.h>
#include <openssl/buffer.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/ts.h>

#include "base/ssl_ptr.hpp"
#include "base/x509_encoding.hpp"
#include "tests/support/pdf_fixtures.hpp"
#include "timestamp/token.hpp"

namespace signet::timestamp::test {
namespace {

using pdf::test::read_bytes;
using pdf::test::software_signer;
using pdf::test::write_bytes;
using signet::test::TempDir;
using Pkcs7 = std::unique_ptr<PKCS7, SslDeleter<&PKCS7_free>>;
using TsTstInfo = std::unique_ptr<TS_TST_INFO, SslDeleter<&TS_TST_INFO_free>>;
using X509Stack = std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)>;

constexpr const char* policy = "1.3.6.1.4.1.57264.7.1";

template <class T>
T value_or_fail(Result<T> result, const std::string& what) {
    if (!result) BOOST_FAIL(what << ": " << result.error().message);
    return std::move(*result);
}

signet::test::RunResult run_or_fail(const std::vector<std::string>& argv) {
    auto result = signet::test::run(argv);
    std::string command;
    for (const auto& arg : argv) command += arg + " ";
    BOOST_REQUIRE_MESSAGE(result.exit_code == 0,
                          command << "exited with " << result.exit_code << ": " << result.output);
    return result;
}

bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

std::vector<std::uint8_t> digest_of(std::span<const std::uint8_t> data, const EVP_MD* md) {
    std::vector<std::uint8_t> digest(EVP_MAX_MD_SIZE);
    unsigned int length = 0;
    BOOST_REQUIRE(EVP_Digest(data.data(), data.size(), digest.data(), &length, md, nullptr) == 1);
    digest.resize(length);
    return digest;
}

// A root CA, optionally an intermediate, and a TSA certificate (critical extendedKeyUsage
// timeStamping, RFC 3161 §2.3), with `algorithm` keys; ca.pem and tsa.pem in `dir`.
struct TsaPki {
    devpki::Key root_key;
    devpki::Cert root;
    devpki::Key intermediate_key;
    devpki::Cert intermediate;
    devpki::Key key;
    devpki::Cert cert;

    cms::Signer signer() const {
        cms::Signer result{cert.get(), {}};
        if (intermediate) result.chain.push_back(intermediate.get());
        result.chain.push_back(root.get());
        return result;
    }
};

TsaPki make_tsa_pki(const std::string& algorithm, bool with_intermediate, const TempDir& dir) {
    TsaPki pki;
    pki.root_key = value_or_fail(devpki::generate_key(algorithm), "root key");
    devpki::CertificateSpec ca;
    ca.common_name = "signet test TSA root";
    ca.usage = devpki::Usage::ca;
    pki.root =
        value_or_fail(devpki::issue(ca, pki.root_key.get(), nullptr, pki.root_key.get()), "root");
    X509* issuer = pki.root.get();
    EVP_PKEY* issuer_key = pki.root_key.get();
    if (with_intermediate) {
        pki.intermediate_key = value_or_fail(devpki::generate_key(algorithm), "intermediate key");
        ca.common_name = "signet test TSA intermediate";
        pki.intermediate = value_or_fail(
            devpki::issue(ca, pki.intermediate_key.get(), issuer, issuer_key), "intermediate");
        issuer = pki.intermediate.get();
        issuer_key = pki.intermediate_key.get();
    }
    pki.key = value_or_fail(devpki::generate_key(algorithm), "TSA key");
    devpki::CertificateSpec tsa;
    tsa.common_name = "signet test TSA";
    tsa.usage = devpki::Usage::time_stamping;
    pki.cert = value_or_fail(devpki::issue(tsa, pki.key.get(), issuer, issuer_key), "TSA");
    std::filesystem::remove(dir / "ca.pem");
    std::filesystem::remove(dir / "tsa.pem");
    BOOST_REQUIRE(devpki::write_certificate(dir / "ca.pem", pki.root.get()));
    BOOST_REQUIRE(devpki::write_certificate(dir / "tsa.pem", pki.cert.get()));
    return pki;
}

TokenFields fields_for(const Request& request) {
    TokenFields fields;
    fields.policy_oid = policy;
    fields.serial = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
    fields.gen_time = std::chrono::system_clock::now();
    fields.accuracy = std::chrono::seconds(1);
    fields.hash_nid = request.hash_nid;
    fields.imprint = request.imprint;
    fields.nonce = request.nonce;
    fields.include_certificates = request.cert_req;
    return fields;
}

std::vector<std::uint8_t> issue(const TokenFields& fields, const TsaPki& pki) {
    return value_or_fail(issue_token(fields, pki.signer(), software_signer(pki.key.get())),
                         "issue_token");
}

CmsContentInfo read_cms(const std::vector<std::uint8_t>& token) {
    const unsigned char* in = token.data();
    CmsContentInfo cms(d2i_CMS_ContentInfo(nullptr, &in, static_cast<long>(token.size())));
    BOOST_REQUIRE(cms);
    BOOST_REQUIRE(in == token.data() + token.size());
    return cms;
}

TsTstInfo read_tst_info(const std::vector<std::uint8_t>& token) {
    const unsigned char* in = token.data();
    Pkcs7 p7(d2i_PKCS7(nullptr, &in, static_cast<long>(token.size())));
    BOOST_REQUIRE(p7);
    TsTstInfo tst_info(PKCS7_to_TS_TST_INFO(p7.get()));
    BOOST_REQUIRE(tst_info);
    return tst_info;
}

std::vector<std::uint8_t> integer_der(const ASN1_INTEGER* integer) {
    int length = i2d_ASN1_INTEGER(integer, nullptr);
    BOOST_REQUIRE(length > 0);
    std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
    unsigned char* out = der.data();
    i2d_ASN1_INTEGER(integer, &out);
    return der;
}

// The whole path a client sees: `openssl ts -query` → parse_request → issue_token →
// granted_response → `openssl ts -verify` against the data and against the query (nonce and
// imprint), trusting only the root.
void check_round_trip(const TempDir& dir, const TsaPki& pki, const std::string& hash_flag,
                      bool cert_req) {
    const std::vector<std::uint8_t> data{'d', 'o', 'c', 'u', 'm', 'e', 'n', 't', '\n'};
    write_bytes(dir / "data.bin", data);
    for (const char* name : {"query.tsq", "reply.tsr"}) std::filesystem::remove(dir / name);
    std::vector<std::string> query{"openssl",
                                   "ts",
                                   "-query",
                                   "-data",
                                   (dir / "data.bin").string(),
                                   hash_flag,
                                   "-out",
                                   (dir / "query.tsq").string()};
    if (cert_req) query.push_back("-cert");
    run_or_fail(query);
    auto parsed = value_or_fail(parse_request(read_bytes(dir / "query.tsq"), policy), "parse");
    BOOST_REQUIRE(std::holds_alternative<Request>(parsed));
    const Request& request = std::get<Request>(parsed);
    BOOST_REQUIRE(request.nonce.has_value());
    BOOST_TEST(request.cert_req == cert_req);

    auto token = issue(fields_for(request), pki);
    auto response = value_or_fail(granted_response(token), "granted_response");
    write_bytes(dir / "reply.tsr", response);

    // Without certReq the token has no certificate: openssl finds the signer in -untrusted.
    std::vector<std::string> trust{"-CAfile", (dir / "ca.pem").string()};
    if (!cert_req) trust.insert(trust.end(), {"-untrusted", (dir / "tsa.pem").string()});
    if (pki.intermediate && !cert_req) {
        // The intermediate is in the token only with certReq; otherwise give it too.
        std::filesystem::remove(dir / "untrusted.pem");
        signet::test::write_file(
            dir / "untrusted.pem",
            *signet::to_pem(pki.cert.get()) + *signet::to_pem(pki.intermediate.get()));
        trust.back() = (dir / "untrusted.pem").string();
    }
    for (auto against : {std::vector<std::string>{"-data", (dir / "data.bin").string()},
                         std::vector<std::string>{"-queryfile", (dir / "query.tsq").string()}}) {
        std::vector<std::string> verify{"openssl", "ts", "-verify", "-in",
                                        (dir / "reply.tsr").string()};
        verify.insert(verify.end(), against.begin(), against.end());
        verify.insert(verify.end(), trust.begin(), trust.end());
        auto result = run_or_fail(verify);
        BOOST_TEST(contains(result.output, "Verification: OK"));
    }

    // certReq false: no certificates at all (RFC 3161 §2.4.1); true: the TSA's and its chain.
    auto cms = read_cms(token);
    X509Stack certs(CMS_get1_certs(cms.get()),
                    [](STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); });
    int expected = cert_req ? (pki.intermediate ? 3 : 2) : 0;
    BOOST_TEST((certs ? sk_X509_num(certs.get()) : 0) == expected);
    if (cert_req) BOOST_TEST(token.size() <= token_size_bound(pki.signer()));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(token_test)

BOOST_AUTO_TEST_CASE(tokens_verify_with_openssl) {
    TempDir dir("signet-tst");
    for (const char* algorithm : {"rsa-3072", "ec-p256"}) {
        // EC with an intermediate: the chain goes in with certReq and is found without it.
        TsaPki pki = make_tsa_pki(algorithm, std::string(algorithm) == "ec-p256", dir);
        for (const char* hash : {"-sha256", "-sha384", "-sha512"}) {
            for (bool cert_req : {true, false}) {
                BOOST_TEST_CONTEXT(algorithm << " " << hash << " certReq " << cert_req) {
                    check_round_trip(dir, pki, hash, cert_req);
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(reply_text_shows_the_fields) {
    TempDir dir("signet-tst");
    TsaPki pki = make_tsa_pki("ec-p256", false, dir);
    Request request{NID_sha256, std::vector<std::uint8_t>(32, 0xab), std::nullopt,
                    std::vector<std::uint8_t>{0x02, 0x03, 0x12, 0x34, 0x56}, true};
    TokenFields fields = fields_for(request);
    fields.serial = {0x0a, 0x0b, 0x0c, 0x0d};
    fields.accuracy = std::chrono::seconds(3);
    // 2024-02-29 12:34:56.789 UTC: genTime keeps the second and drops the fraction.
    fields.gen_time = std::chrono::sys_days(std::chrono::year(2024) / 2 / 29) +
                      std::chrono::hours(12) + std::chrono::minutes(34) + std::chrono::seconds(56) +
                      std::chrono::milliseconds(789);
    auto token = issue(fields, pki);
    write_bytes(dir / "reply.tsr", value_or_fail(granted_response(token), "granted_response"));
    auto text =
        run_or_fail({"openssl", "ts", "-reply", "-in", (dir / "reply.tsr").string(), "-text"})
            .output;
    BOOST_TEST_MESSAGE(text);
    BOOST_TEST(contains(text, "Status: Granted."));
    BOOST_TEST(contains(text, "Version: 1"));
    BOOST_TEST(contains(text, "Policy OID: " + std::string(policy)));
    BOOST_TEST(contains(text, "Hash Algorithm: sha256"));
    BOOST_TEST(contains(text, "Serial number: 0x0A0B0C0D"));
    BOOST_TEST(contains(text, "Time stamp: Feb 29 12:34:56 2024 GMT"));
    BOOST_TEST(contains(text, "Accuracy: 0x03 seconds, unspecified millis, unspecified micros"));
    BOOST_TEST(contains(text, "Ordering: no"));
    BOOST_TEST(contains(text, "Nonce: 0x123456"));
    BOOST_TEST(contains(text, "TSA: unspecified"));

    auto tst_info = read_tst_info(token);
    const ASN1_GENERALIZEDTIME* time = TS_TST_INFO_get_time(tst_info.get());
    BOOST_TEST(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(time)),
                           static_cast<std::size_t>(ASN1_STRING_length(time))) ==
               "20240229123456Z");
    BOOST_TEST(TS_TST_INFO_get_tsa(tst_info.get()) == nullptr);
    BOOST_TEST(TS_TST_INFO_get_ordering(tst_info.get()) == 0);

    // Accuracy zero: no accuracy field.
    fields.accuracy = std::chrono::seconds(0);
    auto without_accuracy = read_tst_info(issue(fields, pki));
    BOOST_TEST(TS_TST_INFO_get_accuracy(without_accuracy.get()) == nullptr);
}

BOOST_AUTO_TEST_CASE(signed_attributes_are_exactly_the_three) {
    TempDir dir("signet-tst");
    for (const char* algorithm : {"rsa-2048", "ec-p256"}) {
        BOOST_TEST_CONTEXT(algorithm) {
            TsaPki pki = make_tsa_pki(algorithm, false, dir);
            Request request{NID_sha512, std::vector<std::uint8_t>(64, 0x11), std::nullopt,
                            std::nullopt, true};
            auto token = issue(fields_for(request), pki);
            // SignedData version 3: the eContentType is not id-data (RFC 5652 §5.1).
            std::filesystem::remove(dir / "token.der");
            write_bytes(dir / "token.der", token);
            auto parsed = run_or_fail({"openssl", "asn1parse", "-inform", "DER", "-in",
                                       (dir / "token.der").string()})
                              .output;
            auto version_line = parsed.find("prim: INTEGER");
            BOOST_REQUIRE(version_line != std::string::npos);
            BOOST_TEST(
                parsed.substr(version_line, parsed.find('\n', version_line) - version_line) ==
                "prim: INTEGER           :03");

            auto cms = read_cms(token);
            BOOST_TEST(OBJ_obj2nid(CMS_get0_type(cms.get())) == NID_pkcs7_signed);
            BOOST_TEST(OBJ_obj2nid(CMS_get0_eContentType(cms.get())) == NID_id_smime_ct_TSTInfo);
            // Encapsulated, not detached: the eContent is the TSTInfo's DER.
            ASN1_OCTET_STRING** content = CMS_get0_content(cms.get());
            BOOST_REQUIRE(content != nullptr);
            BOOST_REQUIRE(*content != nullptr);
            std::span<const std::uint8_t> econtent(
                ASN1_STRING_get0_data(*content),
                static_cast<std::size_t>(ASN1_STRING_length(*content)));
            const unsigned char* in = econtent.data();
            TsTstInfo tst_info(d2i_TS_TST_INFO(nullptr, &in, static_cast<long>(econtent.size())));
            BOOST_REQUIRE(tst_info);
            BOOST_TEST(in == econtent.data() + econtent.size());

            STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());
            BOOST_REQUIRE(sk_CMS_SignerInfo_num(signers) == 1);
            CMS_SignerInfo* si = sk_CMS_SignerInfo_value(signers, 0);
            BOOST_TEST(CMS_signed_get_attr_count(si) == 3);
            BOOST_TEST(CMS_unsigned_get_attr_count(si) <= 0);

            int index = CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, -1);
            BOOST_REQUIRE(index >= 0);
            auto* type = static_cast<ASN1_OBJECT*>(X509_ATTRIBUTE_get0_data(
                CMS_signed_get_attr(si, index), 0, V_ASN1_OBJECT, nullptr));
            BOOST_REQUIRE(type != nullptr);
            BOOST_TEST(OBJ_obj2nid(type) == NID_id_smime_ct_TSTInfo);

            index = CMS_signed_get_attr_by_NID(si, NID_pkcs9_messageDigest, -1);
            BOOST_REQUIRE(index >= 0);
            auto* digest = static_cast<ASN1_OCTET_STRING*>(X509_ATTRIBUTE_get0_data(
                CMS_signed_get_attr(si, index), 0, V_ASN1_OCTET_STRING, nullptr));
            BOOST_REQUIRE(digest != nullptr);
            std::vector<std::uint8_t> digest_bytes(
                ASN1_STRING_get0_data(digest),
                ASN1_STRING_get0_data(digest) + ASN1_STRING_length(digest));
            BOOST_TEST(digest_bytes == digest_of(econtent, EVP_sha256()));

            // The ESSCertIDv2 (RFC 5035 §3) carries the SHA-256 of the TSA certificate, with
            // the default algorithm left out.
            index = CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1);
            BOOST_REQUIRE(index >= 0);
            auto* ess = static_cast<ASN1_STRING*>(X509_ATTRIBUTE_get0_data(
                CMS_signed_get_attr(si, index), 0, V_ASN1_SEQUENCE, nullptr));
            BOOST_REQUIRE(ess != nullptr);
            std::string ess_der(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ess)),
                                static_cast<std::size_t>(ASN1_STRING_length(ess)));
            unsigned char* cert_der = nullptr;
            int cert_length = i2d_X509(pki.cert.get(), &cert_der);
            OpensslBytes owned(cert_der);
            BOOST_REQUIRE(cert_length > 0);
            auto cert_hash = digest_of(
                std::span<const std::uint8_t>(cert_der, static_cast<std::size_t>(cert_length)),
                EVP_sha256());
            std::string hash_octets{0x04, 0x20};
            hash_octets.append(cert_hash.begin(), cert_hash.end());
            BOOST_TEST(contains(ess_der, hash_octets));

            // And the signature verifies over the content, with the TSA certificate.
            BOOST_TEST(CMS_SignerInfo_cert_cmp(si, pki.cert.get()) == 0);
            CMS_SignerInfo_set1_signer_cert(si, pki.cert.get());
            BOOST_TEST(CMS_SignerInfo_verify(si) == 1);
            Bio out(BIO_new(BIO_s_mem()));
            BOOST_TEST(CMS_verify(cms.get(), nullptr, nullptr, nullptr, out.get(),
                                  CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) == 1);
            BUF_MEM* verified = nullptr;
            BIO_get_mem_ptr(out.get(), &verified);
            BOOST_REQUIRE(verified != nullptr);
            BOOST_TEST(std::string(verified->data, verified->length) ==
                       std::string(econtent.begin(), econtent.end()));
        }
    }
}

BOOST_AUTO_TEST_CASE(serials_are_positive_and_minimal) {
    TempDir dir("signet-tst");
    TsaPki pki = make_tsa_pki("ec-p256", false, dir);
    Request request{NID_sha256, std::vector<std::uint8_t>(32, 0x22), std::nullopt, std::nullopt,
                    false};
    TokenFields fields = fields_for(request);

    std::vector<std::uint8_t> high(20, 0xff);
    high[0] = 0x80;
    fields.serial = high;
    auto der = integer_der(TS_TST_INFO_get_serial(read_tst_info(issue(fields, pki)).get()));
    std::vector<std::uint8_t> expected(23, 0xff);
    expected[0] = 0x02;
    expected[1] = 21;
    expected[2] = 0x00;
    expected[3] = 0x80;
    BOOST_TEST(der == expected, boost::test_tools::per_element());

    fields.serial = {0x00, 0x00, 0x05};
    der = integer_der(TS_TST_INFO_get_serial(read_tst_info(issue(fields, pki)).get()));
    BOOST_TEST(der == (std::vector<std::uint8_t>{0x02, 0x01, 0x05}),
               boost::test_tools::per_element());

    for (auto bad : {std::vector<std::uint8_t>{}, std::vector<std::uint8_t>(21, 0x01),
                     std::vector<std::uint8_t>{0x00, 0x00}}) {
        fields.serial = bad;
        auto result = issue_token(fields, pki.signer(), software_signer(pki.key.get()));
        BOOST_TEST(!result.has_value());
    }
}

BOOST_AUTO_TEST_CASE(bad_fields_and_bad_signatures_fail) {
    TempDir dir("signet-tst");
    TsaPki pki = make_tsa_pki("ec-p256", false, dir);
    Request request{NID_sha256, std::vector<std::uint8_t>(32, 0x33), std::nullopt, std::nullopt,
                    true};
    auto sign = software_signer(pki.key.get());

    TokenFields fields = fields_for(request);
    fields.policy_oid = "not an oid";
    BOOST_TEST(!issue_token(fields, pki.signer(), sign).has_value());
    fields = fields_for(request);
    fields.imprint.resize(20);
    BOOST_TEST(!issue_token(fields, pki.signer(), sign).has_value());
    fields = fields_for(request);
    fields.hash_nid = NID_sha1;
    fields.imprint.resize(20);
    BOOST_TEST(!issue_token(fields, pki.signer(), sign).has_value());
    fields = fields_for(request);
    fields.nonce = std::vector<std::uint8_t>{0x02, 0x05, 0x01};
    BOOST_TEST(!issue_token(fields, pki.signer(), sign).has_value());
    fields = fields_for(request);
    fields.accuracy = std::chrono::seconds(-1);
    BOOST_TEST(!issue_token(fields, pki.signer(), sign).has_value());

    // A key that is not the certificate's: caught before a token goes out.
    auto other = value_or_fail(devpki::generate_key("ec-p256"), "other key");
    auto wrong = issue_token(fields_for(request), pki.signer(), software_signer(other.get()));
    BOOST_REQUIRE(!wrong.has_value());
    BOOST_TEST(wrong.error().code == Errc::invalid_certificate);
    auto failing =
        issue_token(fields_for(request), pki.signer(),
                    [](std::span<const std::uint8_t>) -> Result<std::vector<std::uint8_t>> {
                        return fail(Errc::unavailable, "the HSM is gone");
                    });
    BOOST_REQUIRE(!failing.has_value());
    BOOST_TEST(failing.error().code == Errc::unavailable);

    // granted_response wraps tokens only.
    BOOST_TEST(!granted_response(std::vector<std::uint8_t>{}).has_value());
    BOOST_TEST(!granted_response(std::vector<std::uint8_t>{0x30, 0x00}).has_value());
    auto token = issue(fields_for(request), pki);
    token.push_back(0);
    BOOST_TEST(!granted_response(token).has_value());
}

BOOST_AUTO_TEST_CASE(granted_responses_carry_the_token_verbatim) {
    TempDir dir("signet-tst");
    TsaPki pki = make_tsa_pki("rsa-2048", false, dir);
    Request request{NID_sha384, std::vector<std::uint8_t>(48, 0x44), std::nullopt,
                    std::vector<std::uint8_t>{0x02, 0x01, 0x07}, true};
    auto token = issue(fields_for(request), pki);
    auto response = value_or_fail(granted_response(token), "granted_response");
    BOOST_REQUIRE(response.size() > token.size());
    BOOST_TEST(std::equal(token.begin(), token.end(),
                          response.end() - static_cast<std::ptrdiff_t>(token.size())));
}

// signetd answers with what it put in the token rather than parsing it again: both must agree,
// for a serial with leading zeros too.
BOOST_AUTO_TEST_CASE(issued_info_is_what_read_token_reads) {
    TempDir dir("signet-tst");
    TsaPki pki = make_tsa_pki("ec-p256", false, dir);
    Request request{NID_sha256, std::vector<std::uint8_t>(32, 0x11), std::nullopt, std::nullopt, false};
    for (std::vector<std::uint8_t> serial : {std::vector<std::uint8_t>{0x00, 0x00, 0x2a},
                                             std::vector<std::uint8_t>{0xff, 0x01}}) {
        TokenFields fields = fields_for(request);
        fields.serial = serial;
        auto token = issue(fields, pki);
        auto read = value_or_fail(read_token(token), "read_token");
        TokenInfo issued = issued_info(fields, pki.cert.get());
        BOOST_TEST(issued.serial_hex == read.serial_hex);
        BOOST_TEST(issued.gen_time_text == read.gen_time_text);
        BOOST_TEST((issued.gen_time == read.gen_time));
        BOOST_TEST(issued.policy_oid == read.policy_oid);
        // Without certReq the token names no TSA; signetd knows its own.
        BOOST_TEST(read.tsa.empty());
        BOOST_TEST(issued.tsa.find("CN=") == 0U);
    }
}

BOOST_AUTO_TEST_CASE(token_size_bound_holds) {
    TempDir dir("signet-tst");
    // The largest fields: SHA-512, a 20-byte serial and nonce with the top bit set (a sign
    // byte each), a policy OID of 64 content bytes, a multi-byte accuracy.
    std::string long_policy = "1.3.6.1.4.1";
    for (int i = 0; i < 59; ++i) long_policy += ".100";
    std::vector<std::uint8_t> nonce{0x02, 21, 0x00};
    nonce.insert(nonce.end(), 20, 0xfe);
    for (const char* algorithm : {"rsa-3072", "rsa-2048", "ec-p256"}) {
        for (bool with_intermediate : {false, true}) {
            BOOST_TEST_CONTEXT(algorithm << " intermediate " << with_intermediate) {
                TsaPki pki = make_tsa_pki(algorithm, with_intermediate, dir);
                Request request{NID_sha512, std::vector<std::uint8_t>(64, 0xee), std::nullopt,
                                nonce, true};
                TokenFields fields = fields_for(request);
                fields.policy_oid = long_policy;
                fields.serial = std::vector<std::uint8_t>(20, 0xff);
                fields.accuracy = std::chrono::seconds(86400);
                std::size_t largest = 0;
                // ECDSA signatures vary in length: issue a few.
                for (int i = 0; i < 8; ++i) largest = std::max(largest, issue(fields, pki).size());
                std::size_t bound = token_size_bound(pki.signer());
                std::size_t signer_part = cms::signer_size_bound(pki.signer());
                BOOST_TEST_MESSAGE(algorithm << ": token " << largest << " bytes, bound " << bound
                                             << ", fixed part "
                                             << largest - std::min(largest, signer_part));
                BOOST_TEST(bound >= largest);
                BOOST_TEST(bound - largest < 2048u);  // a bound, not a guess far above
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(rejections_are_read_by_openssl) {
    TempDir dir("signet-tst");
    const std::pair<FailureInfo, const char*> failures[] = {
        {FailureInfo::bad_alg, "unrecognized or unsupported algorithm identifier"},
        {FailureInfo::bad_request, "transaction not permitted or supported"},
        {FailureInfo::bad_data_format, "the data submitted has the wrong format"},
        {FailureInfo::time_not_available, "the TSA's time source is not available"},
        {FailureInfo::unaccepted_policy, "the requested TSA policy is not supported by the TSA"},
        {FailureInfo::unaccepted_extension, "the requested extension is not supported by the TSA"},
        {FailureInfo::system_failure, "the request cannot be handled due to system failure"},
    };
    int n = 0;
    for (auto [failure, openssl_text] : failures) {
        BOOST_TEST_CONTEXT(openssl_text) {
            auto der = value_or_fail(rejection_response(Rejection{failure, "signet says no"}),
                                     "rejection");
            auto path = dir / ("rejected" + std::to_string(n++) + ".tsr");
            write_bytes(path, der);
            auto text =
                run_or_fail({"openssl", "ts", "-reply", "-in", path.string(), "-text"}).output;
            BOOST_TEST(contains(text, "Status: Rejected."));
            BOOST_TEST(contains(text, "signet says no"));
            BOOST_TEST(contains(text, std::string("Failure info: ") + openssl_text));
            BOOST_TEST(contains(text, "TST info:\nNot included."));
        }
    }
    // No text: no statusString.
    auto bare = value_or_fail(rejection_response(Rejection{FailureInfo::bad_alg, ""}), "rejection");
    write_bytes(dir / "bare.tsr", bare);
    auto text =
        run_or_fail({"openssl", "ts", "-reply", "-in", (dir / "bare.tsr").string(), "-text"})
            .output;
    BOOST_TEST(contains(text, "Status description: unspecified"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::timestamp::test
