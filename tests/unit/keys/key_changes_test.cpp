// The officers' key lifecycle against a real SoftHSM token and database made by dev-init,
// with the daemon's clock replaced by a ManualClock: approvals that expire, and the guards on
// a certificate's remaining validity, tested by moving time instead of waiting.

#include <cstdlib>

#include <boost/test/unit_test.hpp>
#include <openssl/pem.h>

#include "register/register.hpp"
#include "jobs/seal_job.hpp"
#include "policy/matrix.hpp"
#include "tests/support/dev_installation.hpp"
#include "tests/support/need.hpp"

namespace {

using namespace signet;
using signet::test::DevInstallation;
using signet::test::need;

}  // namespace

BOOST_AUTO_TEST_SUITE(key_changes)

BOOST_AUTO_TEST_CASE(an_approval_expires_after_the_configured_time) {
    DevInstallation inst;
    BOOST_TEST(inst.config.keys.approval_ttl == std::chrono::hours(24));
    const std::string key = inst.ready_seal_key();
    const std::string before = inst.seal_slot->get()->id_hex;

    auto late = inst.request_activation(key);
    inst.clock.advance(std::chrono::hours(24));
    auto refused = daemon::approve_key_change(inst.officer("officer2"), late);
    BOOST_REQUIRE(!refused);
    BOOST_TEST((refused.error().code == Errc::conflict));
    BOOST_TEST(refused.error().message.find("expired") != std::string::npos, refused.error().message);
    BOOST_TEST(inst.seal_slot->get()->id_hex == before);

    // Asked again, approved in time by another officer: the slot holds the new key at once.
    auto in_time = inst.request_activation(key);
    inst.clock.advance(std::chrono::hours(23));
    auto approved = daemon::approve_key_change(inst.officer("officer2"), in_time);
    BOOST_REQUIRE_MESSAGE(approved, signet::test::error_of(approved));
    BOOST_TEST(approved->body.at("retired") == before);
    BOOST_TEST(inst.seal_slot->get()->id_hex == key);
    // Approving twice changes nothing more.
    auto again = daemon::approve_key_change(inst.officer("officer3"), in_time);
    BOOST_TEST((!again && again.error().code == Errc::conflict));
}

BOOST_AUTO_TEST_CASE(the_requester_cannot_approve_under_another_certificate_name) {
    DevInstallation inst;
    const std::string key = inst.ready_seal_key();
    auto approval = inst.request_activation(key);
    // Same subject CN, another certificate: still the same officer.
    daemon::OfficerContext same = inst.officer("officer");
    same.officer.fingerprint = std::string(64, 'f');
    auto refused = daemon::approve_key_change(same, approval);
    BOOST_TEST((!refused && refused.error().code == Errc::forbidden));
}

BOOST_AUTO_TEST_CASE(a_certificate_too_close_to_its_end_is_not_activated) {
    DevInstallation inst;
    const std::string key = inst.ready_seal_key(30);
    // 29 days and 12 hours on: less than min_remaining_validity (one day) is left.
    inst.clock.advance(std::chrono::hours(29 * 24 + 12));
    auto approval = inst.request_activation(key);
    BOOST_TEST(inst.config.keys.min_remaining_validity == std::chrono::hours(24));
    auto refused = daemon::approve_key_change(inst.officer("officer2"), approval);
    BOOST_REQUIRE(!refused);
    BOOST_TEST((refused.error().code == Errc::conflict));
    BOOST_TEST(refused.error().message.find("minimum remaining validity") != std::string::npos, refused.error().message);
    BOOST_TEST(inst.seal_slot->get()->id_hex != key);
}

BOOST_AUTO_TEST_CASE(a_seal_on_an_ended_certificate_is_refused_before_any_pdf_or_key_use) {
    DevInstallation inst;
    daemon::Register(*inst.db).put_tenant(policy::Tenant{"cab", policy::TenantKind::cabinet, "Cabinet Roux"}).value();
    daemon::Register(*inst.db).put_member("cab", policy::Member{"ec1", policy::Role::ec, "Jeanne Roux"}).value();
    auto matrix = need(policy::Matrix::load(SIGNET_RIGHTS_MATRIX));
    const auto seal_key = inst.seal_slot->get();
    daemon::AuditTrail trail(*inst.db, inst.db_mutex, inst.clock, *inst.token, *inst.audit_slot, inst.config.audit);
    // Years ahead, dev-init's 30-day CRL is stale: "prefer" lets the job past the revocation
    // check, so that the certificate's own dates are what this case tests.
    inst.config.revocation.mode = config::RevocationMode::prefer;
    evidence::RevocationGate revocation(inst.config.revocation, {}, inst.clock, *inst.db, inst.db_mutex);
    daemon::TrustedTime time{nullptr, inst.tsa_slot, *inst.token, trail, inst.clock, revocation};
    daemon::SealContext context{*inst.token, *seal_key, trail, *inst.db, inst.db_mutex, matrix, inst.clock,
                                inst.config.keys.min_remaining_validity, *inst.pdf_workers, time, revocation};
    config::ClientIdentity platform{std::string(64, 'p'), "platform", config::Role::platform};
    auto job = [&] {
        // Not a PDF: a job that got as far as the PDF would fail with invalid_document.
        return daemon::run_seal_job(context, platform, daemon::SealRequest{"cab", "ec1", {'x'}, std::nullopt, std::nullopt, std::nullopt, {}});
    };

    inst.clock.set(seal_key->validity.not_after - std::chrono::hours(12));
    auto near_end = job();
    BOOST_REQUIRE(!near_end);
    BOOST_TEST((near_end.error().code == Errc::unavailable));
    BOOST_TEST(near_end.error().message.find("minimum remaining validity") != std::string::npos);

    inst.clock.set(seal_key->validity.not_after + std::chrono::seconds(1));
    auto ended = job();
    BOOST_REQUIRE(!ended);
    BOOST_TEST(ended.error().message.find("ended on") != std::string::npos, ended.error().message);

    // Before: the guard lets the job through to the PDF, which is not one.
    inst.clock.set(seal_key->validity.not_after - std::chrono::hours(48));
    auto passed = job();
    BOOST_TEST((!passed && passed.error().code == Errc::invalid_document));

    // Each refusal is on record with its reason, and no seal was intended.
    auto statement = need(inst.db->prepare(
        "SELECT COUNT(*) FROM audit_log WHERE event = 'refusal' AND json_extract(entry, '$.reason') LIKE '%certificate%'"));
    BOOST_REQUIRE(need(statement.step()));
    BOOST_TEST(statement.column_int(0) == 2);
    auto intended = need(inst.db->prepare("SELECT COUNT(*) FROM audit_log WHERE event = 'seal'"));
    BOOST_REQUIRE(need(intended.step()));
    BOOST_TEST(intended.column_int(0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
