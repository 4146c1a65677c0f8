#include "cli/terminal.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace signet::daemon {

std::string progress_line(std::size_t sent, std::size_t total) {
    constexpr int width = 30;
    const double done = total == 0 ? 1.0 : static_cast<double>(sent) / static_cast<double>(total);
    const int filled = static_cast<int>(done * width);
    char text[128];
    std::snprintf(text, sizeof text, "sending [%-*s] %3d%% %.1f/%.1f MB", width, std::string(static_cast<std::size_t>(filled), '#').c_str(),
                  static_cast<int>(done * 100), static_cast<double>(sent) / 1e6, static_cast<double>(total) / 1e6);
    return text;
}

std::function<void(std::size_t, std::size_t)> upload_progress(std::size_t bytes) {
    if (bytes <= progress_threshold_bytes || ::isatty(STDERR_FILENO) != 1) return {};
    return [](std::size_t sent, std::size_t total) {
        std::cerr << "\r" << progress_line(sent, total) << (sent == total ? "\n" : "") << std::flush;
    };
}

Result<std::string> read_code(const std::string& prompt) {
    std::string code;
    if (::isatty(STDIN_FILENO) != 1) {
        if (!std::getline(std::cin, code)) return fail(Errc::bad_request, "no code on standard input");
        return code;
    }
    std::cerr << prompt << std::flush;
    termios saved{};
    const bool quiet = ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (quiet) {
        termios silent = saved;
        silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &silent);
    }
    const bool read = static_cast<bool>(std::getline(std::cin, code));
    if (quiet) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
    if (!read) return fail(Errc::bad_request, "no code was typed");
    return code;
}

}  // namespace signet::daemon
