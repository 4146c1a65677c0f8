#pragma once
// Threads for blocking work (HSM, PDF, SQLite) off the I/O threads, with a bound on the jobs
// waiting or running: a full pool refuses new work (the API answers 503 with Retry-After)
// instead of growing memory.

#include <atomic>
#include <functional>

#include <boost/asio/thread_pool.hpp>

namespace signet::daemon {

class JobPool {
public:
    JobPool(unsigned threads, unsigned max_queued);
    ~JobPool();
    JobPool(const JobPool&) = delete;
    JobPool& operator=(const JobPool&) = delete;

    // Runs `job` on a pool thread; false (and `job` dropped) when the pool is full.
    bool try_post(std::function<void()> job);
    // Waits for the jobs already posted, then stops the threads.
    void drain();
    // Jobs waiting or running.
    unsigned in_flight() const;
    // Jobs that have not started yet will not run (the stop, after its drain timeout).
    void cancel_queued();

private:
    boost::asio::thread_pool pool_;
    unsigned limit_;
    std::atomic<unsigned> in_flight_{0};
    std::atomic<bool> cancelled_{false};
};

}  // namespace signet::daemon
