#include "audit/checkpoint.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "audit/json_number.hpp"
#include "audit/openssl_util.hpp"
#include "base/base64.hpp"

namespace signet::audit {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 7> fields = {"type", "origin", "size", "head", "time", "key_id", "signature"};

std::unexpected<Error> bad_field(std::string_view field, std::string_view problem) {
    return fail(Errc::bad_request, "checkpoint: '" + std::string(field) + "' " + std::string(problem));
}

// A line of the signed text: a newline inside it would let one text read as another.
Result<std::string> text_field(const json& object, std::string_view field) {
    auto it = object.find(field);
    if (it == object.end()) return bad_field(field, "is missing");
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) return bad_field(field, "must be a non-empty string");
    const auto& value = it->get_ref<const std::string&>();
    if (value.find('\n') != std::string::npos) return bad_field(field, "must be one line");
    return value;
}

}  // namespace

std::string signed_text(const Checkpoint& checkpoint) {
    return "signet-checkpoint/v1\n" + checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
           checkpoint.head + "\n" + checkpoint.time + "\n";
}

json to_json(const Checkpoint& checkpoint) {
    return json{{"type", "checkpoint"},
                {"origin", checkpoint.origin},
                {"size", checkpoint.size},
                {"head", checkpoint.head},
                {"time", checkpoint.time},
                {"key_id", checkpoint.key_id},
                {"signature", base64_encode(checkpoint.signature)}};
}

Result<Checkpoint> checkpoint_from_json(const json& object) {
    if (!object.is_object()) return fail(Errc::bad_request, "checkpoint: not a JSON object");
    for (const auto& [key, value] : object.items()) {
        if (std::ranges::find(fields, key) == fields.end()) return bad_field(key, "is not a field of a checkpoint");
    }
    std::string type;
    SIGNET_TRY(type, text_field(object, "type"));
    if (type != "checkpoint") return bad_field("type", "must be \"checkpoint\"");
    Checkpoint checkpoint;
    SIGNET_TRY(checkpoint.origin, text_field(object, "origin"));
    auto size = object.find("size");
    if (size == object.end()) return bad_field("size", "is missing");
    auto size_number = positive_int64(*size);
    if (!size_number) return bad_field("size", "must be an integer from 1");
    checkpoint.size = *size_number;
    SIGNET_TRY(checkpoint.head, text_field(object, "head"));
    SIGNET_TRY(checkpoint.time, text_field(object, "time"));
    SIGNET_TRY(checkpoint.key_id, text_field(object, "key_id"));
    std::string signature;
    SIGNET_TRY(signature, text_field(object, "signature"));
    auto bytes = base64_decode_canonical(signature);
    if (!bytes) return bad_field("signature", "must be base64: " + bytes.error().message);
    checkpoint.signature = std::move(*bytes);
    return checkpoint;
}

Status verify_signature(const Checkpoint& checkpoint, const std::string& certificate_pem) {
    auto keys = certificate_public_keys(certificate_pem);
    if (!keys) return std::unexpected(keys.error());
    if (!verifies(*keys, signed_text(checkpoint), checkpoint.signature)) {
        return fail(Errc::forbidden, "checkpoint at size " + std::to_string(checkpoint.size) +
                                         ": its signature does not verify with the audit certificate");
    }
    return {};
}

}  // namespace signet::audit
