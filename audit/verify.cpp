#include "audit/verify.hpp"

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "audit/checkpoint.hpp"
#include "audit/entry.hpp"
#include "audit/json_number.hpp"
#include "audit/openssl_util.hpp"

namespace signet::audit {
namespace {

using nlohmann::json;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = std::min(text.find('\n', start), text.size());
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

bool is_blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

// Reads the export and the kept checkpoints in order; the first problem wins and stops it.
class Verifier {
public:
    explicit Verifier(const std::vector<PkeyPtr>& keys) : keys_(keys) {}

    void read_export(const std::string& text) {
        auto lines = lines_of(text);
        while (!lines.empty() && is_blank(lines.back())) lines.pop_back();  // a blank last line
        bool in_checkpoints = false;
        for (std::size_t i = 0; i < lines.size() && !failed(); ++i) {
            const std::string where = "line " + std::to_string(i + 1);
            json object = json::parse(lines[i], nullptr, /*allow_exceptions=*/false);
            auto type = object.is_object() ? object.find("type") : object.end();
            if (!object.is_object()) {
                problem(where + " is not a JSON object", last_seq());
            } else if (type == object.end() || !type->is_string()) {
                problem(where + " has no type", last_seq());
            } else if (*type == "entry" && in_checkpoints) {
                problem(where + ": an entry after the checkpoints", count() + 1);
            } else if (*type == "entry") {
                entry(object, where);
            } else if (*type == "checkpoint") {
                in_checkpoints = true;
                checkpoint(object, where);
            } else {
                problem(where + " is neither an entry nor a checkpoint", last_seq());
            }
        }
    }

    // The operator's file: one checkpoint per line, blank lines ignored.
    void read_checkpoint_file(const std::string& text) {
        auto lines = lines_of(text);
        for (std::size_t i = 0; i < lines.size() && !failed(); ++i) {
            if (is_blank(lines[i])) continue;
            json object = json::parse(lines[i], nullptr, /*allow_exceptions=*/false);
            checkpoint(object, "line " + std::to_string(i + 1) + " of the checkpoint file");
        }
    }

    Verification result() && {
        result_.intact = !failed();
        result_.entries = count();
        return std::move(result_);
    }

private:
    bool failed() const { return !result_.problem.empty(); }
    std::int64_t count() const { return static_cast<std::int64_t>(entries_.size()); }
    std::optional<std::int64_t> last_seq() const { return entries_.empty() ? std::nullopt : std::optional(count()); }

    void problem(std::string text, std::optional<std::int64_t> seq) {
        result_.problem = std::move(text);
        result_.first_bad_seq = seq;
    }

    void entry(const json& object, const std::string& where) {
        const std::int64_t expected = count() + 1;
        const std::string name = "entry " + std::to_string(expected);
        auto parsed = entry_from_json(object);
        if (!parsed) return problem(where + " (" + name + "): " + parsed.error().message, expected);
        const Entry& entry = *parsed;
        const std::string seq = std::to_string(entry.seq);
        if (entry.seq > expected) return problem(name + " is missing", expected);
        if (entry.seq < expected) {
            const bool again = entries_[static_cast<std::size_t>(entry.seq - 1)].hash == entry.hash;
            return problem("entry " + seq + (again ? " appears again" : " is out of order") + " at " + where +
                               ", where " + name + " belongs",
                           expected);
        }
        const std::string& previous = entries_.empty() ? std::string(genesis_hash) : entries_.back().hash;
        if (entry.prev_hash != previous) {
            return problem(name + ": prev_hash is not the hash of the entry before it", expected);
        }
        if (compute_hash(entry) != entry.hash) return problem(name + ": hash does not match its content", expected);
        entries_.push_back(*parsed);
    }

    // A checkpoint of the export or of the operator's file (`where` says which line).
    void checkpoint(const json& object, const std::string& where) {
        auto parsed = checkpoint_from_json(object);
        if (!parsed) {
            auto size = object.is_object() && object.contains("size") ? positive_int64(object["size"]) : std::nullopt;
            return problem(where + ": " + parsed.error().message, size);
        }
        const Checkpoint& checkpoint = *parsed;
        const std::string name = "checkpoint at size " + std::to_string(checkpoint.size) + " (" + where + ")";
        if (!verifies(keys_, signed_text(checkpoint), checkpoint.signature)) {
            return problem(name + ": signature does not verify with the audit certificate", checkpoint.size);
        }
        if (origin_.empty()) origin_ = checkpoint.origin;
        if (checkpoint.origin != origin_) {
            return problem(name + ": origin \"" + checkpoint.origin + "\" is not \"" + origin_ +
                               "\", the origin of the checkpoints before it",
                           checkpoint.size);
        }
        if (checkpoint.size > count()) {
            return problem("the log has " + std::to_string(count()) + " entries but " + name +
                               " covers more (entries removed from the end)",
                           count() + 1);
        }
        if (entries_[static_cast<std::size_t>(checkpoint.size - 1)].hash != checkpoint.head) {
            return problem(name + ": head is not the hash of entry " + std::to_string(checkpoint.size) +
                               " (the log differs from what was signed)",
                           checkpoint.size);
        }
        ++result_.checkpoints;
        result_.anchored = std::max(result_.anchored, checkpoint.size);
    }

    const std::vector<PkeyPtr>& keys_;
    Verification result_;
    std::vector<Entry> entries_;
    std::string origin_;
};

}  // namespace

Verification verify_export(const std::string& export_text, const std::string& certificate_pem,
                           const std::string& checkpoints_text) {
    auto keys = certificate_public_keys(certificate_pem);
    if (!keys) {
        Verification unreadable;
        unreadable.problem = keys.error().message;
        return unreadable;
    }
    Verifier verifier(*keys);
    verifier.read_export(export_text);
    verifier.read_checkpoint_file(checkpoints_text);
    return std::move(verifier).result();
}

}  // namespace signet::audit
