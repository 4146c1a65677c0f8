#pragma once
// The values a statement binds and reads, and what a commit makes sure of.

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace signet::store {

using Blob = std::vector<std::uint8_t>;
using Value = std::variant<std::nullptr_t, std::int64_t, std::string, Blob>;

enum class Durability {
    synced,  // on disk (on PostgreSQL: flushed to its write-ahead log)
    // Safe from a crash of this process, on disk with the next synced commit (SQLite's
    // synchronous = NORMAL in WAL mode; PostgreSQL's synchronous_commit = off). A power loss
    // may take it back.
    deferred,
};

}  // namespace signet::store
