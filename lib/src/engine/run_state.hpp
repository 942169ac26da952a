// The live state of a run in progress: its counters (served to clients from memory), the
// cancellation signals of its jobs in flight, and a signal that wakes whoever waits for a change.
#pragma once

#include "engine/scheduler.hpp"

#include <asyncscrape/model.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <string>
#include <unordered_map>
#include <vector>

namespace asyncscrape::engine {

struct RunState {
    RunState(boost::asio::any_io_executor executor, RunKey key, Run run, RequestList requests);

    RunKey key;
    Run run;  // live: counters and status as clients see them
    RequestList requests;
    // Attempts begun by jobs before a restart, by index: a resumed job's attempts go on from there.
    std::unordered_map<std::size_t, int> earlier_attempts;
    std::chrono::steady_clock::time_point queued_since;

    bool cancel_requested = false;  // a client cancelled the run
    bool stopping = false;          // the runtime shuts down: the run pauses, it does not end
    std::size_t jobs_in_flight = 0;
    std::size_t unqueued = 0;  // jobs not yet handed to the scheduler (the run is being queued)
    // One signal per job coroutine alive, so that cancel and shutdown reach each one (a job asleep
    // on a wait action is no coroutine: the engine ends its wait).
    std::unordered_map<std::size_t, boost::asio::cancellation_signal> job_signals;

    // Wakes every waiter of wait_for_change.
    void notify_change();
    // Resumes after the next notify_change (or when the awaiting coroutine is cancelled).
    boost::asio::awaitable<void> wait_for_change();
    // Sends terminal cancellation to every job in flight.
    void cancel_jobs_in_flight();

  private:
    // Never expires: waiters sleep on it and notify_change() cancels their waits.
    boost::asio::steady_timer changed_;
};

}  // namespace asyncscrape::engine
