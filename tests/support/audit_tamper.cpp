#include "tests/support/audit_tamper.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <utility>

#include <nlohmann/json.hpp>

#include "audit/checkpoint.hpp"
#include "audit/entry.hpp"
#include "audit/verify.hpp"

namespace signet::test {
namespace {

using nlohmann::json;

// The export as its lines, entries then checkpoints (the export's order). Only the lines a
// mutation touches are written again; the others stay byte for byte as exported.
struct Export {
    std::vector<std::string> entries;
    std::vector<std::string> checkpoints;

    // Whether both hold the same JSON values line by line: a mutation that only writes a line
    // again (another key order) is no mutation.
    bool same_content(const Export& other) const {
        auto same = [](const std::vector<std::string>& a, const std::vector<std::string>& b) {
            return std::ranges::equal(a, b, [](const std::string& x, const std::string& y) {
                return x == y || json::parse(x) == json::parse(y);
            });
        };
        return same(entries, other.entries) && same(checkpoints, other.checkpoints);
    }

    std::string text() const {
        std::string out;
        for (const auto& line : entries) out += line + "\n";
        for (const auto& line : checkpoints) out += line + "\n";
        return out;
    }
};

std::vector<std::string> non_blank_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = std::min(text.find('\n', start), text.size());
        std::string line = text.substr(start, end - start);
        if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(std::move(line));
        start = end + 1;
    }
    return lines;
}

// The largest size of these checkpoint lines (0 for none).
std::int64_t newest(const std::vector<std::string>& checkpoints) {
    std::int64_t size = 0;
    for (const auto& line : checkpoints) size = std::max(size, json::parse(line).at("size").get<std::int64_t>());
    return size;
}

using Mutation = std::optional<std::pair<Export, std::string>>;

// Draws one mutation of the original at a time; nullopt when the kind drawn cannot apply or
// could not be caught by design (see the header).
class Mutator {
public:
    Mutator(Export original, std::int64_t anchored_export, std::int64_t anchored_file, unsigned seed)
        : original_(std::move(original)),
          count_(original_.entries.size()),
          anchored_export_(anchored_export),
          anchored_file_(anchored_file),
          random_(seed) {}

    Mutation draw() {
        switch (pick(8)) {
            case 0: return change_field(/*rechain=*/false);
            case 1: return change_field(/*rechain=*/true);
            case 2: return delete_entry();
            case 3: return insert_entry();
            case 4: return swap_entries();
            case 5: return truncate_tail();
            case 6: return forge_checkpoint();
            default: return replay_checkpoint();
        }
    }

private:
    // The fields whose change keeps an entry well-formed, so that its hash can be recomputed.
    static inline const std::vector<std::string> content_fields = {
        "time", "event", "outcome", "intent_seq", "client_fingerprint", "client_role", "tenant", "actor", "approver",
        "action", "key_id", "certificate_sha256", "signed_digest_sha256", "document_sha256", "output_sha256",
        "reason", "detail"};

    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_); }
    std::int64_t anchored() const { return std::max(anchored_export_, anchored_file_); }
    static std::string seq(std::size_t index) { return "entry " + std::to_string(index + 1); }
    std::string hash_of(const Export& log, std::size_t index) const {
        return json::parse(log.entries[index]).at("hash").get<std::string>();
    }

    // One ASCII character replaced (a multi-byte UTF-8 sequence is left whole), or one added.
    std::string flipped(std::string text) {
        std::vector<std::size_t> ascii;
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (static_cast<unsigned char>(text[i]) < 0x80) ascii.push_back(i);
        }
        if (ascii.empty()) return text + "x";
        std::size_t at = ascii[pick(ascii.size())];
        static constexpr char replacements[] = "0123456789abcdefxyz";
        char replacement = replacements[pick(sizeof replacements - 1)];
        text[at] = replacement == text[at] ? 'Z' : replacement;
        return text;
    }

    json altered(const std::string& field, const json& value) {
        static const std::vector<std::string> outcomes = {"intended", "sealed", "failed", "refused", "done"};
        static const std::vector<std::string> events = {"seal", "refusal", "key_generated", "daemon_start"};
        if (field == "detail") {
            json detail = value.is_object() ? value : json::object();
            detail["forged"] = pick(1000);
            return detail;
        }
        if (field == "seq" || field == "intent_seq") {
            if (value.is_null()) return 1 + pick(count_);
            return value.get<std::int64_t>() + (pick(2) == 0 ? 1 : -1) * static_cast<std::int64_t>(1 + pick(2));
        }
        if (field == "outcome") return outcomes[pick(outcomes.size())];
        if (field == "event") return events[pick(events.size())];
        if (value.is_null()) return "intrus";
        return flipped(value.get<std::string>());
    }

    // Entries [from, to) renumbered and chained again, hashes recomputed (to the end by default):
    // what an insider with write access to the database would do. False when an entry is no
    // longer well-formed.
    bool rechain(Export& log, std::size_t from, std::size_t to = SIZE_MAX) const {
        std::string previous = from == 0 ? audit::genesis_hash : hash_of(log, from - 1);
        for (std::size_t i = from; i < std::min(to, log.entries.size()); ++i) {
            json object = json::parse(log.entries[i]);
            object["seq"] = i + 1;
            object["prev_hash"] = previous;
            auto entry = audit::entry_from_json(object);
            if (!entry) return false;
            previous = audit::compute_hash(*entry);
            object["hash"] = previous;
            log.entries[i] = object.dump();
        }
        return true;
    }

    Mutation change_field(bool chain) {
        static const std::vector<std::string> chain_fields = {"seq", "prev_hash", "hash"};
        if (count_ == 0) return {};
        std::size_t i = pick(count_);
        // A changed entry with a recomputed chain is caught only by a checkpoint covering it.
        if (chain && static_cast<std::int64_t>(i) >= anchored()) return {};
        const std::size_t choices = content_fields.size() + (chain ? 0 : chain_fields.size());
        const std::size_t choice = pick(choices);
        const std::string& field = choice < content_fields.size() ? content_fields[choice]
                                                                  : chain_fields[choice - content_fields.size()];
        Export copy = original_;
        json object = json::parse(copy.entries[i]);
        object[field] = altered(field, object[field]);
        copy.entries[i] = object.dump();
        if (chain && !rechain(copy, i)) return {};
        return std::pair{copy, seq(i) + ": " + field + " changed" + (chain ? ", chain recomputed" : "")};
    }

    Mutation delete_entry() {
        if (count_ == 0) return {};
        std::size_t i = pick(count_);
        if (i + 1 == count_ && static_cast<std::int64_t>(count_) > anchored()) return {};  // unanchored tail
        Export copy = original_;
        copy.entries.erase(copy.entries.begin() + static_cast<std::ptrdiff_t>(i));
        return std::pair{copy, seq(i) + " deleted"};
    }

    Mutation insert_entry() {
        if (count_ == 0) return {};
        std::size_t at = pick(count_ + 1);
        json inserted = json::parse(original_.entries[pick(count_)]);
        Export copy = original_;
        const int kind = static_cast<int>(pick(3));  // a copy, a forged entry, a forged entry and a new chain
        if (kind > 0) {
            const std::string& field = content_fields[pick(content_fields.size())];
            inserted[field] = altered(field, inserted[field]);
        }
        copy.entries.insert(copy.entries.begin() + static_cast<std::ptrdiff_t>(at), inserted.dump());
        if (kind == 1 && (at == count_ || !rechain(copy, at, at + 1))) return {};  // appending is no tampering
        if (kind == 1) return std::pair{copy, "a forged " + seq(at) + " inserted before the next one"};
        if (kind == 2 && (static_cast<std::int64_t>(at) >= anchored() || !rechain(copy, at))) return {};
        if (kind == 2) return std::pair{copy, "a forged " + seq(at) + " inserted, the chain after it recomputed"};
        return std::pair{copy, "a copy of an entry inserted as line " + std::to_string(at + 1)};
    }

    Mutation swap_entries() {
        if (count_ < 2) return {};
        std::size_t a = pick(count_), b = pick(count_);
        if (a == b) return {};
        Export copy = original_;
        std::swap(copy.entries[a], copy.entries[b]);
        return std::pair{copy, seq(a) + " and " + seq(b) + " swapped"};
    }

    // Entries removed from the end into the signed part: with the export's checkpoints that
    // would show it (the operator's file must catch it), or with them left in place.
    Mutation truncate_tail() {
        const bool drop_checkpoints = pick(2) == 0;
        const std::int64_t covered = drop_checkpoints ? anchored_file_ : anchored_export_;
        if (covered < 1) return {};
        const std::size_t keep = pick(static_cast<std::size_t>(covered));
        Export copy = original_;
        copy.entries.resize(keep);
        if (drop_checkpoints) {
            std::erase_if(copy.checkpoints, [&](const std::string& line) {
                return json::parse(line).at("size").get<std::size_t>() > keep;
            });
        }
        return std::pair{copy, "truncated to " + std::to_string(keep) + " entries" +
                                   (drop_checkpoints ? " and the checkpoints covering more" : "")};
    }

    Mutation forge_checkpoint() {
        static const std::vector<std::string> fields = {"size", "head", "time", "origin", "signature"};
        if (original_.checkpoints.empty() || count_ == 0) return {};
        Export copy = original_;
        std::string& line = copy.checkpoints[pick(copy.checkpoints.size())];
        json object = json::parse(line);
        const std::string& field = fields[pick(fields.size())];
        if (field == "size") {
            object["size"] = object["size"].get<std::int64_t>() + 1 + static_cast<std::int64_t>(pick(3));
        } else if (field == "head" && pick(2) == 0) {
            object["head"] = hash_of(original_, pick(count_));
        } else if (field == "signature") {
            auto checkpoint = audit::checkpoint_from_json(object);
            if (!checkpoint || checkpoint->signature.empty()) return {};
            checkpoint->signature[pick(checkpoint->signature.size())] ^= static_cast<std::uint8_t>(1U << pick(8));
            object = audit::to_json(*checkpoint);
        } else {
            object[field] = flipped(object[field].get<std::string>());
        }
        line = object.dump();
        return std::pair{copy, "a checkpoint's " + field + " forged"};
    }

    // A genuine signature presented for another state: another head, another (size, head)
    // pair of this log, or a size beyond its end; in place of the checkpoint or added.
    Mutation replay_checkpoint() {
        if (original_.checkpoints.empty() || count_ == 0) return {};
        Export copy = original_;
        const std::size_t c = pick(copy.checkpoints.size());
        const json signed_object = json::parse(copy.checkpoints[c]);
        json object = signed_object;
        const std::size_t other = pick(count_);
        switch (pick(3)) {
            case 0: object["head"] = hash_of(original_, other); break;
            case 1:
                object["size"] = other + 1;
                object["head"] = hash_of(original_, other);
                break;
            default: object["size"] = count_ + 1 + pick(5); break;
        }
        if (object == signed_object) return {};
        if (pick(2) == 0) {
            copy.checkpoints[c] = object.dump();
        } else {
            copy.checkpoints.push_back(object.dump());
        }
        return std::pair{copy, "a checkpoint replayed at size " + object["size"].dump()};
    }

    const Export original_;
    const std::size_t count_;
    const std::int64_t anchored_export_;
    const std::int64_t anchored_file_;
    std::mt19937 random_;
};

}  // namespace

TamperReport tamper_test(const std::string& export_text, const std::string& certificate_pem,
                         const std::string& checkpoints_text, int mutations, unsigned seed) {
    TamperReport report;
    report.untouched_intact = audit::verify_export(export_text, certificate_pem, checkpoints_text).intact;
    if (!report.untouched_intact) return report;
    Export original;
    for (auto& line : non_blank_lines(export_text)) {
        const bool checkpoint = json::parse(line).at("type") == "checkpoint";
        (checkpoint ? original.checkpoints : original.entries).push_back(std::move(line));
    }
    Mutator mutator(original, newest(original.checkpoints), newest(non_blank_lines(checkpoints_text)), seed);
    // Bounded, for a log so small that few mutations apply to it.
    for (long draws = 0; report.tried < mutations && draws < 1000L * mutations + 1000; ++draws) {
        auto mutation = mutator.draw();
        if (!mutation) continue;
        if (mutation->first.same_content(original)) continue;
        ++report.tried;
        if (audit::verify_export(mutation->first.text(), certificate_pem, checkpoints_text).intact) {
            report.missed.push_back(mutation->second);
        } else {
            ++report.caught;
        }
    }
    return report;
}

}  // namespace signet::test
