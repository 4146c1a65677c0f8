#pragma once
// The PostgreSQL backend (libpq), for several nodes on one database. Every write transaction
// takes one advisory lock, the store's write lock: writers on every node run one at a time, as
// on SQLite, so the modules above store/ keep the same guarantees (docs/scale-out.md).

#include <filesystem>
#include <memory>
#include <string>

#include "base/error.hpp"
#include "store/connection.hpp"

namespace signet::store {

// `url` is a libpq URI without a password ("postgresql://user@host:port/db"); the password is
// the content of `password_file`, given to libpq as a parameter and wiped after. The first
// connection of a Database brings the schema to the newest version (`migrate`); the others
// only read its version.
Result<std::unique_ptr<Connection>> open_postgresql(const std::string& url, const std::filesystem::path& password_file,
                                                    bool migrate = true);

// `?` placeholders outside quoted text numbered `$1`, `$2`...: one statement text for both
// backends. Returns the text and the number of placeholders.
std::pair<std::string, int> numbered_placeholders(std::string_view sql);

}  // namespace signet::store
