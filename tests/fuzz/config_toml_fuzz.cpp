// signetd's configuration (config/config.hpp): config::load on the input written to a file,
// as signetd and signetctl read /etc/signet/signet.toml. The folder holds empty files under the
// names of the corpus's minimal.toml (the unit tests' configuration), so that a configuration
// naming them is read to its end; other names do not exist and stop validation there.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "config/config.hpp"

namespace {

// One file per process, rewritten for each input.
const std::filesystem::path& config_file() {
    static const std::filesystem::path file = [] {
        auto folder = std::filesystem::temp_directory_path() /
                      ("signet-fuzz-config-" + std::to_string(::getpid()));
        std::filesystem::create_directories(folder);
        for (const char* name :
             {"server.pem", "server.key", "ca.pem", "module.so", "pin", "rights-matrix.toml"}) {
            std::FILE* placeholder = std::fopen((folder / name).c_str(), "wb");
            if (placeholder == nullptr || std::fclose(placeholder) != 0) std::abort();
        }
        std::filesystem::permissions(folder / "pin", std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::owner_write);
        return folder / "signet.toml";
    }();
    return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& file = config_file();
    std::FILE* out = std::fopen(file.c_str(), "wb");
    if (out == nullptr) std::abort();
    if (size > 0 && std::fwrite(data, 1, size, out) != size) std::abort();
    if (std::fclose(out) != 0) std::abort();
    (void)signet::config::load(file);
    return 0;
}
