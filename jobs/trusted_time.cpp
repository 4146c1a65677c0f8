#include "jobs/trusted_time.hpp"

#include <array>

#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "base/base64.hpp"
#include "jobs/key_use.hpp"
#include "keys/certificate_checks.hpp"
#include "telemetry/metrics.hpp"
#include "timestamp/clock_sync.hpp"
#include "timestamp/token.hpp"
#include "timestamp/tsa_client.hpp"

namespace signet::daemon {
namespace {

std::string_view hash_name(int nid) {
    switch (nid) {
        case NID_sha256: return "sha256";
        case NID_sha384: return "sha384";
        case NID_sha512: return "sha512";
        default: return "unknown";
    }
}

// The serial: the intent entry's sequence number, big-endian without leading zeros.
std::vector<std::uint8_t> serial_bytes(std::int64_t seq) {
    std::vector<std::uint8_t> bytes;
    for (auto value = static_cast<std::uint64_t>(seq); value != 0; value >>= 8) {
        bytes.insert(bytes.begin(), static_cast<std::uint8_t>(value & 0xff));
    }
    return bytes;
}

// The entry of a time-stamp from the job's: who, for whom, on which document; a token made
// inside a seal or signature names that job's intent entry.
audit::Entry timestamp_entry(audit::Entry entry, const timestamp::Request& request) {
    nlohmann::json detail = {{"hash", hash_name(request.hash_nid)}, {"imprint", hex_encode(request.imprint)}};
    if (entry.intent_seq) detail["job_intent_seq"] = *entry.intent_seq;
    entry.event = "timestamp";
    entry.intent_seq.reset();
    entry.signed_digest_sha256.clear();
    entry.detail = std::move(detail);
    return entry;
}

Status check_internal(const TrustedTime& time) {
    SIGNET_CHECK(check_trusted_time(time));
    if (time.settings->source != config::TimestampSource::internal) {
        return fail(Errc::unavailable, "signetd's own time-stamping authority is not in use ([timestamp] source = "
                                       "\"external\")");
    }
    return {};
}

Result<std::shared_ptr<const ActiveKey>> active_tsa_key(const TrustedTime& time) {
    auto key = time.tsa_key.get();
    if (!key) {
        return fail(Errc::unavailable,
                    "signetd's time-stamping authority has no active key: an officer generates one (purpose "
                    "\"tsa\"), imports its certificate and activates it");
    }
    return key;
}

// A token of `key` for `request`: intent committed, HSM signature, outcome.
Result<Stamp> issue_with(const TrustedTime& time, const ActiveKey& key, const timestamp::Request& request,
                         audit::Entry entry, const AlsoCommitStamp& also = {}) {
    const std::string name = "the TSA key " + key.id_hex;
    SIGNET_CHECK(check_usable(key.validity, time.clock.now(), std::chrono::seconds(0), name));
    entry = timestamp_entry(std::move(entry), request);
    auto revocation = time.revocation.before_use(key, name);
    if (!revocation) {
        if (revocation.error().code != Errc::certificate_revoked) return std::unexpected(revocation.error());
        entry.key_id = key.id_hex;
        entry.certificate_sha256 = key.certificate_sha256;
        return record_refusal(time.trail, std::move(entry), revocation.error());
    }
    if (!revocation->unknown.empty()) entry.detail["revocation"] = "unknown: " + revocation->unknown;
    entry.outcome = "intended";
    entry.key_id = key.id_hex;
    entry.certificate_sha256 = key.certificate_sha256;
    auto intent = time.trail.record(entry);
    if (!intent) return fail(Errc::unavailable, "the time-stamp was not made: " + intent.error().message);
    entry.intent_seq = intent->seq;
    auto failed = [&](const Error& error) -> std::unexpected<Error> {
        entry.outcome = "failed";
        entry.reason = error.message;
        (void)time.trail.record(entry);
        return std::unexpected(error);
    };

    timestamp::TokenFields fields;
    fields.policy_oid = time.settings->policy;
    fields.serial = serial_bytes(intent->seq);
    fields.gen_time = std::chrono::system_clock::now();
    fields.accuracy = time.settings->accuracy;
    fields.hash_nid = request.hash_nid;
    fields.imprint = request.imprint;
    fields.nonce = request.nonce;
    fields.include_certificates = request.cert_req;
    auto token = timestamp::issue_token(fields, key.signer(), [&](std::span<const std::uint8_t> to_be_signed) {
        StageTimer timed(Stage::hsm);
        auto signature = time.token.sign(key.id, to_be_signed);
        if (!signature) metrics().hsm_error();
        return signature;
    });
    if (!token) return failed(token.error());
    auto info = timestamp::issued_info(fields, key.certificate.get());

    entry.outcome = "stamped";
    entry.detail["serial"] = info.serial_hex;
    entry.detail["gen_time"] = info.gen_time_text;
    Stamp stamp{std::move(*token), std::move(info), "internal"};
    AuditTrail::AlsoCommit keep;
    if (also) keep = [&](const audit::Entry& outcome) { return also(stamp, outcome.seq); };
    if (auto recorded = time.trail.record(entry, keep); !recorded) {
        return fail(Errc::unavailable, "the time-stamp's outcome could not be recorded: " + recorded.error().message);
    }
    time.trail.checkpoint_if_due();
    return stamp;
}

// An external TSA's token, checked, with the entry saying which TSA gave it or why none did.
Result<Stamp> fetch_external(const TrustedTime& time, const timestamp::Request& request, const audit::Entry& entry,
                             const Validity& signer_validity, const AlsoCommitStamp& also) {
    const config::Timestamp& settings = *time.settings;
    timestamp::ExternalTsas tsas{settings.urls, settings.trust, settings.https_ca, settings.connect_timeout,
                                 settings.timeout, settings.max_token_bytes};
    audit::Entry record = timestamp_entry(entry, request);
    auto fetched = timestamp::fetch_token(tsas, request.hash_nid, request.imprint, signer_validity.not_before,
                                          signer_validity.usable_until());
    if (fetched && fetched->checked.token.size() > settings.max_token_bytes) {
        fetched = fail(Errc::unavailable, "the token of " + fetched->url + " is " +
                                              std::to_string(fetched->checked.token.size()) +
                                              " bytes, more than [timestamp] max_token_bytes (" +
                                              std::to_string(settings.max_token_bytes) + ")");
    }
    if (!fetched) {
        record.outcome = "failed";
        record.reason = fetched.error().message;
        (void)time.trail.record(record);
        return fail(Errc::unavailable, fetched.error().message);
    }
    record.outcome = "received";
    record.detail["tsa"] = fetched->url;
    record.detail["serial"] = fetched->checked.info.serial_hex;
    record.detail["gen_time"] = fetched->checked.info.gen_time_text;
    Stamp stamp{std::move(fetched->checked.token), std::move(fetched->checked.info), std::move(fetched->url)};
    AuditTrail::AlsoCommit keep;
    if (also) keep = [&](const audit::Entry& outcome) { return also(stamp, outcome.seq); };
    if (auto recorded = time.trail.record(record, keep); !recorded) {
        return fail(Errc::unavailable, "the time-stamp could not be recorded: " + recorded.error().message);
    }
    return stamp;
}

}  // namespace

Status check_trusted_time(const TrustedTime& time) {
    if (time.settings == nullptr) {
        return fail(Errc::unavailable, "signetd has no trusted time configured (no [timestamp] section)");
    }
    if (time.settings->source == config::TimestampSource::internal && time.settings->require_synchronized_clock &&
        !timestamp::clock_synchronized()) {
        return fail(Errc::unavailable,
                    "the system clock is not synchronised (adjtimex reports it so) and [timestamp] "
                    "require_synchronized_clock is set: no time-stamp is issued");
    }
    return {};
}

Result<Stamp> issue_internal(const TrustedTime& time, const timestamp::Request& request, audit::Entry entry,
                             const AlsoCommitStamp& also) {
    SIGNET_CHECK(check_internal(time));
    std::shared_ptr<const ActiveKey> key;
    SIGNET_TRY(key, active_tsa_key(time));
    return issue_with(time, *key, request, std::move(entry), also);
}

Result<TimestampSource> timestamp_source(const TrustedTime& time) {
    SIGNET_CHECK(check_trusted_time(time));
    if (time.settings->source == config::TimestampSource::external) {
        return TimestampSource{nullptr, time.settings->max_token_bytes};
    }
    std::shared_ptr<const ActiveKey> key;
    SIGNET_TRY(key, active_tsa_key(time));
    const std::size_t bytes = timestamp::token_size_bound(key->signer());
    return TimestampSource{std::move(key), bytes};
}

Result<Stamp> timestamp_digest(const TrustedTime& time, const TimestampSource& source,
                               std::span<const std::uint8_t> digest, const audit::Entry& entry,
                               const Validity& signer_validity, const AlsoCommitStamp& also) {
    SIGNET_CHECK(check_trusted_time(time));
    timestamp::Request request;
    request.hash_nid = NID_sha256;
    request.imprint.assign(digest.begin(), digest.end());
    request.cert_req = true;
    if (source.tsa_key) return issue_with(time, *source.tsa_key, request, entry, also);
    return fetch_external(time, request, entry, signer_validity, also);
}

Result<Stamp> signature_timestamp(const TrustedTime& time, const TimestampSource& source,
                                  std::span<const std::uint8_t> signature_value, const audit::Entry& entry,
                                  const Validity& signer_validity) {
    std::array<std::uint8_t, 32> digest{};
    if (EVP_Digest(signature_value.data(), signature_value.size(), digest.data(), nullptr, EVP_sha256(), nullptr) !=
        1) {
        return fail(Errc::internal, "hashing the signature value failed");
    }
    return timestamp_digest(time, source, digest, entry, signer_validity);
}

}  // namespace signet::daemon
