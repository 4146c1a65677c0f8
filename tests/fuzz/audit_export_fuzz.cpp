// What `signetctl audit verify` reads (cli/, audit/verify.hpp): an NDJSON export of entries
// and checkpoints, and the operator's checkpoint file. The input up to its first NUL byte is
// the export, the rest the checkpoint file; the audit certificate is make_pki.sh's CA (the
// checkpoints of run.sh's seeds are signed with its key).

#include <cstddef>
#include <cstdint>
#include <string>

#include "audit/verify.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string certificate = signet::fuzz::read_file(signet::fuzz::pki() / "ca.pem");
    const std::string input = signet::fuzz::text_of(data, size);
    const std::size_t split = input.find('\0');
    const std::string exported = input.substr(0, split);
    const std::string checkpoints =
        split == std::string::npos ? std::string() : input.substr(split + 1);
    (void)signet::audit::verify_export(exported, certificate, checkpoints);
    return 0;
}
