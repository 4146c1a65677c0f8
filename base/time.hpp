#pragma once
// Time: calendar dates of delegations ("YYYY-MM-DD", UTC days) and one clock
// object that the daemon and the tests share, so that a test can move time instead of waiting.

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace signet {

using Timestamp = std::chrono::sys_seconds;
using Date = std::chrono::year_month_day;

// "2026-10-01" → that date; nullopt for anything else (including 2026-02-30).
std::optional<Date> parse_date(std::string_view text);
std::string format_date(Date date);
// "2026-10-01T08:30:00Z"
std::string format_timestamp(Timestamp when);

// The UTC day `when` falls on.
Date day_of(Timestamp when);
// The first second after `date` (a delegation expiring on D is valid to the end of D, UTC).
Timestamp end_of(Date date);
// The same day one year later; 29 February becomes 28 February.
Date one_year_after(Date date);

class Clock {
public:
    virtual ~Clock() = default;
    virtual Timestamp now() const = 0;
};

class SystemClock final : public Clock {
public:
    Timestamp now() const override;
};

// A clock that only moves when told to: for tests.
class ManualClock final : public Clock {
public:
    explicit ManualClock(Timestamp start) : now_(start.time_since_epoch().count()) {}
    Timestamp now() const override { return Timestamp(std::chrono::seconds(now_.load())); }
    void set(Timestamp when) { now_ = when.time_since_epoch().count(); }
    void advance(std::chrono::seconds by) { now_ += by.count(); }

private:
    std::atomic<std::chrono::seconds::rep> now_;
};

}  // namespace signet
