#include "telemetry/metrics.hpp"

#include <cstdio>

namespace signet::daemon {
namespace {

std::string number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.9g", value);
    return text;
}

constexpr std::array<std::string_view, 4> stage_names{"queue", "pdf", "hsm", "audit"};

}  // namespace

void Histogram::observe(std::chrono::nanoseconds duration) {
    double seconds = std::chrono::duration<double>(duration).count();
    std::size_t i = 0;
    while (i < bounds.size() && seconds > bounds[i]) ++i;
    (i < bounds.size() ? counts_[i] : overflow_).fetch_add(1, std::memory_order_relaxed);
    sum_nanoseconds_.fetch_add(static_cast<std::uint64_t>(duration.count()), std::memory_order_relaxed);
}

std::string Histogram::render(std::string_view name, std::string_view labels) const {
    std::string out;
    std::string prefix = std::string(name) + "_bucket{" + std::string(labels) + (labels.empty() ? "" : ",");
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        cumulative += counts_[i].load(std::memory_order_relaxed);
        out += prefix + "le=\"" + number(bounds[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    // +Inf and _count from the same reads as the buckets, so that a scrape during an update
    // never shows a bucket above +Inf.
    std::uint64_t count = cumulative + overflow_.load(std::memory_order_relaxed);
    out += prefix + "le=\"+Inf\"} " + std::to_string(count) + "\n";
    std::string braces = labels.empty() ? "" : "{" + std::string(labels) + "}";
    out += std::string(name) + "_sum" + braces + " " +
           number(static_cast<double>(sum_nanoseconds_.load(std::memory_order_relaxed)) / 1e9) + "\n";
    out += std::string(name) + "_count" + braces + " " + std::to_string(count) + "\n";
    return out;
}

void Metrics::job(std::string_view kind, std::string_view outcome) {
    std::lock_guard lock(mutex_);
    ++jobs_[{std::string(kind), std::string(outcome)}];
}

void Metrics::refusal(Errc code) { refusals_[static_cast<std::size_t>(code)].fetch_add(1, std::memory_order_relaxed); }

void Metrics::stage(Stage stage, std::chrono::nanoseconds duration) {
    stages_[static_cast<std::size_t>(stage)].observe(duration);
}

void Metrics::hsm_error() { hsm_errors_.fetch_add(1, std::memory_order_relaxed); }

std::string Metrics::render() const {
    std::string out = "# HELP signet_jobs_total Seal and signature jobs by outcome (done, or the API error code).\n"
                      "# TYPE signet_jobs_total counter\n";
    {
        std::lock_guard lock(mutex_);
        for (const auto& [labels, count] : jobs_) {
            out += "signet_jobs_total{kind=\"" + labels.first + "\",outcome=\"" + labels.second + "\"} " +
                   std::to_string(count) + "\n";
        }
    }
    out += "# HELP signet_refusals_total Error answers by API error code.\n"
           "# TYPE signet_refusals_total counter\n";
    for (std::size_t i = 0; i < refusals_.size(); ++i) {
        out += "signet_refusals_total{reason=\"" + std::string(to_string(static_cast<Errc>(i))) + "\"} " +
               std::to_string(refusals_[i].load(std::memory_order_relaxed)) + "\n";
    }
    out += "# HELP signet_stage_seconds Time spent per stage of a job: waiting in the queue, PDF work in a "
           "worker, HSM signature, audit log writes.\n"
           "# TYPE signet_stage_seconds histogram\n";
    for (std::size_t i = 0; i < stages_.size(); ++i) {
        out += stages_[i].render("signet_stage_seconds", "stage=\"" + std::string(stage_names[i]) + "\"");
    }
    out += "# HELP signet_hsm_errors_total HSM operations of jobs that failed.\n"
           "# TYPE signet_hsm_errors_total counter\n"
           "signet_hsm_errors_total " + std::to_string(hsm_errors_.load(std::memory_order_relaxed)) + "\n";
    return out;
}

Metrics& metrics() {
    static Metrics registry;
    return registry;
}

}  // namespace signet::daemon
