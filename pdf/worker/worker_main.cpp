// signet-pdf-worker: the fork server of WorkerPool (fork_server.hpp) and the workers it makes.
// Neither holds a key, a PIN, a database or a listening socket (DESIGN.md: the daemon that
// holds the HSM session never parses a PDF). The server sets up its sandbox once, warms the
// libraries up, then for each job socket signetd sends on fd 3 (worker::socket_fd) it clones
// a worker that loads the stricter worker filter and serves jobs in turn on it, up to the jobs
// per worker, then exits; signetd replaces it at any failure. The server never sees a document,
// and no worker ever holds a key, a PIN or a database handle (docs/decisions.md). A
// crash, a limit or the parent's deadline ends a worker early, and the pool makes another.
//
// argv: signet-pdf-worker <address space bytes, 0 = unlimited> <CPU seconds per job> <jobs per worker>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <malloc.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <charconv>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <cstdio>
#include <string>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "pdf/worker/fd_passing.hpp"
#include "pdf/ltv/dss.hpp"
#include "pdf/ltv/signatures.hpp"
#include "pdf/prepare.hpp"
#include "pdf/form/embedded_font.hpp"
#include "base/unique_fd.hpp"
#include "pdf/worker/worker_protocol.hpp"
#include "pdf/worker/worker_sandbox.hpp"

namespace {

using namespace signet;
using namespace signet::pdf;

bool parse_number(std::string_view text, std::size_t& value) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc{} && end == text.data() + text.size();
}

// A one-page document with its cross-reference table (ISO 32000-1 §7.5.4).
std::string blank_document() {
    const char* objects[] = {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                             "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"};
    std::string pdf = "%PDF-1.4\n";
    std::string xref = "xref\n0 4\n0000000000 65535 f \n";
    for (int i = 0; i < 3; ++i) {
        char entry[24];
        std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", pdf.size());
        xref += entry;
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    std::size_t at = pdf.size();
    return pdf + xref + "trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n" + std::to_string(at) + "\n%%EOF\n";
}

Status warm_up() {
    // The appearance font is read now: a sandboxed worker opens no file.
    if (auto font = appearance_font_file(); !font) return std::unexpected(font.error());
    const std::string blank = blank_document();
    PrepareRequest request;
    request.contents_size = 64;
    request.signing_time = std::chrono::system_clock::now();
    request.appearance = box_at(1, {10, 10, 190, 60}, {"warm-up", "é"});
    const std::span document(reinterpret_cast<const std::uint8_t*>(blank.data()), blank.size());
    auto prepared = prepare(document, request);
    if (!prepared) return std::unexpected(prepared.error().with_context("the worker's warm-up document"));
    // The DSS and the signature list too: OpenSSL loads its configuration and providers on
    // first use, which the sandbox would refuse (no files) once it is in place.
    ValidationData data;
    data.vri_key = vri_key(document);
    data.certificates = {{0x30, 0x00}};
    data.time = std::chrono::system_clock::now();
    auto dss = dss_update(document, std::span(&data, 1));
    if (!dss) return std::unexpected(dss.error().with_context("the worker's warm-up DSS"));
    auto fields = list_signatures(document);
    if (!fields) return std::unexpected(fields.error().with_context("the worker's warm-up signature list"));
    return {};
}

// The document signetd sent as a sealed memfd, read into `buffer`, which the worker keeps from
// one job to the next: mapping the memfd instead cost a page fault per 4 KiB and, at unmap, a
// TLB shootdown on every CPU the worker had run on (docs/performance.md, issue 19).
Result<std::span<const std::uint8_t>> read_document(int fd, std::vector<std::uint8_t>& buffer) {
    struct stat status {};
    if (::fstat(fd, &status) != 0 || status.st_size < 0 ||
        static_cast<std::uint64_t>(status.st_size) > worker::max_document_bytes) {
        return fail(Errc::unavailable, "the document's memfd has no usable size");
    }
    const auto size = static_cast<std::size_t>(status.st_size);
    // The description is signetd's, its offset where signetd's write left it.
    if (::lseek(fd, 0, SEEK_SET) != 0) return fail(Errc::unavailable, "the document's memfd cannot be rewound");
    if (buffer.size() < size) buffer.resize(size);
    for (std::size_t done = 0; done < size;) {
        const ssize_t got = ::read(fd, buffer.data() + done, size - done);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return fail(Errc::unavailable, "the document's memfd cannot be read");
        done += static_cast<std::size_t>(got);
    }
    return std::span<const std::uint8_t>(buffer.data(), size);
}

// A document larger than this does not keep its buffer for the next job: an idle worker holds
// little memory.
constexpr std::size_t kept_buffer_bytes = std::size_t{16} << 20;

// The last logo a worker decoded: a worker serves one tenant, whose every visible box shows
// the same logo, and a large PNG takes longer to decode than the document to prepare.
struct LogoCache {
    std::vector<std::uint8_t> file;
    std::shared_ptr<const image::LogoImage> logo;

    Result<std::shared_ptr<const image::LogoImage>> get(std::vector<std::uint8_t> bytes) {
        if (logo && bytes == file) return logo;
        logo.reset();
        image::LogoImage decoded;
        SIGNET_TRY(decoded, image::decode_logo(bytes));
        file = std::move(bytes);
        logo = std::make_shared<const image::LogoImage>(std::move(decoded));
        return logo;
    }
};

// What check_logo finds: the logo decoded as a box would need it.
Result<worker::LogoInfo> check_logo(std::span<const std::uint8_t> bytes) {
    image::LogoImage logo;
    SIGNET_TRY(logo, image::decode_logo(bytes));
    return worker::LogoInfo{logo.format, logo.width, logo.height};
}

// One job. A failure of the wire ends the worker (its parent is gone or broken); a failure of
// the document is a reply.
Status serve_one(int socket, unsigned cpu_seconds, std::vector<std::uint8_t>& buffer, LogoCache& logos) {
    std::vector<std::uint8_t> header;
    SIGNET_TRY(header, worker::receive_frame(socket, worker::max_header_bytes, worker::no_deadline));
    worker::JobKind kind = worker::JobKind::prepare;
    SIGNET_TRY(kind, worker::decode_kind(header));
    bool has_payload = false;
    SIGNET_TRY(has_payload, worker::expects_payload(header));
    std::vector<std::uint8_t> payload;  // add_dss's validation data, or a prepare's logo
    if (has_payload) {
        const std::size_t limit = kind == worker::JobKind::add_dss ? worker::max_validation_bytes : image::max_logo_bytes;
        SIGNET_TRY(payload, worker::receive_frame(socket, limit, worker::no_deadline));
    }
    UniqueFd file;
    SIGNET_TRY(file, receive_fd(socket));
    std::span<const std::uint8_t> document;
    SIGNET_TRY(document, read_document(file.get(), buffer));
    file.reset();
    SIGNET_CHECK(worker::limit_cpu_for_next_job(cpu_seconds));

    switch (kind) {
        case worker::JobKind::prepare: {
            auto result = [&]() -> Result<PreparedDocument> {
                PrepareRequest request;
                bool has_logo = false;
                SIGNET_TRY(request, worker::decode_request(header, has_logo));
                if (has_logo) SIGNET_TRY(request.appearance->logo, logos.get(std::move(payload)));
                return prepare_update(document, request);
            }();
            SIGNET_CHECK(worker::send_frame(socket, worker::encode_reply(result), worker::no_deadline));
            // The update alone: the parent has the original (worker_protocol.hpp).
            if (result) SIGNET_CHECK(worker::send_frame(socket, result->update, worker::no_deadline));
            return {};
        }
        case worker::JobKind::add_dss: {
            auto result = [&]() -> Result<std::vector<std::uint8_t>> {
                std::vector<ValidationData> data;
                SIGNET_TRY(data, worker::decode_validation_data(payload));
                return dss_update(document, data);
            }();
            SIGNET_CHECK(worker::send_frame(socket, worker::encode_update_reply(result), worker::no_deadline));
            if (result) SIGNET_CHECK(worker::send_frame(socket, *result, worker::no_deadline));
            return {};
        }
        case worker::JobKind::list_signatures:
            return worker::send_frame(socket, worker::encode_fields_reply(list_signatures(document)),
                                      worker::no_deadline);
        case worker::JobKind::add_fields: {
            auto result = [&]() -> Result<std::vector<std::uint8_t>> {
                std::vector<FieldRequest> fields;
                SIGNET_TRY(fields, worker::decode_fields_request(header));
                return add_signature_fields(document, fields);
            }();
            SIGNET_CHECK(worker::send_frame(socket, worker::encode_update_reply(result), worker::no_deadline));
            if (result) SIGNET_CHECK(worker::send_frame(socket, *result, worker::no_deadline));
            return {};
        }
        case worker::JobKind::check_logo:
            return worker::send_frame(socket, worker::encode_logo_reply(check_logo(document)), worker::no_deadline);
    }
    return fail(Errc::internal, "unknown job kind");
}

// A worker: its own filter on top of the server's, then up to `jobs` jobs on `socket`.
[[noreturn]] void run_worker(int socket, const worker::SyscallFilter& filter, unsigned cpu_seconds, unsigned jobs) {
    ::close(worker::socket_fd);  // the server's line to signetd is not the worker's business
    if (!filter.install()) ::_exit(3);
    // Tells the parent the sandbox is in place before it sends any document.
    if (!worker::send_frame(socket, {}, worker::no_deadline)) ::_exit(0);
    std::vector<std::uint8_t> buffer;
    LogoCache logos;
    for (unsigned served = 0; served < jobs; ++served) {
        if (!serve_one(socket, cpu_seconds, buffer, logos)) ::_exit(1);
        if (buffer.size() > kept_buffer_bytes) std::vector<std::uint8_t>().swap(buffer);
    }
    ::_exit(0);
}

// Answers each job socket from signetd with the pid of a worker cloned to serve it, until
// signetd closes the line.
int serve_forks(const worker::SyscallFilter& worker_filter, unsigned cpu_seconds, unsigned jobs) {
    for (;;) {
        auto job = receive_fd(worker::socket_fd);
        if (!job) return 0;
        // CLONE_PARENT: the worker is signetd's child, which waits for it, kills it and reads
        // its exit status and peak memory itself. The raw system call because glibc's fork()
        // has no such flag; the server is single-threaded, so no lock is held across it.
        long pid = ::syscall(SYS_clone, CLONE_PARENT | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
        if (pid == 0) run_worker(job->get(), worker_filter, cpu_seconds, jobs);
        std::int32_t answer = pid > 0 ? static_cast<std::int32_t>(pid) : -errno;
        auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(&answer), sizeof answer);
        if (!worker::send_frame(worker::socket_fd, bytes, worker::no_deadline)) return 0;
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t address_space = 0;
    std::size_t cpu_seconds = 0;
    std::size_t jobs = 0;
    if (argc != 4 || !parse_number(argv[1], address_space) || !parse_number(argv[2], cpu_seconds) ||
        cpu_seconds == 0 || cpu_seconds > 3600 || !parse_number(argv[3], jobs) || jobs == 0 || jobs > 100000) {
        std::fputs("usage: signet-pdf-worker <address space bytes> <cpu seconds per job> <jobs per worker>\n"
                   "(started by signetd, with its control socket on fd 3)\n",
                   stderr);
        return 2;
    }
    // A worker serves many documents: PoDoFo's objects and our buffers come back from the heap
    // each time instead of from fresh mappings, whose faults and unmapping (a TLB shootdown on
    // each CPU) cost more than parsing a 100 KB document (docs/performance.md, issue 19).
    ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
    ::mallopt(M_TRIM_THRESHOLD, 64 << 20);
    auto hardened = worker::restrict_process(worker::socket_fd, {address_space});
    // stderr is signetd's log: after set-up neither the server nor a worker has anything to
    // say there, and one that a document took over must not write lines into the journal.
    // Set-up failures still go to the log, through a copy kept until the filter is in place.
    UniqueFd report(::dup(STDERR_FILENO));
    UniqueFd quiet(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (hardened && (!report || !quiet || ::dup2(quiet.get(), STDERR_FILENO) < 0)) {
        hardened = fail(Errc::internal, "cannot point stderr at /dev/null");
    }
    quiet.reset();
    // Libraries that open files on first use (glibc's zone file for PoDoFo's /ModDate,
    // OpenSSL's configuration for the digests PoDoFo takes) do it now, on a document of our
    // own, so that the filters below need no openat for them; every worker inherits the
    // warmed-up libraries.
    if (hardened) hardened = warm_up();
    // Both filters are built before either is loaded: building one needs calls neither allows.
    auto worker_filter = worker::SyscallFilter::for_worker();
    auto server_filter = worker::SyscallFilter::for_fork_server();
    if (hardened && !worker_filter) hardened = std::unexpected(worker_filter.error());
    if (hardened && !server_filter) hardened = std::unexpected(server_filter.error());
    if (hardened) hardened = server_filter->install();
    if (!hardened) {
        ::dprintf(report ? report.get() : STDERR_FILENO, "signet-pdf-worker: %s\n", hardened.error().message.c_str());
        return 3;
    }
    report.reset();
    // Tells the parent the server is ready for job sockets.
    if (!worker::send_frame(worker::socket_fd, {}, worker::no_deadline)) return 0;
    return serve_forks(*worker_filter, static_cast<unsigned>(cpu_seconds), static_cast<unsigned>(jobs));
}
