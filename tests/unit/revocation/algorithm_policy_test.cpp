// The algorithm policy: weak hashes and short keys refused with a reason, the rest accepted.

#include <boost/test/unit_test.hpp>

#include <openssl/ec.h>
#include <openssl/rsa.h>

#include "revocation/algorithm_policy.hpp"
#include "tests/unit/revocation/fixture.hpp"

namespace signet::revocation {
namespace {

using X509AlgorPtr = std::unique_ptr<X509_ALGOR, SslDeleter<&X509_ALGOR_free>>;

X509AlgorPtr algorithm(int nid) {
    X509AlgorPtr algor(X509_ALGOR_new());
    X509_ALGOR_set0(algor.get(), OBJ_nid2obj(nid), V_ASN1_UNDEF, nullptr);
    return algor;
}

std::string refusal(const Status& status) {
    return status ? std::string() : status.error().message;
}

// A self-signed certificate with `key`, signed with `md`.
X509Ptr self_signed(EVP_PKEY* key, const EVP_MD* md) {
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("policy"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key);
    if (X509_sign(cert.get(), key, md) <= 0) throw std::runtime_error("X509_sign failed");
    return cert;
}

BOOST_AUTO_TEST_SUITE(algorithm_policy)

BOOST_AUTO_TEST_CASE(weak_hashes_are_refused) {
    for (const int nid : {NID_md5WithRSAEncryption, NID_sha1WithRSAEncryption, NID_ecdsa_with_SHA1,
                          NID_dsaWithSHA1}) {
        const std::string reason = refusal(acceptable_signature(algorithm(nid).get(), nullptr));
        BOOST_TEST(test::contains(reason, "is refused"), OBJ_nid2sn(nid) << ": " << reason);
    }
    BOOST_TEST(test::contains(
        refusal(acceptable_signature(algorithm(NID_md5WithRSAEncryption).get(), nullptr)), "MD5"));
    // RSASSA-PSS without parameters means SHA-1 (RFC 4055 §3.1).
    BOOST_TEST(!acceptable_signature(algorithm(NID_rsassaPss).get(), nullptr).has_value());
}

BOOST_AUTO_TEST_CASE(strong_algorithms_are_accepted) {
    for (const int nid : {NID_sha256WithRSAEncryption, NID_sha384WithRSAEncryption,
                          NID_ecdsa_with_SHA256, NID_ecdsa_with_SHA512, NID_ED25519}) {
        const Status status = acceptable_signature(algorithm(nid).get(), nullptr);
        BOOST_TEST(status.has_value(), OBJ_nid2sn(nid) << ": " << refusal(status));
    }
}

BOOST_AUTO_TEST_CASE(short_rsa_keys_are_refused) {
    PkeyPtr small(EVP_RSA_gen(1024));
    PkeyPtr enough(EVP_RSA_gen(2048));
    BOOST_REQUIRE(small && enough);
    const auto sha256 = algorithm(NID_sha256WithRSAEncryption);
    const std::string reason = refusal(acceptable_signature(sha256.get(), small.get()));
    BOOST_TEST(test::contains(reason, "RSA key of 1024 bits is refused"), reason);
    BOOST_TEST(acceptable_signature(sha256.get(), enough.get()).has_value());
}

BOOST_AUTO_TEST_CASE(certificates_are_judged_by_their_signature_and_the_issuers_key) {
    PkeyPtr small(EVP_RSA_gen(1024));
    PkeyPtr enough(EVP_RSA_gen(2048));
    PkeyPtr ec(EVP_EC_gen("P-256"));
    BOOST_REQUIRE(small && enough && ec);
    const auto sha1 = self_signed(enough.get(), EVP_sha1());
    BOOST_TEST(test::contains(refusal(acceptable_certificate_signature(sha1.get(), enough.get())),
                              "SHA1"));
    const auto weak_key = self_signed(small.get(), EVP_sha256());
    BOOST_TEST(!acceptable_certificate_signature(weak_key.get(), small.get()).has_value());
    const auto good = self_signed(enough.get(), EVP_sha256());
    BOOST_TEST(acceptable_certificate_signature(good.get(), enough.get()).has_value());
    const auto good_ec = self_signed(ec.get(), EVP_sha384());
    BOOST_TEST(acceptable_certificate_signature(good_ec.get(), ec.get()).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::revocation
