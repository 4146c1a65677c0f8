#include "tests/unit/audit/signed_log.hpp"

#include <cstdio>
#include <memory>
#include <stdexcept>

#include <openssl/evp.h>

#include "tests/support/need.hpp"

namespace signet::test {
namespace {

// "2026-11-23T08:00:00Z" plus `seconds` (less than a day).
std::string time_after(int seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "2026-11-23T%02d:%02d:%02dZ", 8 + seconds / 3600, seconds / 60 % 60, seconds % 60);
    return text;
}

std::string hex_of(int value, std::size_t width) {
    std::string hex;
    for (unsigned v = static_cast<unsigned>(value); hex.size() < width; v = v * 2654435761U + 1U) {
        hex += "0123456789abcdef"[v % 16];
    }
    return hex;
}

// Entry `seq` of a plausible day: seal intents and outcomes, refusals, key and delegation
// events, tenants and people with non-ASCII names.
audit::Entry event_for(std::int64_t seq, int i) {
    static const char* tenants[] = {"cabinet-été", "croec-idf", "Bäckerei Müller", "律师事务所"};
    static const char* actors[] = {"Élodie Dupré", "jean.martin", "Zoë O'Brien", "张伟"};
    audit::Entry entry;
    entry.seq = seq;
    entry.time = time_after(37 * i);
    entry.tenant = tenants[i % 4];
    entry.actor = actors[(i / 2) % 4];
    entry.client_fingerprint = hex_of(i % 3, 64);
    entry.client_role = "platform";
    entry.action = "document.seal";
    switch (i % 6) {
        case 0:
        case 1:  // an intent, then its outcome
            entry.event = "seal";
            entry.outcome = i % 6 == 0 ? "intended" : "sealed";
            if (i % 6 == 1) entry.intent_seq = seq - 1;
            entry.key_id = "0a0b0c";
            entry.certificate_sha256 = hex_of(7, 64);
            entry.signed_digest_sha256 = hex_of(i, 64);
            entry.document_sha256 = hex_of(i + 1, 64);
            if (i % 6 == 1) entry.output_sha256 = hex_of(i + 2, 64);
            break;
        case 2:
            entry.event = "refusal";
            entry.outcome = "refused";
            entry.reason = "la délégation #3 (sceller) a expiré le 2026-10-01";
            break;
        case 3:
            entry.event = "delegation_changed";
            entry.outcome = "done";
            entry.client_role = "officer";
            entry.action = "delegation.grant";
            entry.approver = "officer2";
            entry.detail = {{"delegation", i}, {"rights", {"sceller", "signer"}}, {"note", "accordée à \"Zoë\"\n"}};
            break;
        case 4:
            entry.event = "key_generated";
            entry.outcome = "done";
            entry.client_role = "officer";
            entry.action = "key.generate";
            entry.key_id = hex_of(i, 4);
            entry.detail = {{"algorithm", "ec-p256"}, {"purpose", "seal"}};
            break;
        default:  // the daemon itself: no client, no tenant
            entry.event = "daemon_start";
            entry.outcome = "done";
            entry.tenant = entry.actor = entry.client_fingerprint = entry.client_role = entry.action = "";
    }
    return entry;
}

}  // namespace

AuditKey::AuditKey(const std::string& algorithm) : key(need(devpki::generate_key(algorithm))) {
    devpki::CertificateSpec spec;
    spec.common_name = "signet test audit";
    spec.usage = devpki::Usage::signing;
    auto certificate = need(devpki::issue(spec, key.get(), nullptr, key.get()));
    certificate_pem = need(signet::to_pem(certificate.get()));
}

std::vector<std::uint8_t> AuditKey::sign(const std::string& text) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    const auto* data = reinterpret_cast<const unsigned char*>(text.data());
    std::size_t length = 0;
    if (!context || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_DigestSign(context.get(), nullptr, &length, data, text.size()) != 1) {
        throw std::runtime_error("cannot sign with the test audit key");
    }
    std::vector<std::uint8_t> signature(length);
    if (EVP_DigestSign(context.get(), signature.data(), &length, data, text.size()) != 1) {
        throw std::runtime_error("cannot sign with the test audit key");
    }
    signature.resize(length);
    return signature;
}

void SignedLog::grow(int count, int every) {
    for (int i = 0; i < count; ++i) {
        const auto seq = static_cast<std::int64_t>(entries.size()) + 1;
        audit::Entry entry = event_for(seq, static_cast<int>(seq) - 1);
        entry.prev_hash = entries.empty() ? audit::genesis_hash : entries.back().hash;
        entry.hash = audit::compute_hash(entry);
        entries.push_back(std::move(entry));
        if (seq % every == 0) checkpoint_now();
    }
}

audit::Checkpoint SignedLog::checkpoint_now(const std::string& origin) {
    audit::Checkpoint checkpoint{.origin = origin,
                                 .size = static_cast<std::int64_t>(entries.size()),
                                 .head = entries.empty() ? audit::genesis_hash : entries.back().hash,
                                 .time = entries.empty() ? time_after(0) : entries.back().time,
                                 .key_id = "a0d1",
                                 .signature = {}};
    checkpoint.signature = audit_key.sign(audit::signed_text(checkpoint));
    checkpoints.push_back(checkpoint);
    return checkpoint;
}

std::string SignedLog::export_text() const {
    std::string out;
    // audit::Log writes "type" first, then the stored object: the same here.
    for (const auto& entry : entries) out += R"({"type":"entry",)" + audit::to_json(entry).dump().substr(1) + "\n";
    return out + checkpoint_lines();
}

std::string SignedLog::checkpoint_lines() const {
    std::string out;
    for (const auto& checkpoint : checkpoints) out += audit::to_json(checkpoint).dump() + "\n";
    return out;
}

}  // namespace signet::test
