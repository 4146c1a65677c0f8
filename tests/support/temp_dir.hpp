#pragma once
// A fresh private folder under $TMPDIR (or /tmp), removed with everything in it on destruction.

#include <filesystem>
#include <string>
#include <string_view>

namespace signet::test {

class TempDir {
public:
    explicit TempDir(std::string_view prefix = "signet-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// Whole-file helpers for tests.
std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, std::string_view content);

}  // namespace signet::test
