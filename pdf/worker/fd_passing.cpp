#include "pdf/worker/fd_passing.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace signet::pdf {
namespace {

Error wire_error(const std::string& what, int error) {
    return Error{Errc::unavailable, what + ": " + std::generic_category().message(error)};
}

// One byte of data and room for exactly one descriptor, aligned as CMSG_* expect.
struct OneDescriptor {
    char byte = 'F';
    iovec data{&byte, 1};
    msghdr message{};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))]{};

    OneDescriptor() {
        message.msg_iov = &data;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof control;
    }
    OneDescriptor(const OneDescriptor&) = delete;
    OneDescriptor& operator=(const OneDescriptor&) = delete;
};

}  // namespace

Status send_fd(int socket, int fd) {
    OneDescriptor sent_message;
    msghdr& message = sent_message.message;
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &fd, sizeof(int));
    ssize_t sent = -1;
    do {
        sent = ::sendmsg(socket, &message, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent != 1) return std::unexpected(wire_error("sending a descriptor", sent < 0 ? errno : EPIPE));
    return {};
}

Result<UniqueFd> receive_fd(int socket) {
    OneDescriptor received;
    msghdr& message = received.message;
    ssize_t got = -1;
    do {
        got = ::recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
    } while (got < 0 && errno == EINTR);
    if (got < 0) return std::unexpected(wire_error("receiving a descriptor", errno));
    if (got == 0) return fail(Errc::unavailable, "the peer closed the socket");
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    // A truncated control message would have closed descriptors we never saw: refuse it.
    if ((message.msg_flags & MSG_CTRUNC) != 0 || header == nullptr || header->cmsg_level != SOL_SOCKET ||
        header->cmsg_type != SCM_RIGHTS || header->cmsg_len != CMSG_LEN(sizeof(int))) {
        return fail(Errc::unavailable, "the peer sent no descriptor");
    }
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(header), sizeof(int));
    return UniqueFd(fd);
}

Result<UniqueFd> sealed_memory_file(std::span<const std::uint8_t> bytes) {
    UniqueFd file(::memfd_create("signet-document", MFD_CLOEXEC | MFD_ALLOW_SEALING));
    if (!file) return std::unexpected(wire_error("memfd_create", errno));
    while (!bytes.empty()) {
        ssize_t written = ::write(file.get(), bytes.data(), bytes.size());
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return std::unexpected(wire_error("writing the document to memory", written < 0 ? errno : EIO));
        bytes = bytes.subspan(static_cast<std::size_t>(written));
    }
    if (::fcntl(file.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
        return std::unexpected(wire_error("sealing the document's memfd", errno));
    }
    return file;
}

}  // namespace signet::pdf
