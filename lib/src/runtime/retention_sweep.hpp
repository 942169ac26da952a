// Retention: a coroutine that removes, every sweep interval, the runs that ended longer ago than
// the retention period, with their jobs, results and screenshots (the store does the removing, in
// steps that do not stall other writes), and the answers kept for Idempotency-Keys that are past
// their lifetime. A sweep that fails is logged and tried again at the next
// interval; the server goes on either way.
#pragma once

#include <asyncscrape/store.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>

namespace asyncscrape {

struct RetentionSweepState;  // what the sweeping coroutine shares with its owner

class RetentionSweep {
  public:
    // Starts sweeping `store`, which must outlive the sweep or see stop() first.
    RetentionSweep(boost::asio::any_io_executor executor, Store& store,
                   std::chrono::seconds retention, std::chrono::milliseconds interval);
    // Stops the sweep if stop() has not.
    ~RetentionSweep();
    RetentionSweep(const RetentionSweep&) = delete;
    RetentionSweep& operator=(const RetentionSweep&) = delete;

    // Ends the sweep now: the wait for the next one is cancelled, and a sweep under way stops
    // after its current step. The store is not used any more.
    void stop();

  private:
    std::shared_ptr<RetentionSweepState> state_;
};

}  // namespace asyncscrape
