#include "base/time.hpp"

#include <charconv>
#include <cstdio>

namespace signet {
namespace {

std::optional<int> digits(std::string_view text) {
    int value = 0;
    for (char ch : text) {
        if (ch < '0' || ch > '9') return std::nullopt;
        value = value * 10 + (ch - '0');
    }
    return value;
}

}  // namespace

std::optional<Date> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    auto year = digits(text.substr(0, 4));
    auto month = digits(text.substr(5, 2));
    auto day = digits(text.substr(8, 2));
    if (!year || !month || !day) return std::nullopt;
    Date date{std::chrono::year(*year), std::chrono::month(static_cast<unsigned>(*month)),
              std::chrono::day(static_cast<unsigned>(*day))};
    if (!date.ok()) return std::nullopt;
    return date;
}

std::string format_date(Date date) {
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    return text;
}

std::string format_timestamp(Timestamp when) {
    auto day = std::chrono::floor<std::chrono::days>(when);
    std::chrono::hh_mm_ss time{when - day};
    char text[64];
    std::snprintf(text, sizeof text, "T%02ld:%02ld:%02ldZ", static_cast<long>(time.hours().count()),
                  static_cast<long>(time.minutes().count()),
                  static_cast<long>(time.seconds().count()));
    return format_date(Date{day}) + text;
}

Date day_of(Timestamp when) { return Date{std::chrono::floor<std::chrono::days>(when)}; }

Timestamp end_of(Date date) {
    return Timestamp(std::chrono::sys_days(date) + std::chrono::days(1));
}

Date one_year_after(Date date) {
    Date next = date.year() / date.month() / date.day() + std::chrono::years(1);
    if (!next.ok()) next = next.year() / next.month() / std::chrono::last;
    return next;
}

Timestamp SystemClock::now() const {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace signet
