#include "tests/fuzz/fuzz_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string_view>

#include <openssl/pem.h>

#include "base/base64.hpp"

namespace signet::fuzz {
namespace {

[[noreturn]] void set_up_failed(const std::string& what) {
    std::fprintf(stderr, "fuzz set-up: %s\n", what.c_str());
    std::abort();
}

std::filesystem::path make_pki() {
    if (const char* given = std::getenv("SIGNET_FUZZ_PKI"); given != nullptr && *given != '\0')
        return given;
    std::string folder =
        (std::filesystem::temp_directory_path() / "signet-fuzz-pki-XXXXXX").string();
    if (::mkdtemp(folder.data()) == nullptr) set_up_failed("cannot make " + folder);
    const std::string command =
        std::string("'") + SIGNET_FUZZ_SOURCE_DIR + "/make_pki.sh' '" + folder + "' >/dev/null";
    if (std::system(command.c_str()) != 0) set_up_failed(command);
    return folder;
}

}  // namespace

const std::filesystem::path& pki() {
    static const std::filesystem::path folder = make_pki();
    return folder;
}

std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) set_up_failed("cannot read " + file.string());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

X509Ptr read_certificate(const std::filesystem::path& file) {
    const std::string pem = read_file(file);
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509Ptr certificate(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!certificate) set_up_failed("no certificate in " + file.string());
    return certificate;
}

std::vector<std::uint8_t> expected_imprint() {
    auto imprint = hex_decode(sha256_hex(std::string_view("signet fuzz")));
    if (!imprint) set_up_failed("hex");
    return *imprint;
}

const SealAndIssuer& seal_and_issuer() {
    static const SealAndIssuer pair{read_certificate(pki() / "seal.pem"), read_certificate(pki() / "ca.pem")};
    return pair;
}

std::chrono::sys_seconds now_seconds() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace signet::fuzz
