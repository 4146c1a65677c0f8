// The officers' key lifecycle against a real SoftHSM token and database made by dev-init,
// with the daemon's clock replaced by a ManualClock: approvals that expire, and the guards on
// a certificate's remaining validity, tested by moving time instead of waiting.

#include <cstdlib>

#include <boost/test/unit_test.hpp>
#include <openssl/pem.h>

#include "config/config.hpp"
#include "daemon/dev_init.hpp"
#include "daemon/dev_pki.hpp"
#include "daemon/key_admin.hpp"
#include "daemon/register.hpp"
#include "daemon/seal_job.hpp"
#include "daemon/secret_file.hpp"
#include "hsm/module.hpp"
#include "policy/matrix.hpp"
#include "tests/support/need.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace signet;
using nlohmann::json;
using signet::test::need;

struct Installation {
    test::TempDir dir{"signet-keys"};
    config::Config config;
    std::unique_ptr<hsm::Token> token;
    std::optional<store::Database> db;
    std::mutex db_mutex;
    policy::ManualClock clock{std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
    std::unique_ptr<daemon::KeySlot> seal_slot;
    std::unique_ptr<daemon::KeySlot> audit_slot;

    Installation() {
        need(daemon::dev_init({dir.path(), 8443, SIGNET_SOFTHSM_MODULE, SIGNET_RIGHTS_MATRIX}));
        config = need(config::load(dir / "signetd.toml"));
        ::setenv("SOFTHSM2_CONF", config.hsm.softhsm_conf->c_str(), 1);
        token = need(hsm::Token::open(need(hsm::Module::load(config.hsm.module)), config.hsm.token,
                                      need(daemon::read_secret_file(config.hsm.pin_file)), 2));
        db.emplace(need(store::Database::open(config.database.path)));
        seal_slot = std::make_unique<daemon::KeySlot>(need(daemon::load_active_key(*db, *token, "seal")));
        audit_slot = std::make_unique<daemon::KeySlot>(need(daemon::load_active_key(*db, *token, "audit")));
    }

    daemon::OfficerContext officer(const std::string& name) {
        daemon::ClientIdentity identity{std::string(64, name.back()), name, config::Role::officer};
        return {*db, db_mutex, *token, clock, config.keys, *seal_slot, *audit_slot, identity};
    }

    // A ready seal key: generated in the token, its request certified by dev-init's signing CA
    // for `days`, imported.
    std::string ready_seal_key(int days = 365) {
        auto officer1 = officer("officer");
        auto made = need(daemon::generate_key(officer1, R"({"purpose": "seal", "algorithm": "ec-p256", "label": "next"})"));
        const std::string csr_pem = made.body.at("csr");
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(csr_pem.data(), static_cast<int>(csr_pem.size())),
                                                      BIO_free);
        std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> csr(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr),
                                                                X509_REQ_free);
        BOOST_REQUIRE(csr);
        auto ca = need(devpki::read_certificate(dir / "pki" / "signing-ca.pem"));
        auto ca_key = need(devpki::read_private_key(dir / "pki" / "signing-ca.key"));
        devpki::CertificateSpec spec{"next seal", "signet development", devpki::Usage::signing, {}, {}, days};
        auto issued = need(devpki::issue(spec, X509_REQ_get0_pubkey(csr.get()), ca.get(), ca_key.get()));
        json body{{"certificate", need(devpki::to_pem(issued.get()))}};
        need(daemon::import_key_certificate(officer1, made.body.at("key_id"), body.dump()));
        return made.body.at("key_id");
    }

    std::int64_t request_activation(const std::string& key) {
        auto asked = need(daemon::request_key_change(officer("officer"), key, policy::KeyChange::activate));
        BOOST_REQUIRE_EQUAL(asked.status, 202U);
        return asked.body.at("approval_id").get<std::int64_t>();
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(key_changes)

BOOST_AUTO_TEST_CASE(an_approval_expires_after_the_configured_time) {
    Installation inst;
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
    BOOST_REQUIRE_MESSAGE(approved, approved.error().message);
    BOOST_TEST(approved->body.at("retired") == before);
    BOOST_TEST(inst.seal_slot->get()->id_hex == key);
    // Approving twice changes nothing more.
    auto again = daemon::approve_key_change(inst.officer("officer3"), in_time);
    BOOST_TEST((!again && again.error().code == Errc::conflict));
}

BOOST_AUTO_TEST_CASE(the_requester_cannot_approve_under_another_certificate_name) {
    Installation inst;
    const std::string key = inst.ready_seal_key();
    auto approval = inst.request_activation(key);
    // Same subject CN, another certificate: still the same officer.
    daemon::OfficerContext same = inst.officer("officer");
    same.officer.fingerprint = std::string(64, 'f');
    auto refused = daemon::approve_key_change(same, approval);
    BOOST_TEST((!refused && refused.error().code == Errc::forbidden));
}

BOOST_AUTO_TEST_CASE(a_certificate_too_close_to_its_end_is_not_activated) {
    Installation inst;
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
    Installation inst;
    daemon::Register(*inst.db).put_tenant(policy::Tenant{"cab", policy::TenantKind::cabinet, "Cabinet Roux"}).value();
    daemon::Register(*inst.db).put_member("cab", policy::Member{"ec1", policy::Role::ec, "Jeanne Roux"}).value();
    auto matrix = need(policy::Matrix::load(SIGNET_RIGHTS_MATRIX));
    const auto seal_key = inst.seal_slot->get();
    daemon::AuditTrail trail(*inst.db, inst.db_mutex, inst.clock, *inst.token, *inst.audit_slot, inst.config.audit);
    daemon::SealContext context{*inst.token, *seal_key, trail, *inst.db, inst.db_mutex, matrix, inst.clock,
                                inst.config.keys.min_remaining_validity};
    daemon::ClientIdentity platform{std::string(64, 'p'), "platform", config::Role::platform};
    auto job = [&] {
        // Not a PDF: a job that got as far as the PDF would fail with invalid_document.
        return daemon::run_seal_job(context, platform, daemon::SealRequest{"cab", "ec1", {'x'}, std::nullopt, std::nullopt});
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
