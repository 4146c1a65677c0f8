#pragma once
// A checkpoint: the log's size and head hash at a time, signed in the HSM with the audit key
// (a key that signs nothing else). The signed bytes are the text
//
//     signet-checkpoint/v1\n<origin>\n<size>\n<head>\n<time>\n
//
// a domain separator that no entry hash input can start with (entries start with 0x00), in the
// spirit of C2SP's signed notes. The signature is the HSM's: RSA PKCS#1 v1.5 or ECDSA, SHA-256.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace signet::audit {

struct Checkpoint {
    std::string origin;                   // names the log (configured; "signet" by default)
    std::int64_t size = 0;                // entries 1..size are covered
    std::string head;                     // hash of entry `size`, hex
    std::string time;                     // "2026-11-23T23:40:00Z"
    std::string key_id;                   // hex CKA_ID of the audit key
    std::vector<std::uint8_t> signature;
};

std::string signed_text(const Checkpoint& checkpoint);

// {"type": "checkpoint", "origin", "size", "head", "time", "key_id", "signature": base64}
nlohmann::json to_json(const Checkpoint& checkpoint);
Result<Checkpoint> checkpoint_from_json(const nlohmann::json& object);

// Checks the signature with the public key of `certificate_pem` (the audit certificate).
// forbidden with the reason when it does not verify.
Status verify_signature(const Checkpoint& checkpoint, const std::string& certificate_pem);

}  // namespace signet::audit
