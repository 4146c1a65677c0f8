// The HSM's raw signing rate for the active seal key of a dev-init installation: N threads, each
// with its own session, calling hsm::Token::sign on ~100 bytes (the size of the DER signed
// attributes a seal signs, RFC 5652 §5.4) for S seconds after a short warm-up. Token::sign uses
// the cached key handle and does C_SignInit + C_Sign (CKM_SHA256_RSA_PKCS or ECDSA), nothing
// else, so this is the "raw C_Sign rate" issue 8 compares signetd's seal throughput with.
// Run by tests/bench/performance.sh before signetd starts, so they do not share the CPU.
// --purpose tsa measures the TSA key instead (issue 17: dev-init's "tsa-1", EC P-256): for an EC
// key Token::sign hashes with SHA-256 and signs the digest with CKM_ECDSA, the very call the
// internal TSA makes for each token (jobs/trusted_time.cpp), so this is the raw rate
// tests/bench/timestamp_rate.sh compares POST /v1/timestamp with.
//   hsm_rate CONFIG --threads N --seconds S [--purpose seal|tsa|audit] [--bytes B]
// Prints one JSON object: {"threads", "signatures", "seconds", "per_second", "purpose", "key_id",
// "bytes"}.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "keys/active_key.hpp"
#include "keys/token_open.hpp"
#include "store/database.hpp"

namespace {

using namespace signet;
using Stopwatch = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& message) {
    std::cerr << "hsm_rate: " << message << "\n";
    std::exit(1);
}

template <class T>
T need(Result<T> result) {
    if (!result) die(result.error().message);
    return std::move(*result);
}

}  // namespace

int main(int argc, char** argv) {
    namespace po = boost::program_options;
    std::string config_file;
    unsigned threads = 1;
    double seconds = 5;
    std::string purpose = "seal";
    std::size_t bytes = 100;
    po::options_description options("hsm_rate CONFIG --threads N --seconds S [--purpose P] [--bytes B]");
    options.add_options()("config", po::value(&config_file)->required(), "signetd.toml of a dev-init installation")(
        "threads", po::value(&threads)->default_value(1), "signing threads, one session each")(
        "seconds", po::value(&seconds)->default_value(5.0), "measured duration, after a warm-up")(
        "purpose", po::value(&purpose)->default_value("seal"), "whose active key signs: seal, tsa or audit")(
        "bytes", po::value(&bytes)->default_value(100), "bytes signed per call (1..65536)");
    po::positional_options_description positional;
    positional.add("config", 1);
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::ostringstream usage;
        usage << options;
        die(std::string(e.what()) + "\n" + usage.str());
    }
    if (threads == 0 || threads > 256 || seconds <= 0) die("--threads must be 1..256 and --seconds positive");
    if (bytes == 0 || bytes > 65536) die("--bytes must be 1..65536");

    auto config = need(config::load(config_file));
    // One session per thread: Token::sign takes a session from its pool for each call, so with
    // fewer sessions than threads we would measure the pool's queue, not the token.
    config.hsm.sessions = threads;
    auto token = need(daemon::open_configured_token(config.hsm));
    auto db = need(store::Database::open(config.store));
    const auto key = need(daemon::load_active_key(db, *token, purpose));

    // ≈ DER signedAttrs: contentType, signingTime, messageDigest, signingCertificateV2 (a seal's
    // ~100 bytes; a time-stamp token's are of the same order).
    const std::vector<std::uint8_t> data(bytes, 0x31);
    std::atomic<bool> measuring{false};
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> signatures{0};
    std::atomic<bool> failed{false};
    std::vector<std::jthread> workers;
    for (unsigned i = 0; i < threads; ++i) {
        workers.emplace_back([&] {
            std::uint64_t mine = 0;
            while (!stop.load(std::memory_order_relaxed)) {
                auto signature = token->sign(key.id, data);
                if (!signature) {
                    std::cerr << "hsm_rate: sign: " << signature.error().message << "\n";
                    failed = true;
                    return;
                }
                if (measuring.load(std::memory_order_relaxed)) ++mine;
            }
            signatures += mine;
        });
    }
    // Warm-up: the first calls open sessions and fault in SoftHSM's key objects.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto start = Stopwatch::now();
    measuring = true;
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    measuring = false;
    const double elapsed = std::chrono::duration<double>(Stopwatch::now() - start).count();
    stop = true;
    workers.clear();  // joins
    if (failed) return 1;
    // A call in flight when `measuring` flips may be counted on either side: at most one per
    // thread, under 1% at the durations the script uses.
    nlohmann::json out = {{"threads", threads},
                          {"signatures", signatures.load()},
                          {"seconds", elapsed},
                          {"per_second", static_cast<double>(signatures.load()) / elapsed},
                          {"purpose", purpose},
                          {"key_id", key.id_hex},
                          {"bytes", bytes}};
    std::cout << out.dump() << "\n";
    return 0;
}
