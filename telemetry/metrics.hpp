#pragma once
// The daemon's counters and latency histograms for GET /metrics (Prometheus text exposition
// format 0.0.4). One process-wide registry, like the Prometheus client libraries' default one:
// the stages it times (queue, PDF, HSM, audit) sit in modules that should not all be handed a
// metrics object to pass along.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "base/error.hpp"

namespace signet::daemon {

// Where a key-using job spends its time (issue 7: "latency histograms split into queue, PDF
// work, HSM, audit").
enum class Stage { queue, pdf, hsm, audit };

class Histogram {
public:
    static constexpr std::array<double, 14> bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                   0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
    void observe(std::chrono::nanoseconds duration);
    // `name{labels,le="..."} n` lines, then _sum and _count.
    std::string render(std::string_view name, std::string_view labels) const;

private:
    std::array<std::atomic<std::uint64_t>, bounds.size()> counts_{};  // per bucket, not cumulative
    std::atomic<std::uint64_t> overflow_{0};  // above the last bound
    std::atomic<std::uint64_t> sum_nanoseconds_{0};
};

class Metrics {
public:
    // A finished seal or sign job: `outcome` is "done" or the API error code that ended it.
    void job(std::string_view kind, std::string_view outcome);
    // An error answer, by its API code (every refusal and failure the API gives).
    void refusal(Errc code);
    void stage(Stage stage, std::chrono::nanoseconds duration);
    void hsm_error();

    std::string render() const;

private:
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> jobs_;  // guarded by mutex_
    std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(Errc::internal) + 1> refusals_{};
    std::array<Histogram, 4> stages_;
    std::atomic<std::uint64_t> hsm_errors_{0};
};

Metrics& metrics();

// Times a stage from construction to destruction.
class StageTimer {
public:
    explicit StageTimer(Stage stage) : stage_(stage), start_(std::chrono::steady_clock::now()) {}
    ~StageTimer() { metrics().stage(stage_, std::chrono::steady_clock::now() - start_); }
    StageTimer(const StageTimer&) = delete;
    StageTimer& operator=(const StageTimer&) = delete;

private:
    Stage stage_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace signet::daemon
