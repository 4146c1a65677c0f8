#pragma once
// The personal keys of the people who sign, read from the register and the token once and then
// kept: the token holds one key per person, and a signature must not search it.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "base/error.hpp"
#include "hsm/token.hpp"
#include "keys/active_key.hpp"
#include "store/database.hpp"

namespace signet::daemon {

// Personal keys read from the register and the token once, then kept: the token holds one key
// per person, and a signature must not search it. Bounded; the least recently used goes.
class PersonalKeys {
public:
    explicit PersonalKeys(std::size_t capacity) : capacity_(capacity) {}
    // The key `key_id` (loaded on first use, with its certificate and chain).
    Result<std::shared_ptr<const ActiveKey>> get(store::Database& db, store::DatabaseMutex& db_mutex, hsm::Token& token,
                                                 const std::string& key_id);

private:
    std::mutex mutex_;
    std::size_t capacity_;
    std::uint64_t clock_ = 0;
    std::map<std::string, std::pair<std::shared_ptr<const ActiveKey>, std::uint64_t>> keys_;
};

}  // namespace signet::daemon
