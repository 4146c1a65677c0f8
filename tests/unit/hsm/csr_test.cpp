// Certification requests signed inside SoftHSM, checked with OpenSSL and with `openssl req
// -verify`, for each algorithm a seal or personal key may use.

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "hsm/csr.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/hsm/softhsm.hpp"

namespace signet::hsm {
namespace {

struct RequestFree {
    void operator()(X509_REQ* request) const { X509_REQ_free(request); }
};

std::unique_ptr<X509_REQ, RequestFree> read_request(const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    return std::unique_ptr<X509_REQ, RequestFree>(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(certification_requests)

BOOST_FIXTURE_TEST_CASE(each_algorithm_makes_a_request_that_verifies, test::OpenToken) {
    for (auto algorithm : {KeyAlgorithm::rsa_3072, KeyAlgorithm::ec_p256, KeyAlgorithm::ec_p384}) {
        BOOST_TEST_CONTEXT(to_string(algorithm)) {
            const KeyId id{0xc5, static_cast<std::uint8_t>(algorithm)};
            auto key = token->generate_key_pair(algorithm, id, "csr key");
            BOOST_REQUIRE(key);
            auto pem = make_csr(*token, id, key->get(), CsrSubject{"Cachet Ordre des experts-comptables", "Ordre"});
            BOOST_REQUIRE_MESSAGE(pem, (pem ? "" : test::message_of(pem.error())));
            auto request = read_request(*pem);
            BOOST_REQUIRE(request);
            BOOST_TEST(X509_REQ_verify(request.get(), key->get()) == 1);
            BOOST_TEST(EVP_PKEY_eq(X509_REQ_get0_pubkey(request.get()), key->get()) == 1);
            // And with the openssl tool, as a CA operator would check it.
            auto checked = signet::test::run({"openssl", "req", "-verify", "-noout", "-subject"}, *pem);
            BOOST_TEST(checked.exit_code == 0, checked.output);
            BOOST_TEST(checked.output.find("CN = Cachet Ordre des experts-comptables") != std::string::npos, checked.output);
        }
    }
}

BOOST_FIXTURE_TEST_CASE(a_request_needs_a_name_and_a_key_in_the_token, test::OpenToken) {
    const KeyId id{0xc5, 0x01};
    auto key = token->generate_key_pair(KeyAlgorithm::ec_p256, id, "k");
    BOOST_REQUIRE(key);
    auto nameless = make_csr(*token, id, key->get(), CsrSubject{"", ""});
    BOOST_REQUIRE(!nameless);
    BOOST_TEST(nameless.error().code == Errc::bad_request);
    auto elsewhere = make_csr(*token, KeyId{0xde, 0xad}, key->get(), CsrSubject{"x", ""});
    BOOST_REQUIRE(!elsewhere);
    BOOST_TEST(elsewhere.error().code == Errc::not_found);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::hsm
