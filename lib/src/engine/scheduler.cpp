#include "engine/scheduler.hpp"

#include <algorithm>
#include <numeric>

namespace asyncscrape::engine {

Scheduler::Scheduler(Limits limits) : limits_(limits) {
    limits_.in_flight = std::max<std::size_t>(limits_.in_flight, 1);
    limits_.per_origin = std::max<std::size_t>(limits_.per_origin, 1);
    for (auto& [origin, limit] : limits_.origin_limits) {
        limit = std::max<std::size_t>(limit, 1);
    }
}

void Scheduler::add_run(RunKey run, const std::vector<std::string>& origins) {
    std::vector<std::size_t> every_job(origins.size());
    std::iota(every_job.begin(), every_job.end(), std::size_t{0});
    add_run(run, origins, every_job);
}

void Scheduler::add_run(RunKey run, const std::vector<std::string>& origins,
                        const std::vector<std::size_t>& jobs) {
    if (jobs.empty() || run_index_.contains(run)) {
        return;
    }
    RunQueue queue;
    queue.key = run;
    for (const std::size_t index : jobs) {
        const std::uint32_t origin = intern(origins.at(index));
        auto& fifo = queue.jobs_by_origin[origin];
        if (fifo.empty()) {
            queue.origin_turns.push_back(origin);
        }
        fifo.push_back(static_cast<std::uint32_t>(index));
        ++origins_[origin].queued;
    }
    queue.queued = jobs.size();
    queued_ += jobs.size();
    runs_.push_back(std::move(queue));
    run_index_.emplace(run, std::prev(runs_.end()));
}

std::optional<Scheduler::Grant> Scheduler::next() {
    if (in_flight_ >= limits_.in_flight) {
        return std::nullopt;
    }
    // Each run in turn order; the run that gets a job goes to the back of the line.
    for (auto it = runs_.begin(); it != runs_.end(); ++it) {
        if (auto grant = take_from(*it)) {
            if (it->queued == 0) {
                run_index_.erase(it->key);
                runs_.erase(it);
            } else {
                runs_.splice(runs_.end(), runs_, it);
            }
            ++in_flight_;
            --queued_;
            return grant;
        }
    }
    return std::nullopt;
}

std::optional<Scheduler::Grant> Scheduler::take_from(RunQueue& run) {
    for (std::size_t turn = 0; turn < run.origin_turns.size(); ++turn) {
        const std::uint32_t origin_id = run.origin_turns.front();
        run.origin_turns.pop_front();
        auto& origin = origins_.at(origin_id);
        if (origin.in_flight >= origin.limit) {
            run.origin_turns.push_back(origin_id);
            continue;
        }
        auto fifo = run.jobs_by_origin.find(origin_id);
        const std::uint32_t job = fifo->second.front();
        fifo->second.pop_front();
        if (fifo->second.empty()) {
            run.jobs_by_origin.erase(fifo);
        } else {
            run.origin_turns.push_back(origin_id);
        }
        --run.queued;
        --origin.queued;
        ++origin.in_flight;
        return Grant{run.key, job, origin_id};
    }
    return std::nullopt;
}

void Scheduler::release(const Grant& grant) {
    auto found = origins_.find(grant.origin);
    if (found == origins_.end() || found->second.in_flight == 0 || in_flight_ == 0) {
        return;  // released twice: keep the counts true rather than wrap around
    }
    --found->second.in_flight;
    --in_flight_;
    forget_if_unused(grant.origin);
}

std::vector<std::size_t> Scheduler::drop_run(RunKey run) {
    std::vector<std::size_t> dropped;
    const auto found = run_index_.find(run);
    if (found == run_index_.end()) {
        return dropped;
    }
    RunQueue& queue = *found->second;
    dropped.reserve(queue.queued);
    for (auto& [origin, fifo] : queue.jobs_by_origin) {
        origins_.at(origin).queued -= fifo.size();
        dropped.insert(dropped.end(), fifo.begin(), fifo.end());
        forget_if_unused(origin);
    }
    queued_ -= queue.queued;
    runs_.erase(found->second);
    run_index_.erase(found);
    std::sort(dropped.begin(), dropped.end());
    return dropped;
}

std::size_t Scheduler::queued(RunKey run) const {
    const auto found = run_index_.find(run);
    return found == run_index_.end() ? 0 : found->second->queued;
}

std::uint32_t Scheduler::intern(const std::string& origin) {
    if (const auto found = origin_ids_.find(origin); found != origin_ids_.end()) {
        return found->second;
    }
    const std::uint32_t id = next_origin_id_++;
    origin_ids_.emplace(origin, id);
    const auto special = limits_.origin_limits.find(origin);
    const std::size_t limit =
        special == limits_.origin_limits.end() ? limits_.per_origin : special->second;
    origins_.emplace(id, Origin{origin, limit});
    return id;
}

void Scheduler::forget_if_unused(std::uint32_t origin) {
    const auto found = origins_.find(origin);
    if (found != origins_.end() && found->second.in_flight == 0 && found->second.queued == 0) {
        origin_ids_.erase(found->second.name);
        origins_.erase(found);
    }
}

}  // namespace asyncscrape::engine
