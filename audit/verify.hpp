#pragma once
// Offline verification of an export (NDJSON: entry lines, then checkpoint lines) against the
// audit certificate, and optionally against checkpoints kept elsewhere (the operator's shipped
// file). Needs nothing from the daemon or its database.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace signet::audit {

struct Verification {
    bool intact = false;
    // The first problem, naming the sequence number where it shows ("entry 17: hash does not
    // match its content", "entry 18 is missing", "checkpoint at size 40: signature does not
    // verify", "the log has 35 entries but a checkpoint covers 40 (entries removed from the
    // end)", ...). Empty when intact.
    std::string problem;
    std::optional<std::int64_t> first_bad_seq;
    std::int64_t entries = 0;
    std::int64_t anchored = 0;   // entries covered by the newest valid checkpoint
    std::int64_t checkpoints = 0;
};

// `export_text`: the export; `certificate_pem`: the audit certificate(s), every key the log
// was ever checkpointed with; `checkpoints_text`: the
// operator's checkpoint file (one JSON checkpoint per line), empty when not given.
Verification verify_export(const std::string& export_text, const std::string& certificate_pem,
                           const std::string& checkpoints_text);

}  // namespace signet::audit
