// The JSON request bodies of the API (api/api_json.hpp): POST /v1/seal, /v1/sign, /v1/cosign
// and /v1/extend as api/document_routes.cpp reads them, once with the padding the server reserves
// after a body (simdjson parses it in place, json/json_fields.cpp) and once without (a copy).
// Then json/json_fields.hpp's accessors on every field of the body, as the register, key and
// person routes call them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/api_json.hpp"
#include "guests/guest_register.hpp"
#include "json/json_fields.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

std::string padded(std::string_view text) {
    std::string body;
    body.reserve(text.size() + 128);  // at least simdjson::SIMDJSON_PADDING (64)
    body.assign(text);
    return body;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace signet::daemon;
    const std::string text = signet::fuzz::text_of(data, size);
    for (bool pad : {true, false}) {
        auto body = [&] { return pad ? padded(text) : std::string(text.data(), text.size()); };
        (void)parse_seal_request(body());
        (void)parse_sign_request(body(), 16);
        (void)parse_extend_request(body());
        (void)parse_cosign_request(body(), 16);
    }
    // A guest's e-mail and name as an invitation checks them (guests/guest_register.hpp).
    (void)check_guest_email(text);
    (void)check_guest_name(text);
    static constexpr const char* fields[] = {"tenant",      "actor",   "name",
                                             "certificate", "chain",   "members",
                                             "valid_until", "enabled", "roles"};
    auto parsed = JsonFields::parse(text, {"tenant", "actor", "name", "certificate", "chain",
                                           "members", "valid_until", "enabled", "roles"});
    if (!parsed) return 0;
    for (const char* field : fields) {
        if (!parsed->has(field)) continue;
        (void)parsed->text(field);
        (void)parsed->boolean(field);
        (void)parsed->texts(field);
        (void)parsed->pem(field);
        (void)parsed->pems(field);
        (void)parsed->date(field);
        (void)check_text(parsed->at(field).dump(), field);
    }
    return 0;
}
