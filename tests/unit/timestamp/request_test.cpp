// parse_request against requests made by the real `openssl ts -query`, the rejections signet
// answers for requests it does not serve, the bodies that are no request at all; make_request
// read back by `openssl ts -query -text`; random_nonce.

#include <boost/test/unit_test.hpp>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "base/ssl_ptr.hpp"
#include "tests/support/pdf_fixtures.hpp"
#include "timestamp/request.hpp"

namespace signet::timestamp::test {
namespace {

using pdf::test::read_bytes;
using pdf::test::write_bytes;
using signet::test::TempDir;
using TsReq = std::unique_ptr<TS_REQ, SslDeleter<&TS_REQ_free>>;
using X509Algor = std::unique_ptr<X509_ALGOR, SslDeleter<&X509_ALGOR_free>>;
using TsMsgImprint = std::unique_ptr<TS_MSG_IMPRINT, SslDeleter<&TS_MSG_IMPRINT_free>>;
using X509Extension = std::unique_ptr<X509_EXTENSION, SslDeleter<&X509_EXTENSION_free>>;
using Asn1Integer = std::unique_ptr<ASN1_INTEGER, SslDeleter<&ASN1_INTEGER_free>>;
using BigNum = std::unique_ptr<BIGNUM, SslDeleter<&BN_free>>;

constexpr const char* policy = "1.3.6.1.4.1.57264.7.1";

// Boost.Test 1.74 evaluates a check's message even when the check passes, so the error of a
// Result is read only once it is known to be one.
template <class T>
T value_or_fail(Result<T> result, const std::string& what) {
    if (!result) BOOST_FAIL(what << ": " << result.error().message);
    return std::move(*result);
}

std::vector<std::uint8_t> digest_of(const std::vector<std::uint8_t>& data, int nid) {
    std::vector<std::uint8_t> digest(EVP_MAX_MD_SIZE);
    unsigned int length = 0;
    BOOST_REQUIRE(EVP_Digest(data.data(), data.size(), digest.data(), &length,
                             EVP_get_digestbynid(nid), nullptr) == 1);
    digest.resize(length);
    return digest;
}

signet::test::RunResult run_or_fail(const std::vector<std::string>& argv) {
    auto result = signet::test::run(argv);
    std::string command;
    for (const auto& arg : argv) command += arg + " ";
    BOOST_REQUIRE_MESSAGE(result.exit_code == 0,
                          command << "exited with " << result.exit_code << ": " << result.output);
    return result;
}

// `openssl ts -query` over `data` with `options`; the request's DER.
std::vector<std::uint8_t> openssl_query(const TempDir& dir, const std::vector<std::uint8_t>& data,
                                        const std::vector<std::string>& options) {
    write_bytes(dir / "data.bin", data);
    std::filesystem::remove(dir / "query.tsq");
    std::vector<std::string> argv{"openssl", "ts", "-query", "-data", (dir / "data.bin").string()};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.insert(argv.end(), {"-out", (dir / "query.tsq").string()});
    run_or_fail(argv);
    return read_bytes(dir / "query.tsq");
}

// The nonce as `openssl ts -text` prints it ("0x" and BN_bn2hex).
std::string nonce_hex(const std::vector<std::uint8_t>& der) {
    const unsigned char* in = der.data();
    Asn1Integer integer(d2i_ASN1_INTEGER(nullptr, &in, static_cast<long>(der.size())));
    BOOST_REQUIRE(integer);
    BigNum number(ASN1_INTEGER_to_BN(integer.get(), nullptr));
    BOOST_REQUIRE(number);
    std::unique_ptr<char, void (*)(char*)> hex(BN_bn2hex(number.get()),
                                               [](char* text) { OPENSSL_free(text); });
    return std::string("0x") + hex.get();
}

Request parsed_request(const std::vector<std::uint8_t>& der, std::string_view accepted = policy) {
    auto parsed = value_or_fail(parse_request(der, accepted), "parse_request");
    if (auto* rejection = std::get_if<Rejection>(&parsed)) {
        BOOST_FAIL("rejected: " << rejection->text);
    }
    return std::get<Request>(parsed);
}

Rejection rejection_of(const std::vector<std::uint8_t>& der, std::string_view accepted = policy) {
    auto parsed = value_or_fail(parse_request(der, accepted), "parse_request");
    BOOST_REQUIRE(std::holds_alternative<Rejection>(parsed));
    BOOST_TEST_MESSAGE(std::get<Rejection>(parsed).text);
    return std::get<Rejection>(parsed);
}

std::vector<std::uint8_t> encode(TS_REQ* request) {
    int length = i2d_TS_REQ(request, nullptr);
    BOOST_REQUIRE(length > 0);
    std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
    unsigned char* out = der.data();
    BOOST_REQUIRE(i2d_TS_REQ(request, &out) == length);
    return der;
}

// A well-formed request that `openssl ts -query` cannot make: `hash_nid` with an imprint of
// `imprint_length` bytes, then adjusted by `adjust`.
template <class Adjust>
std::vector<std::uint8_t> handmade_request(int hash_nid, std::size_t imprint_length,
                                           Adjust adjust) {
    TsReq request(TS_REQ_new());
    TsMsgImprint imprint(TS_MSG_IMPRINT_new());
    X509Algor algorithm(X509_ALGOR_new());
    BOOST_REQUIRE(request && imprint && algorithm);
    std::vector<std::uint8_t> digest(imprint_length, 0x5a);
    BOOST_REQUIRE(X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(hash_nid), V_ASN1_NULL, nullptr) ==
                  1);
    BOOST_REQUIRE(TS_MSG_IMPRINT_set_algo(imprint.get(), algorithm.get()) == 1);
    BOOST_REQUIRE(
        TS_MSG_IMPRINT_set_msg(imprint.get(), digest.data(), static_cast<int>(digest.size())) == 1);
    BOOST_REQUIRE(TS_REQ_set_msg_imprint(request.get(), imprint.get()) == 1);
    BOOST_REQUIRE(TS_REQ_set_version(request.get(), 1) == 1);
    adjust(request.get());
    return encode(request.get());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(request_test)

BOOST_AUTO_TEST_CASE(openssl_queries_parse) {
    TempDir dir("signet-tsq");
    const std::vector<std::uint8_t> data{'s', 'i', 'g', 'n', 'e', 't', '\n', 0, 1, 2};
    const std::pair<const char*, int> hashes[] = {
        {"-sha256", NID_sha256}, {"-sha384", NID_sha384}, {"-sha512", NID_sha512}};
    for (auto [flag, nid] : hashes) {
        for (bool cert : {false, true}) {
            for (bool nonce : {false, true}) {
                for (bool with_policy : {false, true}) {
                    BOOST_TEST_CONTEXT(flag << " cert " << cert << " nonce " << nonce << " policy "
                                            << with_policy) {
                        std::vector<std::string> options{flag};
                        if (cert) options.push_back("-cert");
                        if (!nonce) options.push_back("-no_nonce");
                        if (with_policy) options.insert(options.end(), {"-tspolicy", policy});
                        auto der = openssl_query(dir, data, options);
                        Request request = parsed_request(der);
                        BOOST_TEST(request.hash_nid == nid);
                        BOOST_TEST(request.imprint == digest_of(data, nid));
                        BOOST_TEST(request.cert_req == cert);
                        BOOST_TEST(request.nonce.has_value() == nonce);
                        BOOST_TEST(request.policy_oid.has_value() == with_policy);
                        if (with_policy) BOOST_TEST(*request.policy_oid == policy);
                        if (nonce) {
                            // The nonce is the request's INTEGER: openssl prints the same value.
                            auto text = run_or_fail({"openssl", "ts", "-query", "-in",
                                                     (dir / "query.tsq").string(), "-text"});
                            BOOST_TEST(text.output.find("Nonce: " + nonce_hex(*request.nonce)) !=
                                       std::string::npos);
                        }
                    }
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(weak_hashes_are_rejected_as_bad_alg) {
    TempDir dir("signet-tsq");
    const std::vector<std::uint8_t> data{'x'};
    for (const char* flag : {"-sha1", "-md5", "-sha224", "-sha3-256"}) {
        BOOST_TEST_CONTEXT(flag) {
            Rejection rejection = rejection_of(openssl_query(dir, data, {flag, "-cert"}));
            BOOST_TEST((rejection.failure == FailureInfo::bad_alg));
            BOOST_TEST(!rejection.text.empty());
        }
    }
    // SHA-256 under an algorithm identifier whose parameters are not NULL or absent is not the
    // SHA-256 signet knows.
    auto odd_parameters = handmade_request(NID_sha256, 32, [](TS_REQ* request) {
        X509Algor algorithm(X509_ALGOR_new());
        BOOST_REQUIRE(X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(NID_sha256), V_ASN1_OBJECT,
                                      OBJ_nid2obj(NID_sha256)) == 1);
        BOOST_REQUIRE(TS_MSG_IMPRINT_set_algo(TS_REQ_get_msg_imprint(request), algorithm.get()) ==
                      1);
    });
    BOOST_TEST((rejection_of(odd_parameters).failure == FailureInfo::bad_alg));
}

BOOST_AUTO_TEST_CASE(other_policies_are_rejected) {
    TempDir dir("signet-tsq");
    auto der = openssl_query(dir, {'x'}, {"-sha256", "-tspolicy", "1.3.6.1.4.1.57264.7.2"});
    Rejection rejection = rejection_of(der);
    BOOST_TEST((rejection.failure == FailureInfo::unaccepted_policy));
    BOOST_TEST(rejection.text.find("1.3.6.1.4.1.57264.7.2") != std::string::npos);
    // A prefix of the accepted policy is another policy.
    auto prefix = openssl_query(dir, {'x'}, {"-sha256", "-tspolicy", "1.3.6.1.4.1.57264.7"});
    BOOST_TEST((rejection_of(prefix).failure == FailureInfo::unaccepted_policy));
}

BOOST_AUTO_TEST_CASE(requests_signet_does_not_serve_are_rejected) {
    auto short_imprint = handmade_request(NID_sha256, 20, [](TS_REQ*) {});
    BOOST_TEST((rejection_of(short_imprint).failure == FailureInfo::bad_data_format));
    auto long_imprint = handmade_request(NID_sha384, 64, [](TS_REQ*) {});
    BOOST_TEST((rejection_of(long_imprint).failure == FailureInfo::bad_data_format));

    auto version_2 = handmade_request(NID_sha256, 32, [](TS_REQ* request) {
        BOOST_REQUIRE(TS_REQ_set_version(request, 2) == 1);
    });
    BOOST_TEST((rejection_of(version_2).failure == FailureInfo::bad_request));

    auto with_extension = handmade_request(NID_sha256, 32, [](TS_REQ* request) {
        X509Extension extension(
            X509V3_EXT_conf_nid(nullptr, nullptr, NID_basic_constraints, "CA:FALSE"));
        BOOST_REQUIRE(extension);
        BOOST_REQUIRE(TS_REQ_add_ext(request, extension.get(), -1) == 1);
    });
    BOOST_TEST((rejection_of(with_extension).failure == FailureInfo::unaccepted_extension));

    // The handmade request itself, unchanged, is served: the rejections above are each the
    // one change's.
    Request plain = parsed_request(handmade_request(NID_sha256, 32, [](TS_REQ*) {}));
    BOOST_TEST(plain.imprint == std::vector<std::uint8_t>(32, 0x5a));
    BOOST_TEST(!plain.nonce.has_value());
    BOOST_TEST(!plain.cert_req);
}

BOOST_AUTO_TEST_CASE(bodies_that_are_no_request_are_bad_requests) {
    TempDir dir("signet-tsq");
    auto good = openssl_query(dir, {'x'}, {"-sha256", "-cert"});
    std::vector<std::vector<std::uint8_t>> bodies;
    bodies.push_back({});
    bodies.push_back({'h', 'e', 'l', 'l', 'o'});
    bodies.push_back({0x30, 0x03, 0x02, 0x01, 0x01});  // a SEQUENCE with only the version
    bodies.push_back(std::vector<std::uint8_t>(good.begin(), good.begin() + 1));
    bodies.push_back(std::vector<std::uint8_t>(good.begin(), good.end() - 1));
    bodies.push_back(std::vector<std::uint8_t>(
        good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2)));
    auto trailing = good;
    trailing.push_back(0x00);
    bodies.push_back(trailing);
    auto twice = good;
    twice.insert(twice.end(), good.begin(), good.end());
    bodies.push_back(twice);
    auto wrong_tag = good;
    wrong_tag[0] = 0x31;  // a SET where the SEQUENCE should be
    bodies.push_back(wrong_tag);
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        BOOST_TEST_CONTEXT("body " << i) {
            auto parsed = parse_request(bodies[i], policy);
            BOOST_REQUIRE(!parsed);
            BOOST_TEST(parsed.error().code == Errc::bad_request);
            BOOST_TEST_MESSAGE(parsed.error().message);
        }
    }
    BOOST_TEST(parse_request(good, policy).has_value());
}

BOOST_AUTO_TEST_CASE(made_requests_are_read_by_openssl) {
    TempDir dir("signet-tsq");
    const std::pair<int, const char*> hashes[] = {
        {NID_sha256, "sha256"}, {NID_sha384, "sha384"}, {NID_sha512, "sha512"}};
    for (auto [nid, name] : hashes) {
        BOOST_TEST_CONTEXT(name) {
            auto imprint = digest_of({'a', 'b', 'c'}, nid);
            auto nonce = value_or_fail(random_nonce(), "random_nonce");
            auto der = value_or_fail(make_request(nid, imprint, nonce), "make_request");
            write_bytes(dir / "made.tsq", der);
            auto text = run_or_fail(
                {"openssl", "ts", "-query", "-in", (dir / "made.tsq").string(), "-text"});
            BOOST_TEST(text.output.find("Version: 1") != std::string::npos);
            BOOST_TEST(text.output.find(std::string("Hash Algorithm: ") + name) !=
                       std::string::npos);
            BOOST_TEST(text.output.find("Certificate required: yes") != std::string::npos);
            BOOST_TEST(text.output.find("Policy OID: unspecified") != std::string::npos);
            BOOST_TEST(text.output.find("Nonce: " + nonce_hex(nonce)) != std::string::npos);

            // And by parse_request, field for field.
            Request back = parsed_request(der);
            BOOST_TEST(back.hash_nid == nid);
            BOOST_TEST(back.imprint == imprint);
            BOOST_TEST(back.cert_req);
            BOOST_TEST(!back.policy_oid.has_value());
            BOOST_REQUIRE(back.nonce.has_value());
            BOOST_TEST(*back.nonce == nonce);
        }
    }
    auto without_nonce = value_or_fail(
        make_request(NID_sha256, digest_of({'a'}, NID_sha256), std::nullopt), "make_request");
    write_bytes(dir / "plain.tsq", without_nonce);
    auto text =
        run_or_fail({"openssl", "ts", "-query", "-in", (dir / "plain.tsq").string(), "-text"});
    BOOST_TEST(text.output.find("Nonce: unspecified") != std::string::npos);

    // Imprints that are not the hash's, and hashes signet does not use, are programming errors.
    BOOST_TEST(!make_request(NID_sha256, std::vector<std::uint8_t>(20), std::nullopt));
    BOOST_TEST(!make_request(NID_sha1, std::vector<std::uint8_t>(20), std::nullopt));
    BOOST_TEST(!make_request(NID_sha256, std::vector<std::uint8_t>(32),
                             std::vector<std::uint8_t>{0x04, 0x01, 0x01}));
}

BOOST_AUTO_TEST_CASE(random_nonces_are_positive_and_fresh) {
    std::set<std::vector<std::uint8_t>> seen;
    for (int i = 0; i < 64; ++i) {
        auto der = value_or_fail(random_nonce(), "random_nonce");
        // A DER INTEGER of at most 8 content bytes, no sign byte needed: positive, minimal.
        BOOST_REQUIRE(der.size() >= 3);
        BOOST_TEST(der[0] == 0x02);
        BOOST_TEST(der[1] == der.size() - 2);
        BOOST_TEST(der[1] <= 8);
        BOOST_TEST((der[2] & 0x80) == 0);
        const unsigned char* in = der.data();
        Asn1Integer integer(d2i_ASN1_INTEGER(nullptr, &in, static_cast<long>(der.size())));
        BOOST_REQUIRE(integer);
        BigNum number(ASN1_INTEGER_to_BN(integer.get(), nullptr));
        BOOST_REQUIRE(number);
        BOOST_TEST(!BN_is_negative(number.get()));
        BOOST_TEST(!BN_is_zero(number.get()));
        seen.insert(der);
    }
    BOOST_TEST(seen.size() == 64u);
}

BOOST_AUTO_TEST_CASE(supported_hashes_are_sha2) {
    BOOST_TEST(supported_hash(NID_sha256));
    BOOST_TEST(supported_hash(NID_sha384));
    BOOST_TEST(supported_hash(NID_sha512));
    BOOST_TEST(!supported_hash(NID_sha1));
    BOOST_TEST(!supported_hash(NID_md5));
    BOOST_TEST(!supported_hash(NID_sha224));
    BOOST_TEST(!supported_hash(NID_undef));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::timestamp::test
