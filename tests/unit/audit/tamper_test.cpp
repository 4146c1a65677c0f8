// The tamper test of the audit issue on a generated log: a thousand random single tamperings
// of a realistic export, every one of them caught by the offline verifier.

#include <boost/test/unit_test.hpp>

#include "tests/support/audit_tamper.hpp"
#include "tests/unit/audit/signed_log.hpp"

namespace {

void require_all_caught(const signet::test::TamperReport& report, int mutations, const std::string& what) {
    BOOST_TEST(report.untouched_intact);
    BOOST_TEST(report.tried == mutations);
    BOOST_TEST(report.caught == report.tried);
    for (const auto& missed : report.missed) BOOST_ERROR("not caught: " << missed);
    BOOST_TEST_MESSAGE("tamper test on " << what << ": " << report.caught << " caught of " << report.tried);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_tamper)

BOOST_AUTO_TEST_CASE(a_thousand_random_tamperings_are_all_caught) {
    signet::test::SignedLog log("rsa-3072");
    log.grow(64, 10);  // checkpoints at 10 ... 60; entries 61-64 not yet anchored
    auto report = signet::test::tamper_test(log.export_text(), log.audit_key.certificate_pem,
                                            log.checkpoint_lines(), 1000, 20261123);
    require_all_caught(report, 1000, "a generated log (RSA-3072)");
}

// ECDSA signatures vary in length, so their base64 has every padding: the encodings a forger
// could play with.
BOOST_AUTO_TEST_CASE(tamperings_of_an_ec_signed_log_without_a_kept_file_are_caught) {
    signet::test::SignedLog log("ec-p256");
    log.grow(23, 4);
    auto report = signet::test::tamper_test(log.export_text(), log.audit_key.certificate_pem, "", 500, 7);
    require_all_caught(report, 500, "a generated log (P-256, no kept file)");
}

BOOST_AUTO_TEST_CASE(a_damaged_export_is_reported_before_any_mutation) {
    signet::test::SignedLog log("ec-p256");
    log.grow(5, 5);
    auto report = signet::test::tamper_test(log.export_text() + "oops\n", log.audit_key.certificate_pem, "", 10, 1);
    BOOST_TEST(!report.untouched_intact);
    BOOST_TEST(report.tried == 0);
}

BOOST_AUTO_TEST_SUITE_END()
