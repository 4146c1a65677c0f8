// CRLs made by `openssl ca -gencrl`: good and revoked (with reason), PEM and DER, another
// issuer's CRL, a stale one, a forged signature, bytes that are no CRL.

#include <boost/test/unit_test.hpp>

#include <chrono>

#include "revocation/crl.hpp"
#include "tests/support/need.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/revocation/fixture.hpp"

namespace signet::revocation {
namespace {

using namespace std::chrono_literals;
using test::contains;
using test::error_of;

X509Crl crl_from(const std::filesystem::path& path) {
    return test::need(parse_crl(test::bytes_of(test::read_file(path))));
}

BOOST_AUTO_TEST_SUITE(crl)

BOOST_FIXTURE_TEST_CASE(good_from_pem_and_der, test::RevocationWorld) {
    const auto pem = dir / "ca.crl";
    pki.make_crl(pem, 24);
    const auto der = dir / "ca.crl.der";
    const auto converted =
        test::run({"openssl", "crl", "-in", pem.string(), "-outform", "DER", "-out", der.string()});
    BOOST_REQUIRE_MESSAGE(converted.exit_code == 0, converted.output);
    for (const auto& file : {pem, der}) {
        const auto crl = crl_from(file);
        const auto status = check_crl(crl.get(), leaf.get(), ca.get(), test::real_now(), 300s);
        BOOST_REQUIRE_MESSAGE(status, error_of(status));
        BOOST_TEST(status->status == CertStatus::good);
        BOOST_TEST((status->next_update > status->this_update + 23h));
        BOOST_TEST(!status->evidence_der.empty());
    }
}

BOOST_FIXTURE_TEST_CASE(revoked_with_reason, test::RevocationWorld) {
    pki.revoke(pki.leaf, "superseded");
    pki.make_crl(dir / "ca.crl", 24);
    const auto crl = crl_from(dir / "ca.crl");
    const auto status = check_crl(crl.get(), leaf.get(), ca.get(), test::real_now(), 300s);
    BOOST_REQUIRE_MESSAGE(status, error_of(status));
    BOOST_TEST(status->status == CertStatus::revoked);
    BOOST_TEST(status->reason == 4);
    BOOST_TEST(std::string(reason_text(status->reason)) == "superseded");
    BOOST_TEST(status->revocation_time.has_value());
    const auto other = check_crl(crl.get(), leaf2.get(), ca.get(), test::real_now(), 300s);
    BOOST_REQUIRE_MESSAGE(other, error_of(other));
    BOOST_TEST(other->status == CertStatus::good);
}

BOOST_FIXTURE_TEST_CASE(another_issuers_crl_is_refused, test::RevocationWorld) {
    pki.make_crl(dir / "other.crl", 24, true);
    const auto crl = crl_from(dir / "other.crl");
    const auto status = check_crl(crl.get(), leaf.get(), ca.get(), test::real_now(), 300s);
    BOOST_REQUIRE(!status);
    BOOST_TEST(contains(status.error().message, "unrelated CA"), status.error().message);
}

BOOST_FIXTURE_TEST_CASE(a_stale_crl_is_refused, test::RevocationWorld) {
    pki.make_crl(dir / "ca.crl", 1);
    const auto crl = crl_from(dir / "ca.crl");
    const auto status = check_crl(crl.get(), leaf.get(), ca.get(), test::real_now() + 2h, 300s);
    BOOST_REQUIRE(!status);
    BOOST_TEST(contains(status.error().message, "stale"), status.error().message);
    // A CRL from the future (thisUpdate after now + skew) is refused too.
    const auto early = check_crl(crl.get(), leaf.get(), ca.get(), test::real_now() - 2h, 300s);
    BOOST_REQUIRE(!early);
    BOOST_TEST(contains(early.error().message, "not valid yet"), early.error().message);
}

BOOST_FIXTURE_TEST_CASE(a_forged_signature_is_refused, test::RevocationWorld) {
    pki.make_crl(dir / "ca.crl", 24);
    const auto crl = crl_from(dir / "ca.crl");
    unsigned char* der = nullptr;
    const int length = i2d_X509_CRL(crl.get(), &der);
    BOOST_REQUIRE(length > 0);
    OpensslBytes owned(der);
    std::vector<std::uint8_t> bytes(der, der + length);
    bytes[bytes.size() - 2] ^= 0x01;  // inside the signature value
    const auto forged = test::need(parse_crl(bytes));
    const auto status = check_crl(forged.get(), leaf.get(), ca.get(), test::real_now(), 300s);
    BOOST_REQUIRE(!status);
    BOOST_TEST(contains(status.error().message, "signature does not verify"),
               status.error().message);
}

BOOST_AUTO_TEST_CASE(bytes_that_are_no_crl_are_refused) {
    const auto crl = parse_crl(test::bytes_of("-----BEGIN X509 CRL-----\nAAAA\n"));
    BOOST_TEST(!crl.has_value());
    BOOST_TEST(!parse_crl(std::vector<std::uint8_t>{}).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::revocation
