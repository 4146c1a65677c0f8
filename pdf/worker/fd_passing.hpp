#pragma once
// Descriptors passed over a Unix socket (SCM_RIGHTS, unix(7)): how signetd hands the fork
// server the job socket of each new worker, and a worker its document.

#include <cstdint>
#include <span>

#include "base/unique_fd.hpp"
#include "base/error.hpp"

namespace signet::pdf {

// Sends `fd` with one byte of data. Errc::unavailable when the peer is gone.
Status send_fd(int socket, int fd);
// Waits for a descriptor sent by send_fd (close-on-exec in this process). Errc::unavailable
// when the peer closed the socket or sent something else.
Result<UniqueFd> receive_fd(int socket);

// A memfd holding `bytes`, sealed against any change of size or content (memfd_create(2),
// F_SEAL_*), so that whoever it is passed to can map it but not alter what signetd hashes.
// Copying into it costs a fraction of what the same bytes cost through a socket.
Result<UniqueFd> sealed_memory_file(std::span<const std::uint8_t> bytes);

}  // namespace signet::pdf
