#pragma once
// A dev-init installation opened in the test's own process: a real SoftHSM token and database,
// the daemon's clock replaced by a ManualClock so that tests move time instead of waiting.

#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>

#include <boost/test/unit_test.hpp>
#include <openssl/pem.h>

#include "config/config.hpp"
#include "devpki/dev_init.hpp"
#include "devpki/dev_pki.hpp"
#include "keys/key_admin.hpp"
#include "base/secret_file.hpp"
#include "hsm/module.hpp"
#include "pdf/worker/worker_pool.hpp"
#include "tests/support/need.hpp"
#include "tests/support/temp_dir.hpp"

namespace signet::test {

struct DevInstallation {
    test::TempDir dir{"signet-keys"};
    config::Config config;
    std::unique_ptr<hsm::Token> token;
    std::optional<store::Database> db;
    store::DatabaseMutex db_mutex;
    signet::ManualClock clock{std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
    std::unique_ptr<daemon::KeySlot> seal_slot;
    std::unique_ptr<daemon::KeySlot> audit_slot;
    daemon::KeySlot tsa_slot;
    daemon::KeySlot guest_ca_slot;
    // One worker: jobs here are refused before their PDF, or prepare one document at a time.
    std::unique_ptr<pdf::WorkerPool> pdf_workers = need(pdf::WorkerPool::start(SIGNET_PDF_WORKER, {.workers = 1}));

    DevInstallation() {
        daemon::DevInitOptions options;
        options.dir = dir.path();
        options.pkcs11_module = SIGNET_SOFTHSM_MODULE;
        options.rights_matrix = SIGNET_RIGHTS_MATRIX;
        need(daemon::dev_init(options));
        config = need(config::load(dir / "signetd.toml"));
        ::setenv("SOFTHSM2_CONF", config.hsm.softhsm_conf->c_str(), 1);
        token = need(hsm::Token::open(need(hsm::Module::load(config.hsm.module)), config.hsm.token,
                                      need(signet::read_secret_file(config.hsm.pin_file)), 2));
        db.emplace(need(store::Database::open(config.store)));
        seal_slot = std::make_unique<daemon::KeySlot>(need(daemon::load_active_key(*db, *token, "seal")));
        audit_slot = std::make_unique<daemon::KeySlot>(need(daemon::load_active_key(*db, *token, "audit")));
        if (auto tsa = need(daemon::find_active_key(*db, *token, "tsa"))) tsa_slot.set(std::move(*tsa));
        if (auto guest_ca = need(daemon::find_active_key(*db, *token, "guest-ca"))) guest_ca_slot.set(std::move(*guest_ca));
    }

    daemon::OfficerContext officer(const std::string& name) {
        config::ClientIdentity identity{std::string(64, name.back()), name, config::Role::officer};
        return {*db, db_mutex, *token, clock, config.keys, *seal_slot, *audit_slot, tsa_slot, guest_ca_slot, identity};
    }

    // The certificate dev-init's signing CA issues for `csr_pem`, valid `days`, in PEM.
    std::string issue(const std::string& csr_pem, int days) {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(csr_pem.data(), static_cast<int>(csr_pem.size())),
                                                      BIO_free);
        std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> csr(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr),
                                                                X509_REQ_free);
        BOOST_REQUIRE(csr);
        auto ca = need(devpki::read_certificate(dir / "pki" / "signing-ca.pem"));
        auto ca_key = need(devpki::read_private_key(dir / "pki" / "signing-ca.key"));
        devpki::CertificateSpec spec;
        spec.common_name = "signet test";
        spec.usage = devpki::Usage::signing;
        spec.valid_days = days;
        auto issued = need(devpki::issue(spec, X509_REQ_get0_pubkey(csr.get()), ca.get(), ca_key.get()));
        return need(signet::to_pem(issued.get()));
    }

    // A ready seal key: generated in the token, its request certified for `days`, imported.
    std::string ready_seal_key(int days = 365) {
        auto officer1 = officer("officer");
        auto made = need(daemon::generate_key(officer1, R"({"purpose": "seal", "algorithm": "ec-p256", "label": "next"})"));
        nlohmann::json body{{"certificate", issue(made.body.at("csr"), days)}};
        need(daemon::import_key_certificate(officer1, made.body.at("key_id"), body.dump()));
        return made.body.at("key_id");
    }

    std::int64_t request_activation(const std::string& key) {
        auto asked = need(daemon::request_key_change(officer("officer"), key, policy::KeyChange::activate));
        BOOST_REQUIRE_EQUAL(asked.status, 202U);
        return asked.body.at("approval_id").get<std::int64_t>();
    }
};

}  // namespace signet::test
