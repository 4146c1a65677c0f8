#include "daemon/seal_job.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "audit/job_log.hpp"
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

template <class F>
auto locked(std::mutex& mutex, F&& work) {
    std::lock_guard lock(mutex);
    return work();
}

// The decision for document.seal. A refusal is recorded with its reason before it is returned.
// On success, the tenant's registered name, for the visible seal.
Result<std::string> authorise_seal(const SealContext& context, const audit::SealIntent& intent,
                                   const SealRequest& request) {
    std::lock_guard lock(context.db_mutex);
    auto view = Register(context.db).load(request.tenant);
    if (!view) return std::unexpected(view.error());
    const policy::TenantView* tenant = *view ? &**view : nullptr;
    auto decision = policy::decide_with_approval(context.matrix, tenant, request.actor,
                                                 "document.seal", request.approved_by,
                                                 context.clock.now());
    if (tenant == nullptr) decision.reason = "tenant " + request.tenant + " is not registered on signetd";
    if (decision.verdict == policy::Verdict::allow) return tenant->tenant.name;

    Error refusal{decision.verdict == policy::Verdict::approval_required ? Errc::approval_required
                                                                         : Errc::forbidden,
                  decision.reason};
    if (auto recorded = audit::record_refusal(context.db, intent, refusal.message); !recorded) {
        return fail(Errc::unavailable, "the refusal could not be recorded (" + recorded.error().message + ")");
    }
    return std::unexpected(refusal);
}

}  // namespace

Result<SealResult> run_seal_job(const SealContext& context, const ClientIdentity& client,
                                SealRequest request) {
    audit::SealIntent intent{client.fingerprint, request.tenant, request.actor,
                             request.approved_by.value_or(""), sha256_hex(request.document),
                             context.seal_key.id_hex};

    // Policy, before any PDF work or key use.
    auto tenant_name = authorise_seal(context, intent, request);
    if (!tenant_name) return std::unexpected(tenant_name.error());

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
    if (!prepared) {
        auto refused = locked(context.db_mutex, [&] {
            return audit::record_refusal(context.db, intent, prepared.error().message);
        });
        if (!refused) return std::unexpected(refused.error());
        return std::unexpected(prepared.error());
    }

    // The intended key use is on record before the key is used: fail closed.
    auto seq = locked(context.db_mutex, [&] { return audit::record_intent(context.db, intent); });
    if (!seq) {
        return fail(Errc::unavailable,
                    "the seal was not made because the audit record could not be written (" +
                        seq.error().message + ")");
    }

    // HSM signature over the CMS signed attributes, then the byte patch.
    auto finish_failed = [&](const Error& error) -> std::unexpected<Error> {
        auto recorded = locked(context.db_mutex, [&] {
            return audit::record_outcome(context.db, *seq, audit::Outcome::failed, "",
                                         error.message);
        });
        (void)recorded;  // the job failed already; the intent row keeps the key use on record
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

    SealResult result;
    result.key_id = context.seal_key.id_hex;
    result.certificate_sha256 = context.seal_key.certificate_sha256;
    result.digest_sha256 = hex_encode(prepared->digest);
    result.audit_seq = *seq;
    std::string output_sha256 = sha256_hex(prepared->bytes);
    result.document = std::move(prepared->bytes);

    auto recorded = locked(context.db_mutex, [&] {
        return audit::record_outcome(context.db, *seq, audit::Outcome::sealed, output_sha256, "");
    });
    if (!recorded) {
        // The key was used and the intent is on record, but the outcome is not: return no
        // document rather than one the log does not vouch for.
        return fail(Errc::unavailable,
                    "the seal's outcome could not be recorded (" + recorded.error().message + ")");
    }
    return result;
}

}  // namespace signet::daemon
