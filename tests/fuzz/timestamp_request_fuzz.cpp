// POST /v1/timestamp's body (timestamp/request.hpp): a client's DER TimeStampReq read by
// parse_request with a configured policy, and, for a rejection, the TimeStampResp signet
// answers with (timestamp/token.hpp, rejection_response), as api/ does.

#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

#include "timestamp/request.hpp"
#include "timestamp/token.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace signet::timestamp;
    auto parsed = parse_request(std::span(data, size), "1.2.3.4.1");
    if (parsed) {
        if (const auto* rejection = std::get_if<Rejection>(&*parsed))
            (void)rejection_response(*rejection);
    }
    return 0;
}
