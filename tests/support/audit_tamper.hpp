#pragma once
// Random single mutations of an audit export, each checked by the offline verifier: the tamper
// test of the audit issue, run on generated logs (unit) and on a real export (integration).

#include <string>
#include <vector>

namespace signet::test {

struct TamperReport {
    int tried = 0;
    int caught = 0;
    std::vector<std::string> missed;  // what each uncaught mutation was
    bool untouched_intact = false;
};

// Verifies the untouched export (when it is not intact, nothing else is tried), then applies
// `mutations` random single mutations to copies of `export_text` and counts those that
// verify_export rejects: change one field of an entry (with or without recomputing the hash
// chain after it), delete, insert (a copy or a forged entry) or swap entry lines, truncate the
// tail together with the export's checkpoints that cover it, forge or replay a checkpoint.
// `checkpoints_text` is the operator's file and is never mutated. A mutation that leaves the
// text unchanged is drawn again, and so is one that by design nothing can catch: changing,
// removing or appending entries that no checkpoint covers yet (the verifier reports those as
// not yet anchored), and changing a checkpoint's key_id, which the signature does not cover.
TamperReport tamper_test(const std::string& export_text, const std::string& certificate_pem,
                         const std::string& checkpoints_text, int mutations, unsigned seed);

}  // namespace signet::test
