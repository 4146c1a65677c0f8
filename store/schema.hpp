#pragma once
// The schema as an ordered list of migrations for each backend. A migration is never edited
// once released: add a new one, to both lists.
//
// SQLite: migration N brings the database to version N. PostgreSQL arrived at version 10
// (issue 23): a new database gets the baseline, which is version 10, then migration 11 and on.
// Both reach the same version with the same tables.

#include <cstddef>
#include <span>
#include <string_view>

#include "base/error.hpp"

namespace signet::store {

std::span<const std::string_view> sqlite_migrations();

inline constexpr int postgresql_baseline_version = 10;
std::string_view postgresql_baseline();
// Versions 11, 12, ...: postgresql_migrations()[i] brings the database to version 11 + i.
std::span<const std::string_view> postgresql_migrations();

// Refuses a database whose schema is newer than the `known` versions of this binary.
Status refuse_newer_schema(int found, std::size_t known);

}  // namespace signet::store
