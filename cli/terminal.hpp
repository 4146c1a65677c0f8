// What signetctl does differently on a terminal: a progress bar for long uploads, and a prompt
// for a one-time code that is not echoed.

#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "base/error.hpp"

namespace signet::daemon {

// Uploads above this show their progress.
inline constexpr std::size_t progress_threshold_bytes = 5 * 1000 * 1000;

// A progress bar on stderr, redrawn as (sent, total) bytes go out, for a body of `bytes` over
// the threshold when stderr is a terminal; empty otherwise (a script's log stays clean).
std::function<void(std::size_t, std::size_t)> upload_progress(std::size_t bytes);

// The progress bar's line for `sent` of `total` bytes, without the carriage return.
std::string progress_line(std::size_t sent, std::size_t total);

// A one-time code: on a terminal, asked with `prompt` on stderr and read without echo; else
// the first line of standard input (a script pipes it). Never from the command line, which other
// users of the machine can read in /proc.
Result<std::string> read_code(const std::string& prompt);

}  // namespace signet::daemon
