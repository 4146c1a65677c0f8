#include "base/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace signet {

Result<Secret> read_secret_file(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return fail(Errc::invalid_config,
                    "cannot open the secret file " + path.string() + ": " + std::strerror(errno));
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        return fail(Errc::invalid_config, path.string() + " is not a regular file");
    }
    if ((info.st_mode & 077) != 0) {
        ::close(fd);
        return fail(Errc::invalid_config, path.string() +
                                              " is readable by group or others; make it 0600 or 0400");
    }
    Secret secret;
    std::string buffer(4096, '\0');
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    ::close(fd);
    if (n < 0) {
        explicit_bzero(buffer.data(), buffer.size());
        return fail(Errc::invalid_config, "cannot read " + path.string());
    }
    auto size = static_cast<std::size_t>(n);
    while (size > 0 && (buffer[size - 1] == '\n' || buffer[size - 1] == '\r')) --size;
    if (size == 0) return fail(Errc::invalid_config, path.string() + " is empty");
    // Secret wipes its whole capacity; the tail past `size` is already part of it.
    buffer.resize(size);
    return Secret(std::move(buffer));
}

Status write_secret_file(const std::filesystem::path& path, const Secret& secret) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return fail(Errc::conflict, "cannot create " + path.string() + ": " + std::strerror(errno));
    }
    std::string_view bytes = secret.reveal();
    bool ok = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
              ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return fail(Errc::unavailable, "cannot write " + path.string());
    return {};
}

}  // namespace signet
