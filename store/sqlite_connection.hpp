#pragma once
// The SQLite backend: one file, WAL, foreign keys on, every write transaction BEGIN IMMEDIATE.

#include <filesystem>
#include <memory>

#include "base/error.hpp"
#include "store/connection.hpp"

namespace signet::store {

Result<std::unique_ptr<Connection>> open_sqlite(const std::filesystem::path& path);

}  // namespace signet::store
