// Offline verification of an export: an intact log verifies with RSA and EC audit keys, and
// each kind of damage is refused with the sequence number where it shows.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "audit/verify.hpp"
#include "tests/unit/audit/signed_log.hpp"

namespace {

using nlohmann::json;
using signet::audit::Verification;
using signet::test::SignedLog;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    for (std::size_t start = 0, end; start < text.size(); start = end + 1) {
        end = text.find('\n', start);
        lines.push_back(text.substr(start, end - start));
    }
    return lines;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
}

// 30 entries (lines 1-30) and checkpoints at 10, 20 and 30 (lines 31-33), also in the file.
struct Damage {
    SignedLog log{"ec-p256"};  // fast to make; RSA is covered by the intact case
    std::vector<std::string> lines;
    std::string kept;

    Damage() {
        log.grow(30, 10);
        lines = lines_of(log.export_text());
        kept = log.checkpoint_lines();
    }

    // Entry `seq`'s line with `change` applied to its object.
    template <class Change>
    void edit(std::int64_t seq, Change change) {
        json object = json::parse(lines[static_cast<std::size_t>(seq - 1)]);
        change(object);
        lines[static_cast<std::size_t>(seq - 1)] = object.dump();
    }

    // Refused, naming `seq` (-1: none) and with `words` in the problem.
    void expect(std::int64_t seq, const std::string& words, const std::string& checkpoints) const {
        Verification result = signet::audit::verify_export(joined(lines), log.audit_key.certificate_pem, checkpoints);
        BOOST_TEST(!result.intact);
        BOOST_TEST(result.first_bad_seq.value_or(-1) == seq, result.problem);
        BOOST_TEST(result.problem.find(words) != std::string::npos, result.problem);
    }
    void expect(std::int64_t seq, const std::string& words) const { expect(seq, words, kept); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_verify)

BOOST_AUTO_TEST_CASE(an_intact_log_verifies_with_rsa_and_ec_audit_keys) {
    for (const char* algorithm : {"rsa-3072", "ec-p256"}) {
        BOOST_TEST_CONTEXT(algorithm) {
            SignedLog log(algorithm);
            log.grow(25, 10);
            auto result = signet::audit::verify_export(log.export_text(), log.audit_key.certificate_pem,
                                                       log.checkpoint_lines());
            BOOST_TEST(result.intact, result.problem);
            BOOST_TEST(result.problem.empty());
            BOOST_TEST(!result.first_bad_seq.has_value());
            BOOST_TEST(result.entries == 25);
            BOOST_TEST(result.anchored == 20);     // entries 21-25 are not yet anchored
            BOOST_TEST(result.checkpoints == 4);  // two in the export, the same two in the file
        }
    }
}

BOOST_AUTO_TEST_CASE(the_kept_file_may_be_absent_or_newer_than_the_export) {
    SignedLog log("ec-p256");
    log.grow(12, 5);
    const std::string exported = log.export_text();
    auto alone = signet::audit::verify_export(exported, log.audit_key.certificate_pem, "");
    BOOST_TEST(alone.intact, alone.problem);
    BOOST_TEST(alone.anchored == 10);
    BOOST_TEST(alone.checkpoints == 2);
    // A blank last line in the export, blank lines in the file.
    auto blank = signet::audit::verify_export(exported + "\n", log.audit_key.certificate_pem,
                                              "\n" + log.checkpoint_lines() + "\n\n");
    BOOST_TEST(blank.intact, blank.problem);
    auto empty = signet::audit::verify_export("", log.audit_key.certificate_pem, "");
    BOOST_TEST(empty.intact, empty.problem);
    BOOST_TEST(empty.entries == 0);
}

BOOST_AUTO_TEST_CASE(a_changed_field_names_its_entry) {
    Damage damage;
    damage.edit(12, [](json& o) { o["actor"] = "quelqu'un d'autre"; });
    damage.expect(12, "entry 12: hash does not match its content");
}

BOOST_AUTO_TEST_CASE(a_broken_chain_names_the_entry_after_the_break) {
    Damage damage;
    // Entry 7 changed and rehashed: its own hash is right, entry 8 no longer follows it.
    damage.edit(7, [](json& o) {
        o["reason"] = "rien";
        o["hash"] = signet::audit::compute_hash(*signet::audit::entry_from_json(o));
    });
    damage.expect(8, "entry 8: prev_hash");
}

BOOST_AUTO_TEST_CASE(a_recomputed_chain_is_caught_by_the_next_checkpoint) {
    Damage damage;
    std::string previous = json::parse(damage.lines[13])["hash"];
    for (std::int64_t seq = 15; seq <= 30; ++seq) {
        damage.edit(seq, [&](json& o) {
            if (seq == 15) o["actor"] = "réécrit";
            o["prev_hash"] = previous;
            o["hash"] = signet::audit::compute_hash(*signet::audit::entry_from_json(o));
            previous = o["hash"];
        });
    }
    damage.expect(20, "checkpoint at size 20 (line 32): head is not the hash of entry 20");
}

BOOST_AUTO_TEST_CASE(missing_repeated_and_reordered_entries_are_named) {
    Damage deleted;
    deleted.lines.erase(deleted.lines.begin() + 4);
    deleted.expect(5, "entry 5 is missing");

    Damage repeated;
    repeated.lines.insert(repeated.lines.begin() + 3, repeated.lines[2]);
    repeated.expect(4, "entry 3 appears again at line 4, where entry 4 belongs");

    Damage reordered;
    reordered.lines.insert(reordered.lines.begin() + 6, reordered.lines[1]);
    reordered.lines.erase(reordered.lines.begin() + 1);
    reordered.expect(2, "entry 2 is missing");

    Damage moved_back;
    std::swap(moved_back.lines[4], moved_back.lines[9]);
    moved_back.expect(5, "entry 5 is missing");

    Damage renumbered;
    renumbered.edit(9, [](json& o) { o["seq"] = 8; });
    renumbered.expect(9, "entry 8 is out of order at line 9");
}

BOOST_AUTO_TEST_CASE(tail_truncation_is_caught_by_the_kept_checkpoints) {
    Damage damage;
    // The export keeps entries 1-18 and drops its checkpoints at 20 and 30.
    damage.lines.erase(damage.lines.begin() + 18, damage.lines.end());
    damage.lines.push_back(json::parse(damage.kept.substr(0, damage.kept.find('\n'))).dump());
    damage.expect(19, "the log has 18 entries but checkpoint at size 20 (line 2 of the checkpoint file) covers more");
    // Without the kept file, the export alone is consistent: anchored up to 10 only.
    auto alone = signet::audit::verify_export(joined(damage.lines), damage.log.audit_key.certificate_pem, "");
    BOOST_TEST(alone.intact, alone.problem);
    BOOST_TEST(alone.anchored == 10);
    BOOST_TEST(alone.entries == 18);

    Damage cut;  // entries removed, the export's own checkpoints left in place
    cut.lines.erase(cut.lines.begin() + 25, cut.lines.begin() + 30);
    cut.expect(26, "the log has 25 entries but checkpoint at size 30 (line 28) covers more", "");
}

BOOST_AUTO_TEST_CASE(forged_and_replayed_checkpoints_are_refused) {
    Damage forged;
    json checkpoint = json::parse(forged.lines[31]);
    checkpoint["time"] = "2027-01-01T00:00:00Z";
    forged.lines[31] = checkpoint.dump();
    forged.expect(20, "checkpoint at size 20 (line 32): signature does not verify");

    Damage replayed;  // the signature of size 10 presented for size 30
    checkpoint = json::parse(replayed.lines[30]);
    checkpoint["size"] = 30;
    checkpoint["head"] = json::parse(replayed.lines[29])["hash"];
    replayed.lines.push_back(checkpoint.dump());
    replayed.expect(30, "checkpoint at size 30 (line 34): signature does not verify");

    Damage other_log;  // genuinely signed with the audit key, but for another log
    other_log.log.checkpoint_now("another-log");
    other_log.lines.push_back(signet::audit::to_json(other_log.log.checkpoints.back()).dump());
    other_log.expect(30, "origin \"another-log\" is not \"signet-test\"");

    Damage beyond;  // a valid checkpoint of a longer log: this export lost its end
    beyond.log.grow(2, 100);
    beyond.lines.push_back(signet::audit::to_json(beyond.log.checkpoint_now()).dump());
    beyond.expect(31, "the log has 30 entries but checkpoint at size 32 (line 34) covers more");

    Damage malformed;
    malformed.lines[30] = R"({"type":"checkpoint","size":10})";
    malformed.expect(10, "line 31: checkpoint: 'origin' is missing");
}

BOOST_AUTO_TEST_CASE(unreadable_lines_name_the_line_and_the_entry_before) {
    Damage garbage;
    garbage.lines[6] = "{not json";
    garbage.expect(6, "line 7 is not a JSON object");

    Damage untyped;
    untyped.edit(7, [](json& o) { o["type"] = "note"; });
    untyped.expect(6, "line 7 is neither an entry nor a checkpoint");

    Damage blank;
    blank.lines[3] = "";
    blank.expect(3, "line 4 is not a JSON object");

    Damage first;  // no entry before it: no sequence number (-1 here)
    first.lines[0] = "[]";
    first.expect(-1, "line 1 is not a JSON object");

    Damage late;
    late.lines.push_back(late.lines[0]);
    late.expect(31, "line 34: an entry after the checkpoints");

    Damage malformed;
    malformed.edit(5, [](json& o) { o["intent_seq"] = "4"; });
    malformed.expect(5, "line 5 (entry 5): audit entry: 'intent_seq'");

    Damage deep;  // a detail nested far beyond any stack: refused, not a crash
    std::string nested;
    for (int i = 0; i < 200000; ++i) nested += R"({"a":)";
    nested += "1" + std::string(200000, '}');
    std::string& line = deep.lines[2];  // entry 3, a refusal: no detail
    line.replace(line.find(R"("detail":null)"), 13, R"("detail":)" + nested);
    deep.expect(3, "line 3 (entry 3): audit entry: 'detail' is nested too deeply");

    Damage kept;
    kept.kept = "{}\n";
    kept.expect(-1, "line 1 of the checkpoint file: checkpoint: 'type' is missing");
}

BOOST_AUTO_TEST_CASE(an_unreadable_certificate_verifies_nothing) {
    SignedLog log;
    log.grow(3, 3);
    auto result = signet::audit::verify_export(log.export_text(), "-----BEGIN CERTIFICATE-----\n", "");
    BOOST_TEST(!result.intact);
    BOOST_TEST(result.problem.find("audit certificate") != std::string::npos, result.problem);
    SignedLog other("ec-p256");
    auto wrong = signet::audit::verify_export(log.export_text(), other.audit_key.certificate_pem, "");
    BOOST_TEST(!wrong.intact);
    BOOST_TEST(wrong.first_bad_seq.value_or(-1) == 3);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(audit_verify_trust)

// After an audit key rotation the auditor trusts both certificates: a checkpoint verifies
// with either, and a file of unrelated certificates verifies none.
BOOST_AUTO_TEST_CASE(the_trust_file_may_hold_several_audit_certificates) {
    SignedLog log("ec-p256");
    log.grow(10, 5);
    SignedLog other("ec-p256");
    const std::string both = other.audit_key.certificate_pem + log.audit_key.certificate_pem;
    auto trusted = signet::audit::verify_export(log.export_text(), both, log.checkpoint_lines());
    BOOST_TEST(trusted.intact, trusted.problem);
    BOOST_TEST(trusted.checkpoints == 4);
    auto foreign = signet::audit::verify_export(log.export_text(), other.audit_key.certificate_pem, "");
    BOOST_TEST(!foreign.intact);
    BOOST_TEST(foreign.problem.find("does not verify with the audit certificate") != std::string::npos,
               foreign.problem);
}

BOOST_AUTO_TEST_SUITE_END()
