#include "daemon/log.hpp"

#include <cstdio>
#include <mutex>
#include <string>

namespace signet::daemon {
namespace {

void write_line(const char* level, std::string_view message) {
    static std::mutex mutex;
    std::string line = std::string(level) + std::string(message) + "\n";
    std::lock_guard lock(mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace

// "<6>" and "<3>" are sd-daemon(3) priority prefixes: journald files the lines as info/error.
void log_info(std::string_view message) { write_line("<6>", message); }
void log_error(std::string_view message) { write_line("<3>", message); }

}  // namespace signet::daemon
