#include "telemetry/log.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace signet::daemon {
namespace {

thread_local std::string request_id;

std::string utc_now() {
    auto now = std::chrono::system_clock::now();
    std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[40];
    std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(millis));
    return text;
}

// Under systemd, stderr is a journal stream ($JOURNAL_STREAM is set, systemd.exec(5)): an
// sd-daemon(3) priority prefix makes journald file each line as info or error, and it strips
// the prefix, so the journal still holds one JSON object per line. Elsewhere the prefix would
// only break the JSON.
bool to_journal() {
    static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
    return journal;
}

void write_line(bool error, nlohmann::json line) {
    std::string text = to_journal() ? (error ? "<3>" : "<6>") : "";
    // Messages quote file names and library errors: bytes that are not UTF-8 are replaced, not
    // allowed to throw out of a log call.
    text += line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text += '\n';
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

}  // namespace

void log_fields(bool error, std::string_view message, nlohmann::json fields) {
    nlohmann::json line = {{"time", utc_now()}, {"level", error ? "error" : "info"}, {"message", message}};
    if (!request_id.empty()) line["request_id"] = request_id;
    if (fields.is_object()) {
        for (auto& [key, value] : fields.items()) line[key] = std::move(value);
    }
    write_line(error, std::move(line));
}

void log_info(std::string_view message) { log_fields(false, message, nullptr); }
void log_error(std::string_view message) { log_fields(true, message, nullptr); }

std::string new_request_id() {
    unsigned char bytes[8] = {};
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        // Ids correlate log lines; they protect nothing, so a clock-based one will do.
        auto ticks = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        for (auto& byte : bytes) {
            byte = static_cast<unsigned char>(ticks);
            ticks >>= 8;
        }
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string id;
    for (unsigned char byte : bytes) {
        id += digits[byte >> 4];
        id += digits[byte & 0xF];
    }
    return id;
}

RequestScope::RequestScope(std::string id) : previous_(std::exchange(request_id, std::move(id))) {}
RequestScope::~RequestScope() { request_id = std::move(previous_); }

const std::string& current_request_id() { return request_id; }

}  // namespace signet::daemon
