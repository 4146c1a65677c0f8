#pragma once
// Secrets come from files (or systemd credentials, which are files), never from argv or the
// environment. A secret file must not be readable by group or others.

#include <filesystem>

#include "base/error.hpp"
#include "base/secret.hpp"

namespace signet {

// The file's content without a trailing newline.
Result<Secret> read_secret_file(const std::filesystem::path& path);

// Writes a new file readable by its owner only; refuses to replace an existing one.
Status write_secret_file(const std::filesystem::path& path, const Secret& secret);

}  // namespace signet
