// Fills a dev-init installation's token with COUNT personal-sized key pairs (EC P-256, random
// CKA_IDs) that no one uses, as a token holding one key per registered person would be, and
// prints how long it took. Run with signetd stopped:
//   filler_keys DIR/signetd.toml COUNT

#include <chrono>
#include <cstdlib>
#include <iostream>

#include <openssl/rand.h>

#include "config/config.hpp"
#include "base/secret_file.hpp"
#include "hsm/module.hpp"
#include "hsm/token.hpp"
#include "tests/support/need.hpp"

int main(int argc, char** argv) {
    using namespace signet;
    using test::need;
    if (argc != 3) {
        std::cerr << "usage: filler_keys CONFIG COUNT\n";
        return 2;
    }
    auto config = need(config::load(argv[1]));
    const long count = std::atol(argv[2]);
    ::setenv("SOFTHSM2_CONF", config.hsm.softhsm_conf->c_str(), 1);
    auto token = need(hsm::Token::open(need(hsm::Module::load(config.hsm.module)), config.hsm.token,
                                       need(signet::read_secret_file(config.hsm.pin_file)), 1));
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < count; ++i) {
        hsm::KeyId id(16);
        if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1) return 1;
        need(token->generate_key_pair(hsm::KeyAlgorithm::ec_p256, id, "bench filler"));
        if ((i + 1) % 2000 == 0) std::cerr << "  " << (i + 1) << " keys\n";
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::cout << count << " key pairs made in " << took.count() << " s\n";
    return 0;
}
