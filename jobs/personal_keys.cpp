#include "jobs/personal_keys.hpp"

namespace signet::daemon {

Result<std::shared_ptr<const ActiveKey>> PersonalKeys::get(store::Database& db, store::DatabaseMutex& db_mutex,
                                                           hsm::Token& token, const std::string& key_id) {
    {
        std::lock_guard lock(mutex_);
        if (auto found = keys_.find(key_id); found != keys_.end()) {
            found->second.second = ++clock_;
            return found->second.first;
        }
    }
    std::shared_ptr<const ActiveKey> loaded;
    {
        std::lock_guard lock(db_mutex);
        auto key = load_key(db, token, key_id);
        if (!key) return std::unexpected(key.error());
        loaded = std::make_shared<const ActiveKey>(std::move(*key));
    }
    std::lock_guard lock(mutex_);
    if (keys_.size() >= capacity_) {
        auto oldest = keys_.begin();
        for (auto it = keys_.begin(); it != keys_.end(); ++it) {
            if (it->second.second < oldest->second.second) oldest = it;
        }
        keys_.erase(oldest);
    }
    keys_.insert_or_assign(key_id, std::pair{loaded, ++clock_});
    return loaded;
}

}  // namespace signet::daemon
