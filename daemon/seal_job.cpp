#include "daemon/seal_job.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "daemon/base64.hpp"
#include "daemon/register.hpp"
#include "pdf/cades.hpp"
#include "policy/decision.hpp"

namespace signet::daemon {
namespace {

// An anonymous in-memory file: PoDoFo loads files much faster than buffers (NOTES trap 9)
// and nothing touches the disk.
class MemoryFile {
public:
    static Result<MemoryFile> create(std::span<const std::uint8_t> bytes) {
        int fd = memfd_create("signet-document", MFD_CLOEXEC);
        if (fd < 0) return fail(Errc::unavailable, "cannot create an in-memory file for the document");
        MemoryFile file(fd);
        std::size_t written = 0;
        while (written < bytes.size()) {
            ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
            if (n <= 0) return fail(Errc::unavailable, "cannot spool the document to memory");
            written += static_cast<std::size_t>(n);
        }
        return file;
    }
    MemoryFile(MemoryFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    MemoryFile& operator=(MemoryFile&&) = delete;
    ~MemoryFile() {
        if (fd_ >= 0) ::close(fd_);
    }
    std::filesystem::path path() const { return "/proc/self/fd/" + std::to_string(fd_); }

private:
    explicit MemoryFile(int fd) : fd_(fd) {}
    int fd_;
};

std::string seal_date(std::chrono::system_clock::time_point when) {
    std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char text[48];
    std::strftime(text, sizeof text, "Le %d/%m/%Y à %H:%M UTC", &utc);
    return text;
}

// What every entry of this job shares: who called, for whom, with which key, on which document.
audit::Entry job_entry(const SealContext& context, const ClientIdentity& client, const SealRequest& request,
                       const std::string& document_sha256) {
    audit::Entry entry;
    entry.client_fingerprint = client.fingerprint;
    entry.client_role = client.role ? std::string(config::to_string(*client.role)) : "";
    entry.tenant = request.tenant;
    entry.actor = request.actor;
    entry.approver = request.approved_by.value_or("");
    entry.action = "document.seal";
    entry.document_sha256 = document_sha256;
    entry.key_id = context.seal_key.id_hex;
    entry.certificate_sha256 = context.seal_key.certificate_sha256;
    return entry;
}

// Records a job refused before any key use, then returns the refusal (or 503 when even the
// refusal cannot be recorded).
std::unexpected<Error> refuse(const SealContext& context, audit::Entry entry, const Error& refusal) {
    entry.event = "refusal";
    entry.outcome = "refused";
    entry.reason = refusal.message;
    if (auto recorded = context.trail.record(std::move(entry)); !recorded) {
        return std::unexpected(recorded.error());
    }
    return std::unexpected(refusal);
}

// The decision for document.seal; on allow, the tenant's registered name for the visible seal.
Result<std::string> authorise_seal(const SealContext& context, const SealRequest& request) {
    std::lock_guard lock(context.db_mutex);
    auto view = Register(context.db).load(request.tenant);
    if (!view) return std::unexpected(view.error());
    const policy::TenantView* tenant = *view ? &**view : nullptr;
    auto decision = policy::decide_with_approval(context.matrix, tenant, request.actor,
                                                 "document.seal", request.approved_by,
                                                 context.clock.now());
    if (tenant == nullptr) decision.reason = "tenant " + request.tenant + " is not registered on signetd";
    if (decision.verdict == policy::Verdict::allow) return tenant->tenant.name;
    return fail(decision.verdict == policy::Verdict::approval_required ? Errc::approval_required
                                                                       : Errc::forbidden,
                decision.reason);
}

}  // namespace

Result<SealResult> run_seal_job(const SealContext& context, const ClientIdentity& client,
                                SealRequest request) {
    const audit::Entry base = job_entry(context, client, request, sha256_hex(request.document));

    // Policy, before any PDF work or key use.
    auto tenant_name = authorise_seal(context, request);
    if (!tenant_name) {
        if (tenant_name.error().code == Errc::unavailable) return std::unexpected(tenant_name.error());
        return refuse(context, base, tenant_name.error());
    }

    // The certificate the seal will carry must be valid now and not about to end.
    if (auto usable = check_usable(context.seal_key.validity, context.clock.now(), context.min_remaining_validity,
                                   "the seal key " + context.seal_key.id_hex);
        !usable) {
        return refuse(context, base, usable.error());
    }

    // Prepare the PDF.
    auto now = std::chrono::system_clock::now();
    pdf::PrepareRequest prepare_request;
    prepare_request.signing_time = now;
    prepare_request.contents_size = context.seal_key.signature_size;
    if (request.appearance) {
        prepare_request.appearance = std::move(request.appearance);
        prepare_request.appearance->lines = {"Cachet électronique", *tenant_name, seal_date(now)};
    }
    auto spooled = MemoryFile::create(request.document);
    if (!spooled) return std::unexpected(spooled.error());
    request.document = {};  // the spooled copy is the one that counts; free the other now
    auto prepared = pdf::prepare(spooled->path(), prepare_request);
    if (!prepared) return refuse(context, base, prepared.error());

    // The intended key use, with the digest it will sign, is on record before the key is
    // used: fail closed.
    audit::Entry intent = base;
    intent.event = "seal";
    intent.outcome = "intended";
    intent.signed_digest_sha256 = hex_encode(prepared->digest);
    auto recorded_intent = context.trail.record(intent);
    if (!recorded_intent) {
        return fail(Errc::unavailable, "the seal was not made: " + recorded_intent.error().message);
    }
    audit::Entry outcome = intent;
    outcome.intent_seq = recorded_intent->seq;

    // HSM signature over the CMS signed attributes, then the byte patch.
    auto finish_failed = [&](const Error& error) -> std::unexpected<Error> {
        outcome.outcome = "failed";
        outcome.reason = error.message;
        (void)context.trail.record(outcome);  // the intent keeps the key use on record anyway
        return std::unexpected(error);
    };
    auto cms = pdf::build_cades_signature(
        prepared->digest, context.seal_key.signer(),
        [&](std::span<const std::uint8_t> to_be_signed) {
            return context.token.sign(context.seal_key.id, to_be_signed);
        });
    if (!cms) return finish_failed(cms.error());
    if (auto embedded = pdf::embed(*prepared, *cms); !embedded) {
        return finish_failed(embedded.error());
    }

    outcome.outcome = "sealed";
    outcome.output_sha256 = sha256_hex(prepared->bytes);
    auto recorded = context.trail.record(outcome);
    if (!recorded) {
        // The key was used and the intent is on record, but the outcome is not: return no
        // document rather than one the log does not vouch for.
        return fail(Errc::unavailable, "the seal's outcome could not be recorded: " + recorded.error().message);
    }
    context.trail.checkpoint_if_due();

    SealResult result;
    result.key_id = context.seal_key.id_hex;
    result.certificate_sha256 = context.seal_key.certificate_sha256;
    result.digest_sha256 = outcome.signed_digest_sha256;
    result.audit_seq = recorded->seq;
    result.document = std::move(prepared->bytes);
    return result;
}

}  // namespace signet::daemon
