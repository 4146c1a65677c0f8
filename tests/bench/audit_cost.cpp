// The cost of the key-usage log per seal: the same seal pipeline (prepare, HSM signature,
// embed) run in one process on a dev-init installation, without and with its two audit entries
// (intent before the signature, outcome after, each its own synchronous=FULL transaction).
// Interleaved rounds, medians, and their ratio. Run by tests/bench/audit_cost.sh.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <vector>

#include "config/config.hpp"
#include "keys/active_key.hpp"
#include "jobs/audit_trail.hpp"
#include "base/base64.hpp"
#include "base/secret_file.hpp"
#include "hsm/module.hpp"
#include "hsm/token.hpp"
#include "pdf/cades.hpp"
#include "pdf/prepare.hpp"

namespace {

using namespace signet;
using Stopwatch = std::chrono::steady_clock;

[[noreturn]] void die(const Error& error) {
    std::cerr << "audit_cost: " << error.message << "\n";
    std::exit(1);
}

template <class T>
T need(Result<T> result) {
    if (!result) die(result.error());
    return std::move(*result);
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: audit_cost CONFIG PDF ROUNDS\n";
        return 2;
    }
    auto config = need(config::load(argv[1]));
    std::filesystem::path document = argv[2];
    int rounds = std::atoi(argv[3]);
    ::setenv("SOFTHSM2_CONF", config.hsm.softhsm_conf->c_str(), 1);
    auto module = need(hsm::Module::load(config.hsm.module));
    auto token = need(hsm::Token::open(module, config.hsm.token, need(signet::read_secret_file(config.hsm.pin_file)), 2));
    auto db = need(store::Database::open(config.store));
    auto seal_key = need(daemon::load_active_key(db, *token, "seal"));
    auto audit_key = need(daemon::load_active_key(db, *token, "audit"));
    store::DatabaseMutex db_mutex;
    signet::SystemClock clock;
    config.audit.checkpoint_entries = 1000000;  // checkpoints are not per seal; leave them out
    daemon::KeySlot audit_slot(std::move(audit_key));
    daemon::AuditTrail trail(db, db_mutex, clock, *token, audit_slot, config.audit);

    auto seal_once = [&](bool logged) {
        auto start = Stopwatch::now();
        pdf::PrepareRequest request;
        request.signing_time = std::chrono::system_clock::now();
        request.contents_size = seal_key.signature_size;
        auto prepared = need(pdf::prepare(document, request));
        audit::Entry entry;
        entry.event = "seal";
        entry.outcome = "intended";
        entry.signed_digest_sha256 = hex_encode(prepared.digest);
        if (logged) need(trail.record(entry));
        auto cms = need(pdf::build_cades_signature(prepared.digest, seal_key.signer(),
                                                   [&](std::span<const std::uint8_t> data) {
                                                       return token->sign(seal_key.id, data);
                                                   }));
        if (auto embedded = pdf::embed(prepared, cms); !embedded) die(embedded.error());
        if (logged) {
            entry.outcome = "sealed";
            need(trail.record(entry));
        }
        return std::chrono::duration<double, std::milli>(Stopwatch::now() - start).count();
    };

    std::vector<double> without;
    std::vector<double> with;
    for (int i = 0; i < 5; ++i) seal_once(true);  // warm the caches and the token
    for (int i = 0; i < rounds; ++i) {
        without.push_back(seal_once(false));
        with.push_back(seal_once(true));
    }
    double a = median(without);
    double b = median(with);
    std::printf("document: %s, %d rounds, interleaved\n", document.filename().c_str(), rounds);
    std::printf("median seal without the audit log: %.2f ms\n", a);
    std::printf("median seal with the audit log:    %.2f ms\n", b);
    std::printf("cost of logging per seal:          %.2f ms (ratio %.3f)\n", b - a, b / a);
    return 0;
}
