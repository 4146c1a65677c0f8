#pragma once
// The schema as an ordered list of migrations; migration N brings the database to version N.
// A migration is never edited once released: add a new one.

#include <span>
#include <string_view>

namespace signet::store {

std::span<const std::string_view> migrations();

}  // namespace signet::store
