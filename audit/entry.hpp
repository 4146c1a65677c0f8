#pragma once
// One entry of the key-usage log and its hash: the format auditors verify offline, so it is
// fixed here once and shared by the writer (audit/log) and the verifier (audit/verify).
//
// The hash of an entry is SHA-256(0x00 || canonical), RFC 9162's leaf prefix, where canonical
// is the entry's JSON object without "hash" (and without "type" in an export line): every field
// below present (null when absent), keys in byte order, no whitespace, strings UTF-8 with JSON's
// minimal escaping, integers in decimal. prev_hash of entry 1 is 64 zeros.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace signet::audit {

struct Entry {
    std::int64_t seq = 0;                   // 1, 2, 3, ... without gaps
    std::string time;                       // "2026-11-23T23:40:00Z"
    std::string event;                      // seal, refusal, key_generated, delegation_changed, daemon_start, ...
    std::string outcome;                    // intended, sealed, failed, refused, done
    std::optional<std::int64_t> intent_seq; // an outcome's intent entry
    std::string client_fingerprint;         // SHA-256 of the client certificate, hex
    std::string client_role;                // platform, officer, auditor; "" for the daemon itself
    std::string tenant;
    std::string actor;
    std::string approver;
    std::string action;                     // the rights-matrix action (document.seal, ...)
    std::string key_id;                     // hex CKA_ID
    std::string certificate_sha256;
    std::string signed_digest_sha256;       // the ByteRange digest: the exact bytes signed
    std::string document_sha256;            // of the input document
    std::string output_sha256;              // of the signed document
    std::string reason;                     // why, for a refusal or a failure
    nlohmann::json detail;                  // event-specific object (delegation change, ...), or null
    std::string prev_hash;                  // hex
    std::string hash;                       // hex
    // The signetd that wrote it ([server] node). Entries written before issue 23 have none; the
    // field is then absent from the JSON, so that their hashes stay what they were.
    std::string node;
};

// The entry as a JSON object with every field; empty strings become null.
nlohmann::json to_json(const Entry& entry);
// Reads an object made by to_json (an export line's "type" is ignored); bad_request naming the
// field when one is missing or of the wrong type.
Result<Entry> entry_from_json(const nlohmann::json& object);

// hex(SHA-256(0x00 || canonical(entry))) — `entry.hash` is not part of it.
std::string compute_hash(const Entry& entry);

// Sets `entry.hash` and returns the entry's JSON with it, as the log stores it: the writer's
// one serialisation for both.
std::string hash_and_encode(Entry& entry);

constexpr const char* genesis_hash = "0000000000000000000000000000000000000000000000000000000000000000";

}  // namespace signet::audit
