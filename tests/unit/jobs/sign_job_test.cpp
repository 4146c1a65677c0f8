// Personal signatures below the API, with the daemon's clock replaced by a ManualClock: the
// lock after wrong codes ends when its time is over, an old code is refused after a newer one,
// and a personal certificate that has ended refuses the job before any activation or key use.

#include <boost/test/unit_test.hpp>

#include "persons/activation.hpp"
#include "persons/enrolment.hpp"
#include "register/register.hpp"
#include "jobs/sign_job.hpp"
#include "persons/totp.hpp"
#include "policy/matrix.hpp"
#include "tests/support/dev_installation.hpp"

namespace {

using namespace signet;
using signet::test::DevInstallation;
using signet::test::need;

struct Signer : DevInstallation {
    daemon::OfficerContext platform = officer("platform");
    std::optional<Secret> seed;
    std::string key_id;

    Signer() {
        platform.officer.role = config::Role::platform;
        daemon::Register(*db).put_tenant(policy::Tenant{"cab", policy::TenantKind::cabinet, "Cabinet Roux"}).value();
        daemon::Register(*db).put_member("cab", policy::Member{"jeanne", policy::Role::ec, "Jeanne Roux"}).value();
        auto made = need(daemon::enrol_person_key(platform, "jeanne", R"({"algorithm": "ec-p256"})"));
        key_id = made.body.at("key_id");
        nlohmann::json body{{"certificate", issue(made.body.at("csr"), 30)}};
        need(daemon::import_person_certificate(platform, "jeanne", body.dump()));
        need(daemon::enrol_otp(platform, config.signing, "jeanne", "{}"));
        // The seed as the person's authenticator holds it: opened here only to compute codes.
        auto statement = need(db->prepare("SELECT otp_seed FROM persons WHERE person = 'jeanne'"));
        BOOST_REQUIRE(need(statement.step()));
        seed.emplace(need(token->open_secret(daemon::seed_key_id(), statement.column_blob(0),
                                             daemon::seed_context("jeanne"))));
    }

    std::int64_t step() const { return clock.now().time_since_epoch().count() / 30; }
    std::string code(std::int64_t at_step) { return need(daemon::totp_code(*seed, at_step)); }

    Result<daemon::Activation> activate(const std::string& otp) {
        audit::Entry base;
        base.actor = "jeanne";
        return daemon::check_activation(platform, config.signing, base, "jeanne", otp, {"digest"});
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(personal_activation)

BOOST_FIXTURE_TEST_CASE(the_lock_lasts_its_configured_time, Signer) {
    BOOST_TEST(config.signing.lockout_failures == 5U);
    const std::string wrong = code(step() - 100);
    for (int i = 1; i <= 5; ++i) BOOST_TEST(!activate(wrong).has_value());
    auto locked = activate(code(step()));
    BOOST_REQUIRE(!locked);
    BOOST_TEST(locked.error().message.find("locked until") != std::string::npos, locked.error().message);
    clock.advance(config.signing.lockout - std::chrono::seconds(1));
    BOOST_TEST(!activate(code(step())).has_value());  // still locked
    clock.advance(std::chrono::seconds(2));
    auto again = activate(code(step()));
    BOOST_TEST(again.has_value(), (again ? "" : again.error().message));
}

BOOST_FIXTURE_TEST_CASE(a_code_older_than_the_last_used_is_refused, Signer) {
    const std::int64_t now = step();
    BOOST_REQUIRE(activate(code(now + 1)).has_value());  // an authenticator a little ahead
    auto older = activate(code(now));  // inside the window, but before the one used
    BOOST_REQUIRE(!older);
    BOOST_TEST(older.error().message.find("already used") != std::string::npos, older.error().message);
    clock.advance(std::chrono::seconds(60));
    BOOST_TEST(activate(code(step())).has_value());
}

BOOST_FIXTURE_TEST_CASE(an_ended_personal_certificate_refuses_the_job_first, Signer) {
    auto matrix = need(policy::Matrix::load(SIGNET_RIGHTS_MATRIX));
    daemon::AuditTrail trail(*db, db_mutex, clock, *token, *audit_slot, config.audit);
    daemon::PersonalKeys keys(8);
    evidence::RevocationGate revocation(config.revocation, {}, clock, *db, db_mutex);
    daemon::TrustedTime time{nullptr, tsa_slot, *token, trail, clock, revocation};
    daemon::SignContext context{platform, trail, matrix, config.signing, keys, *pdf_workers, time, revocation};
    clock.advance(std::chrono::hours(24 * 31));  // the certificate lasted 30 days
    daemon::SignRequest request{"cab", "jeanne", {{'x'}}, false, std::nullopt, code(step()), std::nullopt, {}};
    auto refused = daemon::run_sign_job(context, request);
    BOOST_REQUIRE(!refused);
    BOOST_TEST((refused.error().code == Errc::conflict));
    BOOST_TEST(refused.error().message.find("ended on") != std::string::npos, refused.error().message);
    // The refusal is on record; the code was not even looked at, so no activation either.
    auto counts = need(db->prepare(
        "SELECT SUM(event = 'refusal'), SUM(event = 'activation'), SUM(event = 'sign') FROM audit_log "
        "WHERE json_extract(entry, '$.actor') = 'jeanne' AND json_extract(entry, '$.action') = 'document.sign'"));
    BOOST_REQUIRE(need(counts.step()));
    BOOST_TEST(counts.column_int(0) == 1);
    BOOST_TEST(counts.column_int(1) == 0);
    BOOST_TEST(counts.column_int(2) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

// The job checks its caller's role itself, before anything else: no refusal entry, no
// activation, no key use for a caller the router should never have let through.
BOOST_FIXTURE_TEST_CASE(a_job_for_another_role_than_the_platform_is_refused_first, Signer) {
    auto matrix = need(policy::Matrix::load(SIGNET_RIGHTS_MATRIX));
    daemon::AuditTrail trail(*db, db_mutex, clock, *token, *audit_slot, config.audit);
    daemon::PersonalKeys keys(8);
    daemon::OfficerContext officer_client = officer("alice");
    evidence::RevocationGate revocation(config.revocation, {}, clock, *db, db_mutex);
    daemon::TrustedTime time{nullptr, tsa_slot, *token, trail, clock, revocation};
    daemon::SignContext context{officer_client, trail, matrix, config.signing, keys, *pdf_workers, time, revocation};
    daemon::SignRequest request{"cab", "jeanne", {{'x'}}, false, std::nullopt, code(step()), std::nullopt, {}};
    auto refused = daemon::run_sign_job(context, request);
    BOOST_REQUIRE(!refused);
    BOOST_TEST((refused.error().code == Errc::forbidden));
    BOOST_TEST(refused.error().message == "only the platform role may submit signature jobs");
    auto entries = need(db->prepare(
        "SELECT COUNT(*) FROM audit_log WHERE json_extract(entry, '$.action') = 'document.sign'"));
    BOOST_REQUIRE(need(entries.step()));
    BOOST_TEST(entries.column_int(0) == 0);
}
