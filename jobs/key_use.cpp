#include "jobs/key_use.hpp"

#include <ctime>
#include <system_error>

#include "base/base64.hpp"
#include "pdf/cades.hpp"
#include "telemetry/metrics.hpp"

namespace signet::daemon {

std::unexpected<Error> record_refusal(AuditTrail& trail, audit::Entry entry, const Error& refusal) {
    entry.event = "refusal";
    entry.outcome = "refused";
    entry.reason = refusal.message;
    if (auto recorded = trail.record(std::move(entry)); !recorded) return std::unexpected(recorded.error());
    return std::unexpected(refusal);
}

std::string appearance_date(std::chrono::system_clock::time_point when) {
    std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char text[48];
    std::strftime(text, sizeof text, "Le %d/%m/%Y à %H:%M UTC", &utc);
    return text;
}

namespace {

// Below this a document is hashed in well under a millisecond: a thread would cost more.
constexpr std::size_t threaded_hash_bytes = 1024 * 1024;

}  // namespace

DocumentHashes::DocumentHashes(const std::vector<std::vector<std::uint8_t>>& documents)
    : documents_(documents), pending_(documents.size()), done_(documents.size()) {
    // One thread per job, hashing its large documents in order (the order the worker prepares
    // them in): a batch does not start a thread per document.
    std::vector<std::size_t> large;
    std::vector<std::promise<Result<pdf::PrefixDigest>>> promises;
    for (std::size_t i = 0; i < documents.size(); ++i) {
        if (documents[i].size() < threaded_hash_bytes) continue;
        large.push_back(i);
        pending_[i] = promises.emplace_back().get_future();
    }
    if (large.empty()) return;
    try {
        hasher_ = std::thread([&documents, large, promises = std::move(promises)]() mutable {
            for (std::size_t k = 0; k < large.size(); ++k) promises[k].set_value(pdf::PrefixDigest::of(documents[large[k]]));
        });
    } catch (const std::system_error&) {
        // No thread to be had: get() hashes each on the job's thread.
        for (std::size_t i : large) pending_[i] = {};
    }
}

DocumentHashes::~DocumentHashes() {
    if (hasher_.joinable()) hasher_.join();
}

Result<const pdf::PrefixDigest*> DocumentHashes::get(std::size_t index) {
    if (index >= done_.size()) return fail(Errc::internal, "no such document in the job");
    if (!done_[index]) {
        done_[index] = pending_[index].valid() ? pending_[index].get() : pdf::PrefixDigest::of(documents_[index]);
    }
    const Result<pdf::PrefixDigest>& hashed = *done_[index];
    if (!hashed) return std::unexpected(hashed.error());
    return &*hashed;
}

Result<std::vector<std::string>> DocumentHashes::hex() {
    std::vector<std::string> digests;
    for (std::size_t i = 0; i < done_.size(); ++i) {
        auto hashed = get(i);
        if (!hashed) return std::unexpected(hashed.error());
        digests.push_back(hex_encode((*hashed)->digest()));
    }
    return digests;
}

Result<pdf::PreparedDocument> prepare_document(pdf::WorkerPool& workers, std::string_view tenant,
                                               std::span<const std::uint8_t> document, DocumentHashes& hashes,
                                               std::size_t index, const ActiveKey& key, std::size_t timestamp_bytes,
                                               pdf::PrepareRequest request) {
    StageTimer timed(Stage::pdf);
    request.contents_size =
        key.signature_size + (timestamp_bytes > 0 ? pdf::timestamp_attribute_bound(timestamp_bytes) : 0);
    pdf::PreparedDocument prepared;
    SIGNET_TRY(prepared, workers.prepare_update(tenant, document, request));
    const pdf::PrefixDigest* hashed = nullptr;
    SIGNET_TRY(hashed, hashes.get(index));
    // The digest that will be signed is ours, over our original and the update the pool checked.
    SIGNET_TRY(prepared.digest, hashed->byte_range(prepared.update, prepared.byte_range));
    return prepared;
}

Result<audit::Entry> record_intent(AuditTrail& trail, const ActiveKey& key, const pdf::PreparedDocument& prepared,
                                   audit::Entry entry) {
    entry.outcome = "intended";
    entry.key_id = key.id_hex;
    entry.certificate_sha256 = key.certificate_sha256;
    entry.signed_digest_sha256 = hex_encode(prepared.digest);
    auto recorded_intent = trail.record(entry);
    if (!recorded_intent) {
        return fail(Errc::unavailable, "the signature was not made: " + recorded_intent.error().message);
    }
    entry.intent_seq = recorded_intent->seq;
    return entry;
}

Result<std::vector<std::uint8_t>> hsm_signature(hsm::Token& token, const ActiveKey& key,
                                                const pdf::PreparedDocument& prepared,
                                                const pdf::TimestampCallback& timestamp) {
    auto sign = [&](std::span<const std::uint8_t> to_be_signed) {
        StageTimer timed(Stage::hsm);
        auto signature = token.sign(key.id, to_be_signed);
        if (!signature) metrics().hsm_error();
        return signature;
    };
    return pdf::build_cades_signature(prepared.digest, key.signer(), sign, timestamp);
}

Result<std::vector<std::int64_t>> record_outcomes(AuditTrail& trail, std::vector<audit::Entry> outcomes,
                                                  const AuditTrail::AlsoCommit& also) {
    auto recorded = trail.record_all(std::move(outcomes), also);
    if (!recorded) {
        return fail(Errc::unavailable, "the outcome could not be recorded: " + recorded.error().message);
    }
    trail.checkpoint_if_due();
    std::vector<std::int64_t> seqs;
    for (const audit::Entry& entry : *recorded) seqs.push_back(entry.seq);
    return seqs;
}

std::unexpected<Error> record_job_failure(AuditTrail& trail, std::vector<audit::Entry> undelivered,
                                          std::optional<audit::Entry> failing, const Error& error) {
    for (audit::Entry& outcome : undelivered) {
        outcome.outcome = "failed";
        outcome.reason = "signed but not delivered: a later document of the batch failed (" + error.message + ")";
    }
    if (failing) {
        failing->outcome = "failed";
        failing->reason = error.message;
        undelivered.push_back(std::move(*failing));
    }
    (void)trail.record_all(std::move(undelivered));
    return std::unexpected(error);
}

}  // namespace signet::daemon
