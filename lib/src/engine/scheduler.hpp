// Which job starts next: a pure state machine (no I/O, no clock), driven by the engine and unit
// tested on its own.
//
// Queued jobs are plain indices here, not coroutines: a run of 100,000 requests costs four bytes a
// job until the job is admitted. Admission obeys two limits, jobs in flight in all and jobs in
// flight per origin (scheme://host:port, or a pseudo-origin with a limit of its own, such as the
// browser's tabs), and is fair: runs take turns, one admission each, so a
// small run started beside a large one progresses at once. Inside a run, the origins with queued
// jobs take turns as well, so one busy origin does not hold back the run's other targets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace asyncscrape::engine {

using RunKey = std::uint64_t;

class Scheduler {
  public:
    struct Limits {
        std::size_t in_flight = 256;  // jobs in flight across all runs
        std::size_t per_origin = 8;   // jobs in flight per origin
        // Origins whose limit is not `per_origin`.
        std::unordered_map<std::string, std::size_t> origin_limits;
    };

    struct Grant {
        RunKey run = 0;
        std::size_t job = 0;  // index of the job in its run
        std::uint32_t origin = 0;
    };

    explicit Scheduler(Limits limits);

    // Queues every job of a run; `origins[i]` is the origin of job i.
    void add_run(RunKey run, const std::vector<std::string>& origins);
    // Queues the jobs `jobs` (ascending indices into `origins`) of a run: a run resumed after a
    // restart runs again only what has no outcome.
    void add_run(RunKey run, const std::vector<std::string>& origins,
                 const std::vector<std::size_t>& jobs);

    // Admits the next job that may start now, if any.
    std::optional<Grant> next();

    // A granted job no longer needs its slot.
    void release(const Grant& grant);

    // Removes a run's queued jobs (cancel, shutdown); answers their indices, in request order.
    // Its jobs already admitted keep their slots until released.
    std::vector<std::size_t> drop_run(RunKey run);

    std::size_t in_flight() const { return in_flight_; }
    std::size_t queued(RunKey run) const;
    std::size_t queued() const { return queued_; }

  private:
    struct Origin {
        std::string name;
        std::size_t limit = 0;
        std::size_t in_flight = 0;
        std::size_t queued = 0;  // over all runs; the record goes once both are zero
    };

    // A run's queued jobs, one FIFO per origin, and the origins with queued jobs in turn order.
    struct RunQueue {
        RunKey key = 0;
        std::unordered_map<std::uint32_t, std::deque<std::uint32_t>> jobs_by_origin;
        std::deque<std::uint32_t> origin_turns;
        std::size_t queued = 0;
    };

    std::uint32_t intern(const std::string& origin);
    void forget_if_unused(std::uint32_t origin);
    std::optional<Grant> take_from(RunQueue& run);

    Limits limits_;
    std::size_t in_flight_ = 0;
    std::size_t queued_ = 0;
    std::list<RunQueue> runs_;  // turn order; the front run is asked first
    std::unordered_map<RunKey, std::list<RunQueue>::iterator> run_index_;
    std::unordered_map<std::uint32_t, Origin> origins_;
    std::unordered_map<std::string, std::uint32_t> origin_ids_;
    std::uint32_t next_origin_id_ = 0;
};

}  // namespace asyncscrape::engine
