#pragma once
// A generated key-usage log written through audit::Log into a real SQLite file, checkpoints
// signed by a software key (signed_log.hpp's AuditKey).

#include <string>

#include "audit/log.hpp"
#include "base/time.hpp"
#include "store/database.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/audit/signed_log.hpp"

namespace signet::test {

struct GeneratedLog {
    explicit GeneratedLog(const std::string& algorithm = "rsa-3072");

    // Appends `count` entries of varied events and a checkpoint every `every` entries.
    void grow(int count, int every);
    audit::Checkpoint checkpoint_now();
    std::string export_text();
    // The checkpoints as the operator's file holds them, one per line.
    std::string checkpoint_lines();

    TempDir dir{"signet-audit"};
    store::Database db;
    signet::ManualClock clock{signet::end_of(*signet::parse_date("2026-11-01"))};
    audit::Log log{db, clock};
    AuditKey key;
    const std::string& certificate_pem = key.certificate_pem;
};

}  // namespace signet::test
