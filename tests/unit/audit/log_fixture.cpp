#include "tests/unit/audit/log_fixture.hpp"

#include <stdexcept>

#include "tests/support/need.hpp"

namespace signet::test {

GeneratedLog::GeneratedLog(const std::string& algorithm)
    : db(need(store::Database::open(dir / "signet.db"))), key(algorithm) {}

void GeneratedLog::grow(int count, int every) {
    static const char* events[] = {"seal", "refusal", "delegation_granted", "member_registered"};
    for (int i = 0; i < count; ++i) {
        audit::Entry entry;
        entry.event = events[i % 4];
        entry.outcome = entry.event == std::string("refusal") ? "refused" : "done";
        entry.tenant = i % 3 == 0 ? "cabinet-été" : "croec-idf";
        entry.actor = "personne-" + std::to_string(i);
        entry.action = "document.seal";
        entry.client_fingerprint = std::string(64, 'a');
        entry.client_role = "platform";
        if (entry.event == std::string("refusal")) entry.reason = "the delegation #3 (sceller) expired on 2026-10-01";
        if (entry.event == std::string("seal")) {
            entry.outcome = "sealed";
            entry.signed_digest_sha256 = std::string(64, 'd');
            entry.document_sha256 = std::string(64, 'e');
            entry.key_id = "0102";
        }
        if (entry.event == std::string("delegation_granted")) entry.detail = {{"id", i}, {"rights", {"sceller"}}};
        need(log.append(std::move(entry)));
        clock.advance(std::chrono::seconds(7));
        auto head = need(log.head());
        if (head.size % every == 0) checkpoint_now();
    }
}

audit::Checkpoint GeneratedLog::checkpoint_now() {
    auto head = need(log.head());
    audit::Checkpoint checkpoint{"signet-test", head.size, head.hash, signet::format_timestamp(clock.now()), "0a0b", {}};
    checkpoint.signature = key.sign(audit::signed_text(checkpoint));
    if (auto added = log.add_checkpoint(checkpoint); !added) throw std::runtime_error(added.error().message);
    return checkpoint;
}

std::string GeneratedLog::export_text() { return need(log.export_ndjson()); }

std::string GeneratedLog::checkpoint_lines() {
    std::string out;
    for (const auto& checkpoint : need(log.checkpoints())) out += audit::to_json(checkpoint).dump() + "\n";
    return out;
}

}  // namespace signet::test
