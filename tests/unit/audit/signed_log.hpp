#pragma once
// A generated key-usage log held in memory for the audit tests: entries of varied events
// chained with audit::compute_hash, and checkpoints signed by a software key made by devpki,
// with OpenSSL's EVP_DigestSign (the same encodings as the HSM's: PKCS#1 v1.5, DER ECDSA).
// It needs neither the database nor audit::Log, so the format is tested on its own.

#include <cstdint>
#include <string>
#include <vector>

#include "audit/checkpoint.hpp"
#include "audit/entry.hpp"
#include "devpki/dev_pki.hpp"

namespace signet::test {

// A software key and its self-signed certificate; throws when devpki fails.
struct AuditKey {
    explicit AuditKey(const std::string& algorithm);
    std::vector<std::uint8_t> sign(const std::string& text) const;

    devpki::Key key;
    std::string certificate_pem;
};

struct SignedLog {
    explicit SignedLog(const std::string& algorithm = "rsa-3072") : audit_key(algorithm) {}

    // Appends `count` entries of varied events, and a checkpoint after every `every`-th entry.
    void grow(int count, int every);
    // A checkpoint of the log as it is now, signed with `audit_key`.
    audit::Checkpoint checkpoint_now(const std::string& origin = "signet-test");
    // As audit::Log exports it: every entry, then every checkpoint, one JSON per line.
    std::string export_text() const;
    // The checkpoints as the operator's file keeps them, one per line.
    std::string checkpoint_lines() const;

    AuditKey audit_key;
    std::vector<audit::Entry> entries;
    std::vector<audit::Checkpoint> checkpoints;
};

}  // namespace signet::test
