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
    // per_tenant stays as given: zero means no limit there.
}

void Scheduler::add_run(RunKey run, const TenantId& tenant,
                        const std::vector<std::string>& origins) {
    std::vector<std::size_t> every_job(origins.size());
    std::iota(every_job.begin(), every_job.end(), std::size_t{0});
    add_jobs(run, tenant, every_job, origins);
}

void Scheduler::add_jobs(RunKey run, const TenantId& tenant, const std::vector<std::size_t>& jobs,
                         const std::vector<std::string>& origins) {
    if (jobs.empty()) {
        return;
    }
    const std::uint32_t tenant_id = intern_tenant(tenant);
    Tenant& owner = tenants_.at(tenant_id);
    auto found = run_index_.find(run);
    if (found == run_index_.end()) {
        // A run with nothing queued (new, or all its earlier jobs admitted) goes to the back of
        // its tenant's runs.
        owner.runs.emplace_back().key = run;
        owner.runs.back().tenant = tenant_id;
        found = run_index_.emplace(run, std::prev(owner.runs.end())).first;
    }
    RunQueue& queue = *found->second;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        const std::uint32_t origin = intern(origins.at(i));
        auto& fifo = queue.jobs_by_origin[origin];
        if (fifo.empty()) {
            queue.origin_turns.push_back(origin);
        }
        fifo.push_back(static_cast<std::uint32_t>(jobs[i]));
        ++origins_[origin].queued;
    }
    queue.queued += jobs.size();
    queued_ += jobs.size();
    owner.queued += jobs.size();
    if (!owner.has_turn) {
        // A tenant that had nothing queued joins the back of the line.
        owner.turn = tenant_turns_.insert(tenant_turns_.end(), tenant_id);
        owner.has_turn = true;
    }
}

std::optional<Scheduler::Grant> Scheduler::next() {
    if (in_flight_ >= limits_.in_flight) {
        return std::nullopt;
    }
    // Each tenant in turn order; the tenant that gets a job goes to the back of the line.
    for (auto it = tenant_turns_.begin(); it != tenant_turns_.end(); ++it) {
        Tenant& tenant = tenants_.at(*it);
        if (at_limit(tenant)) {
            continue;
        }
        if (auto grant = take_from(tenant)) {
            ++tenant.in_flight;
            --tenant.queued;
            if (tenant.queued == 0) {
                tenant_turns_.erase(it);
                tenant.has_turn = false;
            } else {
                tenant_turns_.splice(tenant_turns_.end(), tenant_turns_, it);
            }
            ++in_flight_;
            --queued_;
            return grant;
        }
    }
    return std::nullopt;
}

bool Scheduler::at_limit(const Tenant& tenant) const {
    return limits_.per_tenant != 0 && tenant.in_flight >= limits_.per_tenant;
}

std::optional<Scheduler::Grant> Scheduler::take_from(Tenant& tenant) {
    // Each of the tenant's runs in turn order; the run that gets a job goes to the back.
    for (auto it = tenant.runs.begin(); it != tenant.runs.end(); ++it) {
        if (auto grant = take_from(*it)) {
            if (it->queued == 0) {
                run_index_.erase(it->key);
                tenant.runs.erase(it);
            } else {
                tenant.runs.splice(tenant.runs.end(), tenant.runs, it);
            }
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
        return Grant{run.key, job, origin_id, run.tenant};
    }
    return std::nullopt;
}

void Scheduler::release(const Grant& grant) {
    const auto origin = origins_.find(grant.origin);
    const auto tenant = tenants_.find(grant.tenant);
    if (origin == origins_.end() || origin->second.in_flight == 0 || tenant == tenants_.end() ||
        tenant->second.in_flight == 0 || in_flight_ == 0) {
        return;  // released twice: keep the counts true rather than wrap around
    }
    --origin->second.in_flight;
    --tenant->second.in_flight;
    --in_flight_;
    forget_if_unused(grant.origin);
    forget_tenant_if_unused(grant.tenant);
}

std::vector<std::size_t> Scheduler::drop_run(RunKey run) {
    std::vector<std::size_t> dropped;
    const auto found = run_index_.find(run);
    if (found == run_index_.end()) {
        return dropped;
    }
    const auto queue = found->second;
    dropped.reserve(queue->queued);
    for (auto& [origin, fifo] : queue->jobs_by_origin) {
        origins_.at(origin).queued -= fifo.size();
        dropped.insert(dropped.end(), fifo.begin(), fifo.end());
        forget_if_unused(origin);
    }
    queued_ -= queue->queued;

    const std::uint32_t tenant_id = queue->tenant;
    Tenant& tenant = tenants_.at(tenant_id);
    tenant.queued -= queue->queued;
    tenant.runs.erase(queue);
    run_index_.erase(found);
    if (tenant.queued == 0 && tenant.has_turn) {
        tenant_turns_.erase(tenant.turn);
        tenant.has_turn = false;
    }
    forget_tenant_if_unused(tenant_id);

    std::sort(dropped.begin(), dropped.end());
    return dropped;
}

std::size_t Scheduler::queued(RunKey run) const {
    const auto found = run_index_.find(run);
    return found == run_index_.end() ? 0 : found->second->queued;
}

std::size_t Scheduler::queued(const TenantId& tenant) const {
    const auto found = tenant_ids_.find(tenant);
    return found == tenant_ids_.end() ? 0 : tenants_.at(found->second).queued;
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

std::uint32_t Scheduler::intern_tenant(const TenantId& tenant) {
    if (const auto found = tenant_ids_.find(tenant); found != tenant_ids_.end()) {
        return found->second;
    }
    const std::uint32_t id = next_tenant_id_++;
    tenant_ids_.emplace(tenant, id);
    tenants_[id].name = tenant;
    return id;
}

void Scheduler::forget_if_unused(std::uint32_t origin) {
    const auto found = origins_.find(origin);
    if (found != origins_.end() && found->second.in_flight == 0 && found->second.queued == 0) {
        origin_ids_.erase(found->second.name);
        origins_.erase(found);
    }
}

void Scheduler::forget_tenant_if_unused(std::uint32_t tenant) {
    const auto found = tenants_.find(tenant);
    if (found != tenants_.end() && found->second.in_flight == 0 && found->second.queued == 0) {
        tenant_ids_.erase(found->second.name);
        tenants_.erase(found);
    }
}

}  // namespace asyncscrape::engine
