// signet-pdf-worker: prepares one PDF for WorkerPool, in a process that holds no key, no PIN,
// no database and no listening socket (DESIGN.md: the daemon that holds the HSM session never
// parses a PDF), then exits: a worker that a document took over never sees another client's.
// It reads its job from fd 3 (worker::socket_fd); a crash, a limit or the parent's deadline
// ends it early, and the pool starts another either way.
//
// argv: signet-pdf-worker <address space bytes, 0 = unlimited> <CPU seconds per job>

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "pdf/prepare.hpp"
#include "pdf/unique_fd.hpp"
#include "pdf/worker_protocol.hpp"
#include "pdf/worker_sandbox.hpp"

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
    const std::string blank = blank_document();
    PrepareRequest request;
    request.contents_size = 64;
    request.signing_time = std::chrono::system_clock::now();
    request.appearance = Appearance{1, {10, 10, 190, 60}, {"warm-up", "é"}};
    auto prepared = prepare(std::span(reinterpret_cast<const std::uint8_t*>(blank.data()), blank.size()), request);
    if (!prepared) return std::unexpected(prepared.error().with_context("the worker's warm-up document"));
    return {};
}

// One job. A failure of the wire ends the worker (its parent is gone or broken); a failure of
// the document is a reply.
Status serve_one(int socket, unsigned cpu_seconds) {
    std::vector<std::uint8_t> header;
    SIGNET_TRY(header, worker::receive_frame(socket, worker::max_header_bytes, worker::no_deadline));
    std::vector<std::uint8_t> document;
    SIGNET_TRY(document, worker::receive_frame(socket, worker::max_document_bytes, worker::no_deadline));
    SIGNET_CHECK(worker::limit_cpu_for_next_job(cpu_seconds));

    auto result = [&]() -> Result<PreparedDocument> {
        PrepareRequest request;
        SIGNET_TRY(request, worker::decode_request(header));
        return prepare(document, request);
    }();
    SIGNET_CHECK(worker::send_frame(socket, worker::encode_reply(result), worker::no_deadline));
    if (result) SIGNET_CHECK(worker::send_frame(socket, result->bytes, worker::no_deadline));
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t address_space = 0;
    std::size_t cpu_seconds = 0;
    if (argc != 3 || !parse_number(argv[1], address_space) || !parse_number(argv[2], cpu_seconds) ||
        cpu_seconds == 0 || cpu_seconds > 3600) {
        std::fputs("usage: signet-pdf-worker <address space bytes> <cpu seconds per job>\n"
                   "(started by signetd, with its job socket on fd 3)\n",
                   stderr);
        return 2;
    }
    auto hardened = worker::restrict_process(worker::socket_fd, {address_space});
    // stderr is signetd's log: after set-up a worker has nothing to say there, and one that a
    // document took over must not write lines into the journal. Set-up failures still go to
    // the log, through a copy kept until the filter is in place.
    UniqueFd report(::dup(STDERR_FILENO));
    UniqueFd quiet(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (hardened && (!report || !quiet || ::dup2(quiet.get(), STDERR_FILENO) < 0)) {
        hardened = fail(Errc::internal, "cannot point stderr at /dev/null");
    }
    quiet.reset();
    // Libraries that open files on first use (glibc's zone file for PoDoFo's /ModDate,
    // OpenSSL's configuration for the digests PoDoFo takes) do it now, on a document of our
    // own, so that the filter below needs no openat for them.
    if (hardened) hardened = warm_up();
    if (hardened) hardened = worker::install_syscall_filter();
    if (!hardened) {
        ::dprintf(report ? report.get() : STDERR_FILENO, "signet-pdf-worker: %s\n", hardened.error().message.c_str());
        return 3;
    }
    report.reset();
    // Tells the parent the sandbox is in place before it sends any document.
    if (!worker::send_frame(worker::socket_fd, {}, worker::no_deadline)) return 0;
    return serve_one(worker::socket_fd, static_cast<unsigned>(cpu_seconds)) ? 0 : 1;
}
