// signet-pdf-worker: prepares PDFs for WorkerPool, one job at a time, in a process that holds
// no key, no PIN, no database and no listening socket (DESIGN.md: the daemon that holds the HSM
// session never parses a PDF). It reads jobs from fd 3 (worker::socket_fd) until the parent
// closes it; a crash, a limit or the parent's deadline ends it, and the pool starts another.
//
// argv: signet-pdf-worker <address space bytes, 0 = unlimited> <CPU seconds per job>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
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

// The document goes straight from the socket into a memfd, in pieces, so the worker never
// holds it twice; PoDoFo then reads it as a file (NOTES: ~2.4x faster than from a buffer).
Result<UniqueFd> receive_document(int socket) {
    std::uint64_t length = 0;
    SIGNET_TRY(length, worker::receive_length(socket, worker::max_document_bytes,
                                              worker::no_deadline));
    UniqueFd file(::memfd_create("signet-document", MFD_CLOEXEC));
    if (!file) return fail(Errc::internal, "cannot create an in-memory file for the document");
    std::vector<std::uint8_t> piece(std::size_t{1} << 16);
    while (length > 0) {
        auto part = std::span(piece).first(static_cast<std::size_t>(
            std::min<std::uint64_t>(length, piece.size())));
        SIGNET_CHECK(worker::receive_exact(socket, part, worker::no_deadline));
        for (std::size_t written = 0; written < part.size();) {
            ssize_t n = ::write(file.get(), part.data() + written, part.size() - written);
            if (n <= 0) return fail(Errc::internal, "cannot spool the document to memory");
            written += static_cast<std::size_t>(n);
        }
        length -= part.size();
    }
    return file;
}

// One job. A failure of the wire ends the worker (its parent is gone or broken); a failure of
// the document is a reply.
Status serve_one(int socket, unsigned cpu_seconds) {
    std::vector<std::uint8_t> header;
    SIGNET_TRY(header, worker::receive_frame(socket, worker::max_header_bytes, worker::no_deadline));
    UniqueFd document;
    SIGNET_TRY(document, receive_document(socket));
    SIGNET_CHECK(worker::limit_cpu_for_next_job(cpu_seconds));

    auto result = [&]() -> Result<PreparedDocument> {
        PrepareRequest request;
        SIGNET_TRY(request, worker::decode_request(header));
        return prepare("/proc/self/fd/" + std::to_string(document.get()), request);
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
    if (hardened) hardened = worker::install_syscall_filter();
    if (!hardened) {
        std::fprintf(stderr, "signet-pdf-worker: %s\n", hardened.error().message.c_str());
        return 3;
    }
    // Tells the parent the sandbox is in place before it sends any document.
    if (!worker::send_frame(worker::socket_fd, {}, worker::no_deadline)) return 0;
    while (serve_one(worker::socket_fd, static_cast<unsigned>(cpu_seconds))) {
    }
    return 0;
}
