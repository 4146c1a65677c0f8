// A CRL (revocation/crl.hpp) as revocation_checker.cpp reads one fetched from a CDP or read
// from a local file: parse_crl (DER or PEM), then check_crl for make_pki.sh's seal certificate
// and its CA (run.sh's seeds are that CA's CRLs). status_in_crl runs on every CRL parse_crl
// accepts, not only those check_crl verified: the entries' reading lies behind a signature
// no mutation can make, and a CRL's entries are read before anyone trusts them.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/ssl_ptr.hpp"
#include "revocation/crl.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace signet::revocation;
    const auto& [cert, issuer] = signet::fuzz::seal_and_issuer();
    auto crl = parse_crl(std::span(data, size));
    if (!crl) return 0;
    (void)check_crl(crl->get(), cert.get(), issuer.get(), signet::fuzz::now_seconds(), std::chrono::seconds(300));
    (void)status_in_crl(crl->get(), cert.get());
    return 0;
}
