#include "tests/support/audit_tamper.hpp"

#include <algorithm>
#include <optional>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "audit/verify.hpp"

namespace signet::test {
namespace {

using nlohmann::json;

struct Lines {
    std::vector<json> entries;
    std::vector<json> checkpoints;

    std::string text() const {
        std::string out;
        for (const auto& entry : entries) out += entry.dump() + "\n";
        for (const auto& checkpoint : checkpoints) out += checkpoint.dump() + "\n";
        return out;
    }
};

Lines parse(const std::string& text) {
    Lines lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        json object = json::parse(line);
        (object.at("type") == "entry" ? lines.entries : lines.checkpoints).push_back(std::move(object));
    }
    return lines;
}

class Mutator {
public:
    Mutator(const Lines& original, std::int64_t anchored, unsigned seed)
        : original_(original), anchored_(anchored), random_(seed) {}

    // One mutated copy and what was done, or nullopt when this kind cannot apply.
    std::optional<std::pair<Lines, std::string>> draw() {
        Lines copy = original_;
        auto& entries = copy.entries;
        auto& checkpoints = copy.checkpoints;
        switch (pick(7)) {
            case 0: {
                std::size_t i = pick(entries.size());
                static const std::vector<std::string> fields = {
                    "seq", "time", "event", "outcome", "intent_seq", "client_fingerprint", "client_role",
                    "tenant", "actor", "approver", "action", "key_id", "certificate_sha256",
                    "signed_digest_sha256", "document_sha256", "output_sha256", "reason", "detail",
                    "prev_hash", "hash"};
                const std::string& field = fields[pick(fields.size())];
                entries[i][field] = changed(entries[i][field]);
                return std::pair{copy, "entry " + std::to_string(i + 1) + ": " + field + " changed"};
            }
            case 1: {
                std::size_t i = pick(entries.size());
                // Dropping the last entry when no checkpoint covers it is a truncation of the
                // unanchored tail: undetectable by design (see the header).
                if (i + 1 == entries.size() && static_cast<std::int64_t>(entries.size()) > anchored_) return std::nullopt;
                entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(i));
                return std::pair{copy, "entry " + std::to_string(i + 1) + " deleted"};
            }
            case 2: {
                json inserted = entries[pick(entries.size())];
                if (pick(2) == 1) inserted["actor"] = "intrus";
                std::size_t at = pick(entries.size() + 1);
                entries.insert(entries.begin() + static_cast<std::ptrdiff_t>(at), inserted);
                return std::pair{copy, "an entry inserted at position " + std::to_string(at + 1)};
            }
            case 3: {
                if (entries.size() < 2) return std::nullopt;
                std::size_t a = pick(entries.size());
                std::size_t b = pick(entries.size());
                if (a == b) return std::nullopt;
                std::swap(entries[a], entries[b]);
                return std::pair{copy, "entries " + std::to_string(a + 1) + " and " + std::to_string(b + 1) + " swapped"};
            }
            case 4: {
                if (anchored_ < 1) return std::nullopt;
                // Keep fewer entries than the newest checkpoint covers, and drop the export's
                // own checkpoints that would give the removal away: only the kept file remains.
                std::size_t keep = pick(static_cast<std::size_t>(anchored_));
                entries.resize(keep);
                std::erase_if(checkpoints, [&](const json& c) { return c.at("size").get<std::size_t>() > keep; });
                return std::pair{copy, "truncated to " + std::to_string(keep) + " entries"};
            }
            case 5: {
                if (checkpoints.empty()) return std::nullopt;
                json& checkpoint = checkpoints[pick(checkpoints.size())];
                static const std::vector<std::string> fields = {"size", "head", "time", "origin", "signature", "key_id"};
                const std::string& field = fields[pick(fields.size())];
                if (field == "key_id") return std::nullopt;  // not signed, not trusted: not tampering
                if (field == "signature") {
                    std::string signature = checkpoint["signature"];
                    std::size_t at = pick(signature.size() - 4);  // stay clear of the padding
                    signature[at] = signature[at] == 'A' ? 'B' : 'A';
                    checkpoint["signature"] = signature;
                } else {
                    checkpoint[field] = changed(checkpoint[field]);
                }
                return std::pair{copy, "a checkpoint's " + field + " forged"};
            }
            default: {
                if (checkpoints.empty()) return std::nullopt;
                json replayed = checkpoints[pick(checkpoints.size())];
                if (pick(2) == 0) {
                    // The signature of one state presented for another head.
                    json head = entries[pick(entries.size())]["hash"];
                    if (head == replayed["head"]) return std::nullopt;  // a plain copy is no forgery
                    replayed["head"] = head;
                } else {
                    replayed["size"] = static_cast<std::int64_t>(entries.size()) + 1 + static_cast<std::int64_t>(pick(5));
                }
                checkpoints.push_back(replayed);
                return std::pair{copy, "a checkpoint replayed"};
            }
        }
    }

private:
    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_); }

    json changed(const json& value) {
        if (value.is_number_integer()) return value.get<std::int64_t>() + (pick(2) == 0 ? 1 : -1);
        if (value.is_string()) {
            std::string text = value;
            if (text.empty()) return "x";
            std::size_t at = pick(text.size());
            text[at] = text[at] == 'a' ? 'b' : 'a';
            return text;
        }
        if (value.is_object()) return json{{"forged", true}};
        return "forged";
    }

    const Lines& original_;
    std::int64_t anchored_;
    std::mt19937 random_;
};

}  // namespace

TamperReport tamper_test(const std::string& export_text, const std::string& certificate_pem,
                         const std::string& checkpoints_text, int mutations, unsigned seed) {
    TamperReport report;
    auto untouched = audit::verify_export(export_text, certificate_pem, checkpoints_text);
    report.untouched_intact = untouched.intact;
    Lines original = parse(export_text);
    const std::string canonical = original.text();
    Mutator mutator(original, untouched.anchored, seed);
    while (report.tried < mutations) {
        auto mutation = mutator.draw();
        if (!mutation) continue;
        std::string text = mutation->first.text();
        if (text == canonical) continue;
        ++report.tried;
        if (!audit::verify_export(text, certificate_pem, checkpoints_text).intact) {
            ++report.caught;
        } else {
            report.missed.push_back(mutation->second);
        }
    }
    return report;
}

}  // namespace signet::test
