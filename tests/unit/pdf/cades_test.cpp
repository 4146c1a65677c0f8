// build_cades_signature: the CMS is what PAdES baseline B-B asks for (inspected with OpenSSL's
// CMS API) and what `openssl cms -verify` accepts over the signed bytes; the size bound holds.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <random>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "pdf/cades.hpp"
#include "tests/support/pdf_fixtures.hpp"
#include "tests/support/need.hpp"

namespace signet::pdf::test {
using cms::SignCallback;
using cms::Signer;

namespace {

struct CmsFree {
    void operator()(CMS_ContentInfo* cms) const { CMS_ContentInfo_free(cms); }
};
using Cms = std::unique_ptr<CMS_ContentInfo, CmsFree>;

std::vector<std::uint8_t> random_bytes(std::size_t size, unsigned seed) {
    std::mt19937 random(seed);
    std::vector<std::uint8_t> bytes(size);
    for (auto& byte : bytes) byte = static_cast<std::uint8_t>(random());
    return bytes;
}

std::array<std::uint8_t, 32> sha256(std::span<const std::uint8_t> bytes) {
    std::array<std::uint8_t, 32> digest{};
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
    return digest;
}

std::vector<std::uint8_t> build(const Pki& pki, const std::array<std::uint8_t, 32>& digest) {
    auto cms = build_cades_signature(digest, pki.signer(), software_signer(pki.key.get()));
    BOOST_REQUIRE_MESSAGE(cms, signet::test::error_of(cms));
    return *cms;
}

Cms parse(const std::vector<std::uint8_t>& der) {
    const unsigned char* in = der.data();
    Cms cms(d2i_CMS_ContentInfo(nullptr, &in, static_cast<long>(der.size())));
    BOOST_REQUIRE(cms);
    BOOST_TEST(in == der.data() + der.size());  // nothing after the DER
    return cms;
}

CMS_SignerInfo* only_signer(CMS_ContentInfo* cms) {
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
    BOOST_REQUIRE(infos != nullptr);
    BOOST_REQUIRE(sk_CMS_SignerInfo_num(infos) == 1);
    return sk_CMS_SignerInfo_value(infos, 0);
}

// `openssl cms -verify` of a detached signature over `content`, trusting the PKI's root.
signet::test::RunResult openssl_verify(const TempDir& dir, const Pki& pki,
                                       const std::vector<std::uint8_t>& cms,
                                       const std::vector<std::uint8_t>& content) {
    write_bytes(dir / "sig.der", cms);
    write_bytes(dir / "byterange.bin", content);
    pki.write_root(dir / "ca.pem");
    return signet::test::run({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                              (dir / "sig.der").string(), "-content",
                              (dir / "byterange.bin").string(), "-CAfile",
                              (dir / "ca.pem").string(), "-purpose", "any", "-out", "/dev/null"});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cades_test)

BOOST_AUTO_TEST_CASE(signed_attributes_are_exactly_the_pades_baseline_three) {
    for (std::string algorithm : {"rsa-3072", "ec-p256"}) {
        BOOST_TEST_CONTEXT(algorithm) {
            Pki pki = make_pki(algorithm);
            auto digest = sha256(random_bytes(1000, 1));
            auto der = build(pki, digest);
            Cms cms = parse(der);
            BOOST_TEST(OBJ_obj2nid(CMS_get0_type(cms.get())) == NID_pkcs7_signed);
            // Detached: no eContent, eContentType id-data (ETSI EN 319 142-1 §6.3).
            ASN1_OCTET_STRING** content = CMS_get0_content(cms.get());
            BOOST_TEST((content == nullptr || *content == nullptr));
            BOOST_TEST(OBJ_obj2nid(CMS_get0_eContentType(cms.get())) == NID_pkcs7_data);

            CMS_SignerInfo* si = only_signer(cms.get());
            BOOST_TEST(CMS_signed_get_attr_count(si) == 3);
            std::vector<int> nids;
            for (int i = 0; i < CMS_signed_get_attr_count(si); ++i) {
                nids.push_back(OBJ_obj2nid(X509_ATTRIBUTE_get0_object(CMS_signed_get_attr(si, i))));
            }
            std::sort(nids.begin(), nids.end());
            std::vector<int> expected{NID_pkcs9_contentType, NID_pkcs9_messageDigest,
                                      NID_id_smime_aa_signingCertificateV2};
            std::sort(expected.begin(), expected.end());
            BOOST_TEST(nids == expected, boost::test_tools::per_element());
            BOOST_TEST(CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) < 0);
            BOOST_TEST(CMS_unsigned_get_attr_count(si) <= 0);

            // message-digest is the digest we gave.
            auto* md = static_cast<ASN1_OCTET_STRING*>(CMS_signed_get0_data_by_OBJ(
                si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
            BOOST_REQUIRE(md != nullptr);
            BOOST_TEST(ASN1_STRING_length(md) == 32);
            BOOST_TEST(std::equal(digest.begin(), digest.end(), ASN1_STRING_get0_data(md)));
            auto* type = static_cast<ASN1_OBJECT*>(CMS_signed_get0_data_by_OBJ(
                si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT));
            BOOST_REQUIRE(type != nullptr);
            BOOST_TEST(OBJ_obj2nid(type) == NID_pkcs7_data);

            // signing-certificate-v2 holds the SHA-256 of the signer's certificate (RFC 5035).
            auto cert_der = signet::to_der(pki.cert.get());
            BOOST_REQUIRE(cert_der);
            auto cert_hash = sha256(*cert_der);
            auto* scv2 = static_cast<ASN1_STRING*>(CMS_signed_get0_data_by_OBJ(
                si, OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2), -3, V_ASN1_SEQUENCE));
            BOOST_REQUIRE(scv2 != nullptr);
            std::span<const unsigned char> scv2_bytes(
                ASN1_STRING_get0_data(scv2), static_cast<std::size_t>(ASN1_STRING_length(scv2)));
            BOOST_TEST((std::search(scv2_bytes.begin(), scv2_bytes.end(), cert_hash.begin(),
                                    cert_hash.end()) != scv2_bytes.end()));

            // Algorithms: SHA-256; rsaEncryption (PKCS#1 v1.5) or ecdsa-with-SHA256.
            X509_ALGOR* digest_algorithm = nullptr;
            X509_ALGOR* signature_algorithm = nullptr;
            CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digest_algorithm, &signature_algorithm);
            const ASN1_OBJECT* oid = nullptr;
            X509_ALGOR_get0(&oid, nullptr, nullptr, digest_algorithm);
            BOOST_TEST(OBJ_obj2nid(oid) == NID_sha256);
            X509_ALGOR_get0(&oid, nullptr, nullptr, signature_algorithm);
            BOOST_TEST(OBJ_obj2nid(oid) ==
                       (algorithm == "ec-p256" ? NID_ecdsa_with_SHA256 : NID_rsaEncryption));

            // The signer's certificate and the root travel in the CMS.
            STACK_OF(X509)* certs = CMS_get1_certs(cms.get());
            BOOST_TEST(sk_X509_num(certs) == 2);
            sk_X509_pop_free(certs, X509_free);
        }
    }
}

BOOST_AUTO_TEST_CASE(the_callback_signs_the_der_set_of_signed_attributes) {
    Pki pki = make_pki("ec-p256");
    std::vector<std::uint8_t> seen;
    auto inner = software_signer(pki.key.get());
    SignCallback spy = [&](std::span<const std::uint8_t> tbs) {
        seen.assign(tbs.begin(), tbs.end());
        return inner(tbs);
    };
    auto digest = sha256(random_bytes(10, 2));
    auto cms = build_cades_signature(digest, pki.signer(), spy);
    BOOST_REQUIRE_MESSAGE(cms, signet::test::error_of(cms));
    // RFC 5652 §5.4: an explicit SET OF (0x31), not the [0] IMPLICIT (0xA0) of the SignerInfo.
    BOOST_REQUIRE(!seen.empty());
    BOOST_TEST(seen[0] == 0x31);
    // The same attributes appear in the CMS with the [0] tag, byte for byte otherwise.
    std::vector<std::uint8_t> as_in_cms = seen;
    as_in_cms[0] = 0xA0;
    BOOST_TEST(
        (std::search(cms->begin(), cms->end(), as_in_cms.begin(), as_in_cms.end()) != cms->end()));
}

BOOST_AUTO_TEST_CASE(openssl_cms_verify_accepts_it_and_rejects_changed_content) {
    TempDir dir("signet-pdf-cades");
    for (std::string algorithm : {"rsa-3072", "ec-p256"}) {
        for (int intermediates : {0, 1}) {
            BOOST_TEST_CONTEXT(algorithm << " with " << intermediates << " intermediate(s)") {
                Pki pki = make_pki(algorithm, intermediates);
                auto content = random_bytes(50'000, 3);
                auto der = build(pki, sha256(content));
                auto ok = openssl_verify(dir, pki, der, content);
                BOOST_TEST_INFO(ok.output);
                BOOST_TEST(ok.exit_code == 0);
                BOOST_TEST(ok.output.find("Verification successful") != std::string::npos);

                content[content.size() / 2] ^= 0x01;
                auto changed = openssl_verify(dir, pki, der, content);
                BOOST_TEST_INFO(changed.output);
                BOOST_TEST(changed.exit_code != 0);
                BOOST_TEST(changed.output.find("Verification successful") == std::string::npos);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(the_size_bound_holds_and_is_not_wasteful) {
    for (std::string algorithm : {"rsa-3072", "ec-p256"}) {
        for (int intermediates : {0, 1}) {
            BOOST_TEST_CONTEXT(algorithm << ", chain of " << intermediates + 1 << " CA") {
                Pki pki = make_pki(algorithm, intermediates);
                std::size_t bound = signature_size_bound(pki.signer());
                std::size_t largest = 0;
                // ECDSA signatures vary in length (DER integers): take the largest of many.
                for (unsigned i = 0; i < 40; ++i) {
                    largest = std::max(largest, build(pki, sha256(random_bytes(8, i))).size());
                }
                BOOST_TEST_MESSAGE(algorithm << ", chain of " << intermediates + 1
                                             << " CA certificate(s): CMS " << largest
                                             << " bytes, bound " << bound);
                BOOST_TEST(bound >= largest);
                BOOST_TEST(bound <= largest + 2048);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(duplicate_chain_entries_are_included_once) {
    Pki pki = make_pki("ec-p256", 1);
    Signer signer = pki.signer();
    signer.chain.push_back(pki.cert.get());
    signer.chain.push_back(pki.root.get());
    auto der =
        build_cades_signature(sha256(random_bytes(4, 4)), signer, software_signer(pki.key.get()));
    BOOST_REQUIRE_MESSAGE(der, signet::test::error_of(der));
    Cms cms = parse(*der);
    STACK_OF(X509)* certs = CMS_get1_certs(cms.get());
    BOOST_TEST(sk_X509_num(certs) == 3);
    sk_X509_pop_free(certs, X509_free);
}

BOOST_AUTO_TEST_CASE(signing_failures_are_reported) {
    Pki pki = make_pki("ec-p256");
    auto digest = sha256(random_bytes(4, 5));

    // The HSM's own error comes back unchanged.
    SignCallback unavailable =
        [](std::span<const std::uint8_t>) -> Result<std::vector<std::uint8_t>> {
        return fail(Errc::unavailable, "token removed");
    };
    auto result = build_cades_signature(digest, pki.signer(), unavailable);
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::unavailable);
    BOOST_TEST(result.error().message == "token removed");

    // A key that is not the certificate's.
    Pki other = make_pki("ec-p256");
    result = build_cades_signature(digest, pki.signer(), software_signer(other.key.get()));
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::invalid_certificate);
    BOOST_TEST_MESSAGE(result.error().message);

    // Garbage and nothing.
    SignCallback garbage = [](std::span<const std::uint8_t>) -> Result<std::vector<std::uint8_t>> {
        return std::vector<std::uint8_t>(72, 0x42);
    };
    result = build_cades_signature(digest, pki.signer(), garbage);
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::invalid_certificate);
    SignCallback empty = [](std::span<const std::uint8_t>) -> Result<std::vector<std::uint8_t>> {
        return std::vector<std::uint8_t>{};
    };
    result = build_cades_signature(digest, pki.signer(), empty);
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::internal);

    // No certificate, no callback.
    result = build_cades_signature(digest, Signer{}, software_signer(pki.key.get()));
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::invalid_certificate);
    BOOST_TEST(signature_size_bound(Signer{}) == 0u);
    result = build_cades_signature(digest, pki.signer(), SignCallback{});
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::internal);

    // A null entry in the chain.
    Signer broken = pki.signer();
    broken.chain.push_back(nullptr);
    result = build_cades_signature(digest, broken, software_signer(pki.key.get()));
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::invalid_certificate);
}

BOOST_AUTO_TEST_CASE(keys_other_than_rsa_and_ec_are_refused) {
    Pki pki = make_pki("ec-p256");
    devpki::Key ed25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    BOOST_REQUIRE(ed25519);
    devpki::CertificateSpec spec;
    spec.common_name = "ed25519 signer";
    spec.usage = devpki::Usage::signing;
    auto cert = devpki::issue(spec, ed25519.get(), pki.root.get(), pki.root_key.get());
    BOOST_REQUIRE_MESSAGE(cert, signet::test::error_of(cert));
    Signer signer{.certificate = cert->get(), .chain = {pki.root.get()}};
    auto result =
        build_cades_signature(sha256(random_bytes(4, 6)), signer, software_signer(ed25519.get()));
    BOOST_REQUIRE(!result);
    BOOST_TEST(result.error().code == Errc::invalid_certificate);
    BOOST_TEST(result.error().message.find("ED25519") != std::string::npos);
}

// B-T: the callback receives the signature value once it is made and its token becomes the
// one unsigned attribute, byte for byte; the signed attributes, and so the signature, do not
// change; the size bound grows by the token's.
BOOST_AUTO_TEST_CASE(a_signature_time_stamp_is_the_one_unsigned_attribute) {
    TempDir dir("signet-pdf-cades-bt");
    Pki pki = make_pki("rsa-3072", 1);
    const auto content = random_bytes(2000, 11);
    const auto digest = sha256(content);
    // Any DER SEQUENCE stands for the token here; timestamp/ makes and checks real ones.
    std::vector<std::uint8_t> token{0x30, 0x82, 0x01, 0x00};
    token.resize(4 + 256, 0x5a);
    std::vector<std::uint8_t> seen;
    auto der = build_cades_signature(digest, pki.signer(), software_signer(pki.key.get()),
                                     [&](std::span<const std::uint8_t> signature_value) {
                                         seen.assign(signature_value.begin(), signature_value.end());
                                         return signet::Result<std::vector<std::uint8_t>>(token);
                                     });
    BOOST_REQUIRE(der);
    Cms cms = parse(*der);
    CMS_SignerInfo* si = only_signer(cms.get());
    const ASN1_OCTET_STRING* signature = CMS_SignerInfo_get0_signature(si);
    BOOST_TEST(seen == std::vector<std::uint8_t>(ASN1_STRING_get0_data(signature),
                                                 ASN1_STRING_get0_data(signature) + ASN1_STRING_length(signature)),
               boost::test_tools::per_element());
    BOOST_REQUIRE(CMS_unsigned_get_attr_count(si) == 1);
    X509_ATTRIBUTE* attribute = CMS_unsigned_get_attr(si, 0);
    BOOST_TEST(OBJ_obj2nid(X509_ATTRIBUTE_get0_object(attribute)) == NID_id_smime_aa_timeStampToken);
    const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attribute, 0);
    BOOST_REQUIRE(value != nullptr);
    BOOST_REQUIRE(value->type == V_ASN1_SEQUENCE);
    BOOST_TEST(std::vector<std::uint8_t>(value->value.sequence->data,
                                         value->value.sequence->data + value->value.sequence->length) == token,
               boost::test_tools::per_element());
    BOOST_TEST(CMS_signed_get_attr_count(si) == 3);
    auto verified = openssl_verify(dir, pki, *der, content);
    BOOST_TEST(verified.exit_code == 0, verified.output);
    BOOST_TEST(der->size() <= signature_size_bound(pki.signer()) + timestamp_attribute_bound(token.size()));

    // A time-stamp that cannot be had fails the signature: no B-B passed off as B-T.
    auto refused = build_cades_signature(digest, pki.signer(), software_signer(pki.key.get()),
                                         [](std::span<const std::uint8_t>) -> signet::Result<std::vector<std::uint8_t>> {
                                             return signet::fail(signet::Errc::unavailable, "no TSA answered");
                                         });
    BOOST_REQUIRE(!refused);
    BOOST_TEST(refused.error().message == "no TSA answered");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
