#pragma once
// Test set-up that cannot go on without a value: the value of a Result, or an exception with
// the error's message (Boost.Test reports it against the test case).

#include <stdexcept>
#include <string>
#include <utility>

#include "base/error.hpp"

namespace signet::test {

template <class T>
T need(Result<T> result) {
    if (!result) throw std::runtime_error(result.error().message);
    return std::move(*result);
}

inline void need(const Status& status) {
    if (!status) throw std::runtime_error(status.error().message);
}

// The message of a failed Result, "" for a value: for BOOST_REQUIRE_MESSAGE and its kin, which
// evaluate their message even when the check passes (Boost 1.74), where `r.error()` on a value
// would be undefined behaviour.
template <class T>
std::string error_of(const Result<T>& result) {
    return result ? std::string() : result.error().message;
}

}  // namespace signet::test
