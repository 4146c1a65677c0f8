// An OCSP responder's answer (revocation/ocsp.hpp, check_ocsp_response) for make_pki.sh's seal
// certificate and its CA, as query_ocsp checks it after the exchange: against a request with a
// nonce (which the seeds, made with -no_nonce, do not echo: allowed) and without one, by POST
// and by GET's options.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "base/ssl_ptr.hpp"
#include "revocation/ocsp.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace signet::revocation;
    const auto& [cert, issuer] = signet::fuzz::seal_and_issuer();
    static const OcspQuestion with_nonce = [] {
        const auto& pki = signet::fuzz::seal_and_issuer();
        auto question = make_ocsp_request(pki.seal.get(), pki.issuer.get(), true);
        if (!question) std::abort();
        return std::move(*question);
    }();
    const auto now = signet::fuzz::now_seconds();
    const std::span<const std::uint8_t> der(data, size);
    OcspOptions options;
    (void)check_ocsp_response(der, cert.get(), issuer.get(), with_nonce.request.get(), now,
                              options);
    options.use_get = true;
    options.nonce = false;
    (void)check_ocsp_response(der, cert.get(), issuer.get(), nullptr, now, options);
    return 0;
}
