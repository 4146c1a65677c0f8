// The revocation gate on a dev-init installation (real token, database and CRL file): a good
// certificate passes and its CRL is kept in the database; a revoked one is refused and marked in
// the register; no status under "require" and under "prefer"; the issuer of a certificate
// imported alone comes from the signing trust anchors.

#include <boost/test/unit_test.hpp>

#include "devpki/dev_init.hpp"
#include "evidence/revocation_gate.hpp"
#include "keys/certificate_checks.hpp"
#include "keys/key_inventory.hpp"
#include "tests/support/dev_installation.hpp"
#include "tests/support/need.hpp"

namespace signet::evidence {
namespace {

using test::need;

std::vector<X509Ptr> anchors(const test::DevInstallation& inst) {
    return need(daemon::read_trust_anchors(inst.config.keys.signing_trust_anchors));
}

std::int64_t count(store::Database& db, const std::string& sql) {
    auto statement = need(db.prepare(sql));
    BOOST_REQUIRE(need(statement.step()));
    return statement.column_int(0);
}

BOOST_AUTO_TEST_SUITE(revocation_gate)

BOOST_AUTO_TEST_CASE(a_good_certificate_passes_and_its_crl_is_kept_in_the_database) {
    test::DevInstallation inst;
    RevocationGate gate(inst.config.revocation, anchors(inst), inst.clock, *inst.db, inst.db_mutex);
    auto status = gate.before_use(*inst.seal_slot->get(), "the seal key");
    BOOST_REQUIRE_MESSAGE(status, test::error_of(status));
    BOOST_TEST(status->unknown.empty());
    BOOST_REQUIRE(status->statuses.size() == 1u);
    BOOST_TEST((status->statuses[0].status == revocation::CertStatus::good));
    BOOST_TEST((status->statuses[0].source_kind == revocation::SourceKind::crl_file));
    BOOST_TEST(count(*inst.db, "SELECT COUNT(*) FROM revocation_evidence WHERE kind = 'crl_file'") == 1);

    // Another process (a restart) finds it in the database and reads no file.
    RevocationGate restarted(inst.config.revocation, anchors(inst), inst.clock, *inst.db, inst.db_mutex);
    BOOST_REQUIRE(restarted.before_use(*inst.seal_slot->get(), "the seal key").has_value());
    BOOST_TEST(restarted.checker().fetches() == 0u);
}

BOOST_AUTO_TEST_CASE(a_revoked_certificate_is_refused_and_marked_in_the_register) {
    test::DevInstallation inst;
    RevocationGate gate(inst.config.revocation, anchors(inst), inst.clock, *inst.db, inst.db_mutex);
    daemon::DevCrlOptions crl;
    crl.dir = inst.dir.path();
    crl.revoke = {inst.dir / "pki" / "seal.pem"};
    BOOST_REQUIRE(need(daemon::dev_crl(crl)) == 1u);
    auto refused = gate.before_use(*inst.seal_slot->get(), "the seal key");
    BOOST_REQUIRE(!refused);
    BOOST_TEST((refused.error().code == Errc::certificate_revoked));
    BOOST_TEST(refused.error().message.find("is revoked") != std::string::npos, refused.error().message);
    const auto revoked = need(daemon::revoked_active_keys(*inst.db, inst.db_mutex));
    BOOST_REQUIRE(revoked.size() == 1u);
    BOOST_TEST(revoked[0] == inst.seal_slot->get()->id_hex);
    // The TSA certificate is not revoked: its key still passes.
    BOOST_TEST(gate.before_use(*inst.tsa_slot.get(), "the TSA key").has_value());
}

BOOST_AUTO_TEST_CASE(no_status_is_a_refusal_under_require_and_a_note_under_prefer) {
    test::DevInstallation inst;
    config::Revocation settings = inst.config.revocation;
    settings.crl_files.clear();
    RevocationGate strict(settings, anchors(inst), inst.clock, *inst.db, inst.db_mutex);
    auto refused = strict.before_use(*inst.seal_slot->get(), "the seal key");
    BOOST_REQUIRE(!refused);
    BOOST_TEST((refused.error().code == Errc::unavailable));
    BOOST_TEST(refused.error().message.find("no CRL file is configured") != std::string::npos,
               refused.error().message);

    settings.mode = config::RevocationMode::prefer;
    RevocationGate lenient(settings, anchors(inst), inst.clock, *inst.db, inst.db_mutex);
    auto noted = lenient.before_use(*inst.seal_slot->get(), "the seal key");
    BOOST_REQUIRE_MESSAGE(noted, test::error_of(noted));
    BOOST_TEST(!noted->unknown.empty());
    BOOST_TEST(noted->statuses.empty());
}

BOOST_AUTO_TEST_CASE(the_issuer_of_a_certificate_imported_alone_comes_from_the_trust_anchors) {
    test::DevInstallation inst;
    daemon::ActiveKey alone = need(daemon::load_active_key(*inst.db, *inst.token, "seal"));
    alone.chain.clear();
    RevocationGate gate(inst.config.revocation, anchors(inst), inst.clock, *inst.db, inst.db_mutex);
    BOOST_TEST(gate.chain_of(alone).size() == 2u);
    BOOST_TEST(gate.before_use(alone, "the seal key").has_value());

    RevocationGate without(inst.config.revocation, {}, inst.clock, *inst.db, inst.db_mutex);
    BOOST_TEST(without.chain_of(alone).size() == 1u);
    auto refused = without.before_use(alone, "the seal key");
    BOOST_REQUIRE(!refused);
    BOOST_TEST(refused.error().message.find("signing_trust_anchors") != std::string::npos, refused.error().message);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::evidence
