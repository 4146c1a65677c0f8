#include "audit/verify.hpp"

#include <sstream>

#include "audit/checkpoint.hpp"
#include "audit/entry.hpp"
#include "audit/openssl_util.hpp"

namespace signet::audit {
namespace {

using nlohmann::json;

class Verifier {
public:
    Verifier(EVP_PKEY* key, Verification& result) : key_(key), result_(result) {}

    bool failed() const { return !result_.problem.empty(); }

    void problem(std::string text, std::optional<std::int64_t> seq) {
        if (failed()) return;
        result_.problem = std::move(text);
        result_.first_bad_seq = seq;
    }

    std::int64_t next_seq() const { return static_cast<std::int64_t>(entries_.size()) + 1; }

    void entry(const json& object, std::size_t line) {
        auto parsed = entry_from_json(object);
        if (!parsed) return problem("line " + std::to_string(line) + ": " + parsed.error().message, next_seq());
        const Entry& entry = *parsed;
        const std::int64_t expected = next_seq();
        if (entry.seq > expected) return problem("entry " + std::to_string(expected) + " is missing", expected);
        if (entry.seq < expected) {
            return problem("entry " + std::to_string(entry.seq) + " appears again or out of order at line " +
                               std::to_string(line),
                           expected);
        }
        const std::string& previous = entries_.empty() ? std::string(genesis_hash) : entries_.back().hash;
        if (entry.prev_hash != previous) {
            return problem("entry " + std::to_string(entry.seq) + ": prev_hash does not match the hash of entry " +
                               std::to_string(entry.seq - 1),
                           entry.seq);
        }
        if (compute_hash(entry) != entry.hash) {
            return problem("entry " + std::to_string(entry.seq) + ": hash does not match its content", entry.seq);
        }
        entries_.push_back(entry);
    }

    // A checkpoint from the export or from the operator's file (`where` says which).
    void checkpoint(const json& object, const std::string& where) {
        auto parsed = checkpoint_from_json(object);
        if (!parsed) return problem(where + ": " + parsed.error().message, std::nullopt);
        const Checkpoint& checkpoint = *parsed;
        std::string name = where + " (checkpoint at size " + std::to_string(checkpoint.size) + ")";
        if (origin_.empty()) origin_ = checkpoint.origin;
        if (checkpoint.origin != origin_) {
            return problem(name + ": origin \"" + checkpoint.origin + "\" is not this log's \"" + origin_ + "\"",
                           checkpoint.size);
        }
        if (!verifies(key_, signed_text(checkpoint), checkpoint.signature)) {
            return problem(name + ": its signature does not verify with the audit certificate", checkpoint.size);
        }
        const auto count = static_cast<std::int64_t>(entries_.size());
        if (checkpoint.size > count) {
            return problem("the log has " + std::to_string(count) + " entries but " + name +
                               " covers more: entries were removed from the end",
                           count + 1);
        }
        if (entries_[static_cast<std::size_t>(checkpoint.size - 1)].hash != checkpoint.head) {
            return problem(name + ": its head is not the hash of entry " + std::to_string(checkpoint.size) +
                               ": the log diverges from what was signed",
                           checkpoint.size);
        }
        ++result_.checkpoints;
        result_.anchored = std::max(result_.anchored, checkpoint.size);
    }

    std::int64_t entry_count() const { return static_cast<std::int64_t>(entries_.size()); }

private:
    EVP_PKEY* key_;
    Verification& result_;
    std::vector<Entry> entries_;
    std::string origin_;
};

// Splits into lines; a final newline does not make an empty last line.
std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
    return lines;
}

}  // namespace

Verification verify_export(const std::string& export_text, const std::string& certificate_pem,
                           const std::string& checkpoints_text) {
    Verification result;
    auto key = certificate_public_key(certificate_pem);
    if (!key) {
        result.problem = key.error().message;
        return result;
    }
    Verifier verifier(key->get(), result);
    std::vector<json> export_checkpoints;
    auto lines = lines_of(export_text);
    for (std::size_t i = 0; i < lines.size() && !verifier.failed(); ++i) {
        const std::size_t line = i + 1;
        json object = json::parse(lines[i], nullptr, /*allow_exceptions=*/false);
        std::string type = object.is_object() && object.contains("type") && object["type"].is_string()
                               ? object["type"].get<std::string>()
                               : "";
        if (type == "entry" && export_checkpoints.empty()) {
            verifier.entry(object, line);
        } else if (type == "entry") {
            verifier.problem("line " + std::to_string(line) + ": an entry after the checkpoints", verifier.next_seq());
        } else if (type == "checkpoint") {
            export_checkpoints.push_back(std::move(object));
        } else {
            verifier.problem("line " + std::to_string(line) + " is neither an entry nor a checkpoint",
                             verifier.next_seq());
        }
    }
    for (std::size_t i = 0; i < export_checkpoints.size() && !verifier.failed(); ++i) {
        verifier.checkpoint(export_checkpoints[i], "the export's checkpoint " + std::to_string(i + 1));
    }
    auto kept = lines_of(checkpoints_text);
    for (std::size_t i = 0; i < kept.size() && !verifier.failed(); ++i) {
        if (kept[i].empty()) continue;
        json object = json::parse(kept[i], nullptr, /*allow_exceptions=*/false);
        verifier.checkpoint(object, "line " + std::to_string(i + 1) + " of the checkpoint file");
    }
    result.entries = verifier.entry_count();
    result.intact = !verifier.failed();
    return result;
}

}  // namespace signet::audit
