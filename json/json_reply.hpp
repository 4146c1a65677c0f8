#pragma once
// What a JSON route answers when it succeeds: a status and a body. Failures are an Error, whose
// code gives the status (api/router.cpp).

#include <nlohmann/json.hpp>

namespace signet::daemon {

struct JsonReply {
    unsigned status = 200;
    nlohmann::json body;
};

}  // namespace signet::daemon
