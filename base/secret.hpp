#pragma once
// Secret bytes (PINs, TOTP seeds): wiped when destroyed or reassigned, never printable.
// Reading them needs reveal(), a name that is easy to grep for (Tink's SecretData idea).

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include <string.h>  // explicit_bzero: a wipe the optimiser may not remove

namespace signet {

class Secret {
public:
    Secret() = default;
    explicit Secret(std::string value) : value_(std::move(value)) {}
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;
    Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
    Secret& operator=(Secret&& other) noexcept {
        if (this != &other) {
            wipe();
            value_ = std::move(other.value_);
            other.wipe();
        }
        return *this;
    }
    ~Secret() { wipe(); }

    std::string_view reveal() const { return value_; }
    bool empty() const { return value_.empty(); }
    std::size_t size() const { return value_.size(); }

private:
    void wipe() noexcept {
        // Wipe the whole capacity: a moved-from or shrunk string may keep bytes past size().
        value_.resize(value_.capacity());
        explicit_bzero(value_.data(), value_.size());
        value_.clear();
    }
    std::string value_;
};

}  // namespace signet
