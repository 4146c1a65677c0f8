#include "server/client_certificate.hpp"

#include <boost/test/unit_test.hpp>

#include "devpki/dev_pki.hpp"

namespace {

using namespace signet;

devpki::Cert make_cert(const std::string& cn) {
    auto key = devpki::generate_key("ec-p256");
    BOOST_REQUIRE(key);
    devpki::CertificateSpec spec;
    spec.common_name = cn;
    auto cert = devpki::issue(spec, key->get(), nullptr, key->get());
    BOOST_REQUIRE(cert);
    return std::move(*cert);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_identity)

BOOST_AUTO_TEST_CASE(no_certificate_is_no_identity) {
    BOOST_TEST(!daemon::identify(nullptr, {}).has_value());
}

BOOST_AUTO_TEST_CASE(maps_by_cn_and_fingerprint_wins) {
    auto cert = make_cert("platform");
    auto fingerprint = devpki::sha256_fingerprint(cert.get());
    BOOST_REQUIRE(fingerprint);

    std::vector<config::ClientMapping> by_cn = {{"platform", "", config::Role::platform}};
    auto identity = daemon::identify(cert.get(), by_cn);
    BOOST_REQUIRE(identity);
    BOOST_TEST(identity->subject_cn == "platform");
    BOOST_TEST(identity->fingerprint == *fingerprint);
    BOOST_TEST((identity->role == config::Role::platform));

    std::vector<config::ClientMapping> both = {{"platform", "", config::Role::platform},
                                               {"", *fingerprint, config::Role::auditor}};
    BOOST_TEST((daemon::identify(cert.get(), both)->role == config::Role::auditor));
}

BOOST_AUTO_TEST_CASE(unmapped_certificate_has_no_role) {
    auto cert = make_cert("stranger");
    std::vector<config::ClientMapping> mappings = {{"platform", "", config::Role::platform},
                                                   {"", std::string(64, 'a'), config::Role::officer}};
    auto identity = daemon::identify(cert.get(), mappings);
    BOOST_REQUIRE(identity);
    BOOST_TEST(!identity->role.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
