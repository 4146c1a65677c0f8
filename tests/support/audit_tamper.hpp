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

// Applies `mutations` random single mutations (change a field, delete, insert or duplicate,
// swap two entries, truncate into the anchored part, forge or replay a checkpoint) to copies of
// `export_text` and counts those that verify_export rejects. Mutations that leave the text
// unchanged are drawn again. Removing only entries that no checkpoint covers yet is not a
// mutation here: by design nothing can catch it, which is why the verifier reports them as not
// yet anchored.
TamperReport tamper_test(const std::string& export_text, const std::string& certificate_pem,
                         const std::string& checkpoints_text, int mutations, unsigned seed);

}  // namespace signet::test
