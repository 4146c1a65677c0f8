#include "jobs/key_job.hpp"

#include "base/base64.hpp"
#include "jobs/key_use.hpp"
#include "guests/guest_code.hpp"
#include "guests/one_time_key.hpp"
#include "keys/certificate_checks.hpp"
#include "persons/activation.hpp"
#include "register/register.hpp"

namespace signet::daemon {
namespace {

using nlohmann::json;

// What every entry of this job shares: who called, for whom, on which documents.
audit::Entry job_entry(const config::ClientIdentity& client, const JobRequest& request) {
    audit::Entry entry;
    entry.client_fingerprint = client.fingerprint;
    entry.client_role = client.role ? std::string(config::to_string(*client.role)) : "";
    entry.tenant = request.tenant;
    entry.actor = request.actor;
    entry.approver = request.approved_by.value_or("");
    entry.action = request.kind == JobKind::seal   ? "document.seal"
                   : request.kind == JobKind::sign ? "document.sign"
                                                   : "document.cosign";
    return entry;
}

// The job's audit event: "seal", "sign" or "cosign".
std::string event_of(JobKind kind) {
    return kind == JobKind::seal ? "seal" : kind == JobKind::sign ? "sign" : "cosign";
}

// The active guest CA, usable for at least a guest certificate's hour: a guest's certificate
// never outlives its issuer's.
Result<std::shared_ptr<const ActiveKey>> guest_ca_key(const JobContext& context) {
    auto key = context.guest_ca->get();
    if (!key) return fail(Errc::unavailable, "no guest CA is active: an officer must activate one (purpose \"guest-ca\")");
    if (auto usable = check_usable(key->validity, context.clock.now(), guest_certificate_validity,
                                   "the guest CA " + key->id_hex);
        !usable) {
        return std::unexpected(usable.error());
    }
    return key;
}

// The seal key of this job, whose certificate must be valid now and not about to end.
Result<std::shared_ptr<const ActiveKey>> seal_key(const JobContext& context) {
    if (auto usable = check_usable(context.seal_key->validity, context.clock.now(), context.min_remaining_validity,
                                   "the seal key " + context.seal_key->id_hex);
        !usable) {
        return std::unexpected(usable.error());
    }
    return context.seal_key;
}

// The actor's active personal key, usable now.
Result<std::shared_ptr<const ActiveKey>> personal_key(const JobContext& context, const std::string& person) {
    std::string key_id;
    {
        std::lock_guard lock(context.db_mutex);
        auto statement = context.db.prepare(
            "SELECT key_id FROM keys WHERE purpose = 'personal' AND person = ? AND state = 'active'");
        if (!statement) return std::unexpected(statement.error());
        statement->bind(1, person);
        auto row = statement->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) {
            return fail(Errc::conflict, person + " has no personal certificate on signetd (enrol a key and import "
                                                 "its certificate first)");
        }
        key_id = statement->column_text(0);
    }
    auto key = context.personal_keys->get(context.db, context.db_mutex, context.token, key_id);
    if (!key) return std::unexpected(key.error());
    auto usable = check_usable((*key)->validity, context.clock.now(), std::chrono::seconds(0),
                               person + "'s personal key " + key_id);
    if (!usable) return fail(Errc::conflict, usable.error().message);
    return key;
}

// The visible appearance's lines: the seal names the firm; a signature the signer (a member, or
// a guest) and the firm.
std::vector<std::string> appearance_lines(JobKind kind, const policy::TenantView& tenant, const std::string& signer,
                                          std::chrono::system_clock::time_point now) {
    if (kind == JobKind::seal) return {"Cachet électronique", tenant.tenant.name, appearance_date(now)};
    return {"Signé électroniquement par " + signer, tenant.tenant.name, appearance_date(now)};
}

// The tenant's logo file for a visible box, if it has one (a worker decodes it).
Result<std::shared_ptr<const std::vector<std::uint8_t>>> tenant_logo(const JobContext& context, const std::string& tenant) {
    std::lock_guard lock(context.db_mutex);
    auto logo = Register(context.db).logo(tenant);
    if (!logo) return std::unexpected(logo.error());
    if (!*logo) return std::shared_ptr<const std::vector<std::uint8_t>>();
    return std::make_shared<const std::vector<std::uint8_t>>(std::move((*logo)->image));
}

}  // namespace

Result<JobResult> run_key_job(const JobContext& context, const config::ClientIdentity& client, JobRequest request) {
    const bool personal = request.kind == JobKind::sign;
    const bool guest = request.kind == JobKind::cosign;
    // One SHA-256 pass over each document: its digest, and the ByteRange's and the signed
    // file's later from copies of the state. A large one's pass has begun on a thread of its
    // own and is awaited where a digest is first needed.
    DocumentHashes hashes(request.documents);
    audit::Entry base = job_entry(client, request);
    if (request.kind == JobKind::seal) {
        base.key_id = context.seal_key->id_hex;
        base.certificate_sha256 = context.seal_key->certificate_sha256;
    }
    // `base` naming the job's documents: the document's digest when there is one, and for a
    // personal or a guest's job the list of them.
    auto with_documents = [&]() -> Result<audit::Entry> {
        std::vector<std::string> digests;
        SIGNET_TRY(digests, hashes.hex());
        audit::Entry entry = base;
        if (digests.size() == 1) entry.document_sha256 = digests.front();
        if (personal || guest) entry.detail = {{"documents", digests}};
        return entry;
    };
    // A co-signature's one-time key (made after the guest's code) is destroyed after the last
    // signature, or when the job fails before, and the entry that follows says so.
    std::unique_ptr<OneTimeKey> one_time;
    bool one_time_destroyed = false;
    auto destroy_one_time_key = [&](audit::Entry& entry) {
        if (!one_time || one_time_destroyed) return;
        one_time_destroyed = true;
        auto destroyed = one_time->destroy();
        entry.detail["one_time_key"] =
            destroyed ? "destroyed at " + signet::format_timestamp(context.clock.now())
                      : "not destroyed (" + destroyed.error().message + "); a session object, gone with its session";
    };
    // A refusal before any key use is on record, with the documents it refused.
    auto refuse = [&](const Error& error) -> std::unexpected<Error> {
        auto entry = with_documents();
        if (!entry) return std::unexpected(entry.error());
        destroy_one_time_key(*entry);
        return record_refusal(context.trail, std::move(*entry), error);
    };
    // A database, worker pool or token that cannot serve is no decision about this job: it is
    // passed on (503) unrecorded, where the log itself may be what failed.
    auto refuse_unless_unavailable = [&](const Error& error) -> std::unexpected<Error> {
        if (error.code == Errc::unavailable) return std::unexpected(error);
        return refuse(error);
    };

    // 1. Client role: only the platform submits jobs (the router has checked it already; a job
    //    must not depend on its caller for that).
    if (!client.role || *client.role != config::Role::platform) {
        return fail(Errc::forbidden, std::string("only the platform role may submit ") +
                                         (personal ? "signature" : guest ? "co-signature" : "seal") + " jobs");
    }
    // 2. The request was parsed and bounded by api/ (api_json.cpp, raw_request.cpp) before it
    //    took a place in the job queue.

    // 3. Policy decision, before any PDF work or key use. A guest has no delegation: the
    //    decision is the firm's invitation, for these documents.
    Guest invited;
    Result<policy::TenantView> tenant = [&]() -> Result<policy::TenantView> {
        if (!guest) {
            return authorise_job(context.db, context.db_mutex, context.matrix, context.clock, request.tenant,
                                 request.actor, base.action, request.approved_by);
        }
        std::vector<std::string> digests;
        SIGNET_TRY(digests, hashes.hex());
        return authorise_guest(context.db, context.db_mutex, request.tenant, request.guest_id, digests, invited);
    }();
    if (!tenant) return refuse_unless_unavailable(tenant.error());

    // The signing key, and its certificate usable now. A seal certificate too close to its end
    // is a 503 the log shows, so that the officers see why sealing stopped. A co-signature's is
    // the guest CA's until the code is checked.
    auto key = personal ? personal_key(context, request.actor) : guest ? guest_ca_key(context) : seal_key(context);
    if (!key) return personal || guest ? refuse_unless_unavailable(key.error()) : refuse(key.error());
    base.key_id = (*key)->id_hex;
    base.certificate_sha256 = (*key)->certificate_sha256;
    // Its certificate not revoked (DESIGN.md, "Revocation"): a revoked one is a refusal on
    // record; no status at all is a 503 under "require", a note in the entries under "prefer".
    auto revocation = context.revocation.before_use(
        **key, personal ? request.actor + "'s personal key " + (*key)->id_hex
               : guest  ? "the guest CA " + (*key)->id_hex
                        : "the seal key " + (*key)->id_hex);
    if (!revocation) return refuse_unless_unavailable(revocation.error());

    // 4. Activation of a personal key: sole control, the person's code, once, for these documents.
    std::int64_t activation_seq = 0;
    if (personal) {
        if (request.otp.empty()) {
            return refuse(Error{Errc::activation_failed,
                                "a personal signature needs the signer's activation code (\"activation\": {\"otp\"})"});
        }
        audit::Entry entry;
        SIGNET_TRY(entry, with_documents());
        auto activation = check_activation(*context.persons, *context.signing, entry, request.actor, request.otp,
                                           entry.detail.at("documents").get<std::vector<std::string>>());
        if (!activation) return std::unexpected(activation.error());
        activation_seq = activation->audit_seq;
    }
    // 4. A guest's code: once, in time, three wrong ones lock the guest. Then the one-time key,
    //    made for this job alone and certified for the guest by the guest CA.
    json guest_detail;
    if (guest) {
        if (request.otp.empty()) {
            return refuse(Error{Errc::activation_failed, "a co-signature needs the guest's code (\"code\")"});
        }
        audit::Entry entry;
        SIGNET_TRY(entry, with_documents());
        auto activation = check_guest_code(*context.guests, entry, request.guest_id, request.otp);
        if (!activation) return std::unexpected(activation.error());
        activation_seq = activation->audit_seq;
        auto algorithm = hsm::parse_key_algorithm(context.guests->settings.algorithm);
        if (!algorithm) return std::unexpected(algorithm.error());
        auto made = OneTimeKey::make(context.token, **key, *algorithm, invited, context.clock.now());
        if (!made) return refuse_unless_unavailable(made.error());
        one_time = std::move(*made);
        const std::string guest_ca_id = (*key)->id_hex;
        key = one_time->key();
        base.key_id = (*key)->id_hex;
        base.certificate_sha256 = (*key)->certificate_sha256;
        guest_detail = {{"activation_seq", activation_seq},
                        {"guest_id", invited.id},
                        {"email", invited.email},
                        {"code_checked_at", signet::format_timestamp(activation->checked_at)},
                        {"certificate_serial", one_time->certificate_serial()},
                        {"guest_ca", guest_ca_id}};
    }

    // B-T: trusted time must be available before the documents are prepared, and the
    // placeholder must hold its token.
    std::optional<TimestampSource> stamps;
    if (request.level != config::SignatureLevel::b_b) {
        if (context.time == nullptr) return fail(Errc::internal, "a B-T job without trusted time");
        auto source = timestamp_source(*context.time);
        if (!source) return std::unexpected(source.error());
        stamps = std::move(*source);
    }
    const std::size_t timestamp_bytes = stamps ? stamps->token_bytes : 0;

    // 5. Every PDF prepared in a worker before the first signature: one bad document refuses
    //    the batch.
    const auto now = std::chrono::system_clock::now();
    std::shared_ptr<const std::vector<std::uint8_t>> logo;
    if (request.appearance) {
        auto stored = tenant_logo(context, request.tenant);
        if (!stored) return std::unexpected(stored.error());
        logo = std::move(*stored);
    }
    std::vector<pdf::PreparedDocument> prepared;
    for (std::size_t i = 0; i < request.documents.size(); ++i) {
        pdf::PrepareRequest prepare_request;
        prepare_request.signing_time = now;
        if (request.appearance) {
            prepare_request.appearance = request.appearance;
            const std::string signer = guest ? invited.name : personal ? tenant->member(request.actor)->name : "";
            prepare_request.appearance->lines = appearance_lines(request.kind, *tenant, signer, now);
            prepare_request.appearance->signer = request.actor;
            prepare_request.appearance->logo_file = logo;
        }
        auto document = prepare_document(context.pdf_workers, request.tenant, request.documents[i], hashes, i,
                                         **key, timestamp_bytes, std::move(prepare_request));
        if (!document) {
            Error error = document.error();
            if (request.batch) error.message = "document " + std::to_string(i + 1) + ": " + error.message;
            return refuse_unless_unavailable(error);
        }
        prepared.push_back(std::move(*document));
    }

    // Every document's pass is over by now (prepare_document waited for it).
    std::vector<std::string> digests;
    SIGNET_TRY(digests, hashes.hex());
    JobResult result;
    result.key_id = (*key)->id_hex;
    result.certificate_sha256 = (*key)->certificate_sha256;
    result.activation_seq = activation_seq;
    if (one_time) result.certificate_serial = one_time->certificate_serial();
    result.level = request.level;
    // The outcomes wait until every document is signed and are recorded together, with the
    // answer when there is one: a document of a batch that failed later, or that a crash cut
    // short, was never delivered, and the log must not say it was.
    std::vector<audit::Entry> outcomes;
    auto failed = [&](std::optional<audit::Entry> failing, const Error& error) {
        if (failing) destroy_one_time_key(*failing);
        return record_job_failure(context.trail, std::move(outcomes), std::move(failing), error);
    };
    for (std::size_t i = 0; i < prepared.size(); ++i) {
        audit::Entry entry = base;
        entry.event = event_of(request.kind);
        entry.document_sha256 = digests[i];
        if (personal) entry.detail = {{"activation_seq", activation_seq}};
        if (guest) entry.detail = guest_detail;
        if (!revocation->unknown.empty()) entry.detail["revocation"] = "unknown: " + revocation->unknown;
        // 6. The intended key use on record, committed: no record, no key use.
        auto outcome = record_intent(context.trail, **key, prepared[i], std::move(entry));
        if (!outcome) return failed(std::nullopt, outcome.error());
        const std::string signed_digest = outcome->signed_digest_sha256;
        // 7. The HSM signature and, for B-T, the time-stamp over its value (a key use of the
        //    TSA key, on record as such, or an external TSA's token checked before it is used).
        std::optional<Stamp> stamp;
        pdf::TimestampCallback timestamp;
        if (stamps) {
            timestamp = [&](std::span<const std::uint8_t> signature_value) -> Result<std::vector<std::uint8_t>> {
                auto made = signature_timestamp(*context.time, *stamps, signature_value, *outcome, (*key)->validity);
                if (!made) return std::unexpected(made.error());
                stamp = std::move(*made);
                return stamp->token;
            };
        }
        auto cms = hsm_signature(context.token, **key, prepared[i], timestamp);
        if (!cms) return failed(std::move(*outcome), cms.error());
        if (i + 1 == prepared.size()) destroy_one_time_key(*outcome);
        // 8. Embedded: a byte patch of the placeholder.
        const std::size_t contents_size = prepared[i].contents_size;
        auto document = pdf::signed_file(std::move(request.documents[i]), std::move(prepared[i]), *cms);
        if (!document) return failed(std::move(*outcome), document.error());
        SignedDocument done{{}, signed_digest, 0, std::move(stamp), std::nullopt, std::nullopt};
        // B-LT and B-LTA: the DSS, then the document time-stamp (a key use of its own).
        if (request.level == config::SignatureLevel::b_lt || request.level == config::SignatureLevel::b_lta) {
            std::vector<std::uint8_t> contents(*cms);
            contents.resize(contents_size, 0);
            const bool internal = stamps->tsa_key != nullptr;
            evidence::MadeSignature made{std::move(contents), key->get(), internal ? stamps->tsa_key.get() : nullptr,
                                         done.timestamp->token,
                                         std::chrono::floor<std::chrono::seconds>(done.timestamp->info.gen_time)};
            done.validation_data.emplace();
            document = evidence::add_validation_data(context.pdf_workers, request.tenant, context.revocation, std::move(*document),
                                                     made, *done.validation_data);
            if (!document) return failed(std::move(*outcome), document.error());
        }
        if (request.level == config::SignatureLevel::b_lta) {
            document = evidence::add_document_timestamp(
                context.pdf_workers, request.tenant, std::move(*document), stamps->token_bytes,
                [&](std::span<const std::uint8_t> digest, const evidence::FinishDocument&) -> Result<std::vector<std::uint8_t>> {
                    auto made = timestamp_digest(*context.time, *stamps, digest, *outcome, (*key)->validity);
                    if (!made) return std::unexpected(made.error());
                    done.document_timestamp = std::move(*made);
                    return done.document_timestamp->token;
                });
            if (!document) return failed(std::move(*outcome), document.error());
        }
        // 9. The outcome, on record with the job's others after the last document. No document
        // is returned when a step fails: all or nothing. The signed file begins with the
        // document: its digest reads what follows alone.
        auto hashed = hashes.get(i);
        if (!hashed) return failed(std::move(*outcome), hashed.error());
        auto output = (*hashed)->followed_by(std::span<const std::uint8_t>(*document).subspan((*hashed)->size()));
        if (!output) return failed(std::move(*outcome), output.error());
        done.document = std::move(*document);
        result.documents.push_back(std::move(done));
        outcome->outcome = request.kind == JobKind::seal ? "sealed" : "signed";
        outcome->output_sha256 = hex_encode(*output);
        outcomes.push_back(std::move(*outcome));
    }
    // The outcomes are queued together, so they are consecutive in the log: the kept answer
    // knows every document's entry from the last one's.
    AuditTrail::AlsoCommit keep;
    if (request.keep_answer) {
        keep = [&](const audit::Entry& last) {
            for (std::size_t i = 0; i < result.documents.size(); ++i) {
                result.documents[i].audit_seq = last.seq - static_cast<std::int64_t>(result.documents.size() - 1 - i);
            }
            return request.keep_answer(result);
        };
    }
    std::vector<std::int64_t> seqs;
    SIGNET_TRY(seqs, record_outcomes(context.trail, std::move(outcomes), keep));
    for (std::size_t i = 0; i < seqs.size(); ++i) result.documents[i].audit_seq = seqs[i];
    // 10. The response is the API's: JSON or the raw PDF with Signet-* headers.
    return result;
}

}  // namespace signet::daemon
