#include "server/job_pool.hpp"

#include <boost/asio/post.hpp>

#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"

namespace signet::daemon {

JobPool::JobPool(unsigned threads, unsigned max_queued)
    : pool_(threads), limit_(threads + max_queued) {}

JobPool::~JobPool() { drain(); }

bool JobPool::try_post(std::function<void()> job) {
    unsigned current = in_flight_.load();
    do {
        if (current >= limit_) return false;
    } while (!in_flight_.compare_exchange_weak(current, current + 1));
    auto queued = std::chrono::steady_clock::now();
    boost::asio::post(pool_, [this, job = std::move(job), queued, request_id = current_request_id()] {
        struct Done {
            std::atomic<unsigned>& count;
            ~Done() { count.fetch_sub(1); }
        } done{in_flight_};
        if (cancelled_) return;
        metrics().stage(Stage::queue, std::chrono::steady_clock::now() - queued);
        RequestScope scope(request_id);
        // An exception must not end the process from a pool thread (std::terminate). API
        // requests catch their own and answer 500 (router.cpp); this is for the rest.
        try {
            job();
        } catch (const std::exception& error) {
            log_error(std::string("a job failed with an exception: ") + error.what());
        }
    });
    return true;
}

void JobPool::drain() { pool_.join(); }

unsigned JobPool::in_flight() const { return in_flight_.load(); }

void JobPool::cancel_queued() { cancelled_ = true; }

}  // namespace signet::daemon
