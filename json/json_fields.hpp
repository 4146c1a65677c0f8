#pragma once
// Strict reading of a JSON request body (the contract in DESIGN.md): an object, no field the
// API does not know, each field of its type; every refusal is a 400 that names the field.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/time.hpp"

namespace signet::daemon {

class JsonFields {
public:
    static Result<JsonFields> parse(std::string_view body, std::initializer_list<std::string_view> known);
    // The same for a body the caller gives up: parsed in place when its capacity leaves the
    // parser's padding (the server reserves it), and freed as soon as it is parsed, so that a
    // 70 MB document body is not held three times (docs/performance.md, issue 19).
    static Result<JsonFields> parse_and_free(std::string&& body, std::initializer_list<std::string_view> known);

    // Present and not null.
    bool has(const char* field) const;
    const nlohmann::json& at(const char* field) const { return body_.at(field); }

    // A required identifier or name: a non-empty string of at most 256 bytes without control
    // characters (it ends up in records and logs).
    Result<std::string> text(const char* field) const;
    Result<bool> boolean(const char* field) const;
    // A required non-empty array of texts.
    Result<std::vector<std::string>> texts(const char* field) const;
    // A required PEM text (a certificate, at most 64 KiB).
    Result<std::string> pem(const char* field) const;
    // An optional array of at most 16 PEM texts; empty when absent.
    Result<std::vector<std::string>> pems(const char* field) const;
    // A required "YYYY-MM-DD".
    Result<signet::Date> date(const char* field) const;

private:
    explicit JsonFields(nlohmann::json body) : body_(std::move(body)) {}
    static Result<JsonFields> from(Result<nlohmann::json> body, std::initializer_list<std::string_view> known);
    nlohmann::json body_;
};

// The same rule for an identifier that comes from elsewhere (a path segment): `what` names it.
Status check_text(const std::string& value, std::string_view what);

// `members` (an object) as JSON text with one more member first, `name` (a plain ASCII key)
// holding `value`, which is already JSON text: a document's base64 or a list of documents goes
// in as one piece instead of through nlohmann's character-by-character escaping, which cost as
// much CPU as the signature (docs/performance.md, issue 19).
std::string dump_with(const nlohmann::json& members, std::string_view name, std::string_view value);
// The same with the value the JSON string of `bytes` in base64, encoded straight into the
// text: no character of base64 needs escaping.
std::string dump_with_base64(const nlohmann::json& members, std::string_view name,
                             std::span<const std::uint8_t> bytes);

}  // namespace signet::daemon
