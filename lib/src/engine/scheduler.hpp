// Which job starts next: a pure state machine (no I/O, no clock), driven by the engine and unit
// tested on its own.
//
// Queued jobs are plain indices here, not coroutines: a run of 100,000 requests costs four bytes a
// job until the job is admitted. Admission obeys three limits, jobs in flight in all, jobs in
// flight per tenant (optional) and jobs in flight per origin (scheme://host:port, or a
// pseudo-origin with a limit of its own, such as the browser's tabs). A job held back by a limit
// does not hold back the others: a tenant at its limit, or an origin at its, is skipped and the
// next in turn is asked.
//
// Admission is fair on three levels, each plain round robin with one admission a turn:
// - Tenants with queued jobs take turns, so a tenant's small run beside another tenant's run of
//   100,000 jobs starts at once and finishes in about the time its own jobs take, and a tenant
//   with ten runs gets no more slots than a tenant with one.
// - Inside a tenant, its runs take turns, so its small run started beside its big one progresses
//   at once as well.
// - Inside a run, the origins with queued jobs take turns, so one busy origin does not hold back
//   the run's other targets.
// Every job costs the same one slot, so deficit round robin would come down to this (a quantum of
// one job); the turn that gets a job goes to the back of its line, the others keep their places.
// An admission costs O(1) when nothing is at a limit, plus one step for each tenant, run or
// origin skipped because it is.
//
// Bookkeeping lives only as long as there is something to count: a tenant's record and an
// origin's go once they have nothing queued and nothing in flight, a run's once it has nothing
// queued.
#pragma once

#include <asyncscrape/model.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace asyncscrape::engine {

using RunKey = std::uint64_t;

class Scheduler {
  public:
    struct Limits {
        std::size_t in_flight = 256;  // jobs in flight across all runs
        std::size_t per_origin = 8;   // jobs in flight per origin
        std::size_t per_tenant = 0;   // jobs in flight per tenant; 0: no limit
        // Origins whose limit is not `per_origin`.
        std::unordered_map<std::string, std::size_t> origin_limits;
    };

    // An admitted job, and what its slot is counted against until release().
    struct Grant {
        RunKey run = 0;
        std::size_t job = 0;  // index of the job in its run
        std::uint32_t origin = 0;
        std::uint32_t tenant = 0;
    };

    explicit Scheduler(Limits limits);

    // Queues every job of a run of `tenant`; `origins[i]` is the origin of job i.
    void add_run(RunKey run, const TenantId& tenant, const std::vector<std::string>& origins);
    // Queues jobs of a run of `tenant` behind those of the run already queued; `origins[i]` is
    // the origin of job `jobs[i]`. A run's jobs may come in several calls (a large run is queued
    // in slices), and a resumed run's are only those that have no outcome.
    void add_jobs(RunKey run, const TenantId& tenant, const std::vector<std::size_t>& jobs,
                  const std::vector<std::string>& origins);

    // Admits the next job that may start now, if any.
    std::optional<Grant> next();

    // A granted job no longer needs its slot.
    void release(const Grant& grant);

    // Removes a run's queued jobs (cancel, shutdown); answers their indices, in request order.
    // Its jobs already admitted keep their slots until released.
    std::vector<std::size_t> drop_run(RunKey run);

    std::size_t in_flight() const { return in_flight_; }
    std::size_t queued(RunKey run) const;
    // Jobs of a tenant's runs queued, not yet admitted.
    std::size_t queued(const TenantId& tenant) const;
    std::size_t queued() const { return queued_; }
    // Tenants with jobs queued or in flight: the records kept.
    std::size_t tenants() const { return tenants_.size(); }

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
        std::uint32_t tenant = 0;
        std::unordered_map<std::uint32_t, std::deque<std::uint32_t>> jobs_by_origin;
        std::deque<std::uint32_t> origin_turns;
        std::size_t queued = 0;
    };

    // A tenant's runs with queued jobs, in turn order (the front run is asked first).
    struct Tenant {
        TenantId name;
        std::list<RunQueue> runs;
        std::size_t in_flight = 0;
        std::size_t queued = 0;  // the record goes once both are zero
        bool has_turn = false;   // in tenant_turns_ (exactly while queued > 0)
        std::list<std::uint32_t>::iterator turn;
    };

    std::uint32_t intern(const std::string& origin);
    std::uint32_t intern_tenant(const TenantId& tenant);
    void forget_if_unused(std::uint32_t origin);
    void forget_tenant_if_unused(std::uint32_t tenant);
    bool at_limit(const Tenant& tenant) const;
    std::optional<Grant> take_from(Tenant& tenant);
    std::optional<Grant> take_from(RunQueue& run);

    Limits limits_;
    std::size_t in_flight_ = 0;
    std::size_t queued_ = 0;
    std::list<std::uint32_t> tenant_turns_;  // tenants with queued jobs; the front is asked first
    std::unordered_map<std::uint32_t, Tenant> tenants_;
    std::unordered_map<TenantId, std::uint32_t> tenant_ids_;
    std::uint32_t next_tenant_id_ = 0;
    std::unordered_map<RunKey, std::list<RunQueue>::iterator> run_index_;
    std::unordered_map<std::uint32_t, Origin> origins_;
    std::unordered_map<std::string, std::uint32_t> origin_ids_;
    std::uint32_t next_origin_id_ = 0;
};

}  // namespace asyncscrape::engine
