// The in-memory store: everything in process memory, lost at exit. It answers every call at once
// (the awaitables complete without suspending), which also makes it the reference behaviour that
// the durable stores are tested against. Two calls are the exception, their work being in
// proportion to a run's size: creating a run's job records and freeing a deleted collection's
// runs go in time slices (util/time_slice.hpp), giving way to the rest of the loop in between.
#include <asyncscrape/store.hpp>

#include "util/time_slice.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <ranges>
#include <unordered_map>
#include <utility>

namespace asyncscrape {
namespace {

// Applies offset/limit to the items for which `keep` holds, visiting them in the given order.
template <class Range, class Keep, class Copy>
auto paginate(const Range& range, PageQuery page, Keep keep, Copy copy) {
    Page<std::decay_t<decltype(copy(*std::begin(range)))>> result;
    for (const auto& item : range) {
        if (!keep(item)) {
            continue;
        }
        if (result.total >= page.offset &&
            static_cast<std::int64_t>(result.items.size()) < page.limit) {
            result.items.push_back(copy(item));
        }
        ++result.total;
    }
    return result;
}

class MemoryStore final : public Store {
  public:
    Task<void> put_collection(Collection collection) override {
        auto [it, inserted] = collections_.try_emplace(collection.id);
        if (inserted) {
            collection_order_.push_back(collection.id);
        }
        it->second = std::move(collection);
        co_return;
    }

    Task<std::optional<Collection>> get_collection(std::string id) override {
        co_return find_or_null(collections_, id);
    }

    Task<Page<Collection>> list_collections(TenantId tenant, PageQuery page) override {
        co_return paginate(
            collection_order_ | std::views::reverse, page,
            [&](const std::string& id) { return collections_.at(id).tenant == tenant; },
            [this](const std::string& id) { return collections_.at(id); });
    }

    Task<bool> delete_collection(std::string id) override {
        if (collections_.erase(id) == 0) {
            co_return false;
        }
        std::erase(collection_order_, id);
        // Gone at once for every reader; the memory is given back in slices.
        std::vector<RunRecord> deleted;
        if (auto runs = runs_by_collection_.find(id); runs != runs_by_collection_.end()) {
            for (const auto& run_id : runs->second) {
                if (auto node = runs_.extract(run_id)) {
                    deleted.push_back(std::move(node.mapped()));
                }
            }
            runs_by_collection_.erase(runs);
        }
        TimeSlice slice;
        for (RunRecord& record : deleted) {
            co_await release_in_slices(record.results, slice);
            co_await release_in_slices(record.jobs, slice);
            co_await release_in_slices(record.job_index, slice);
        }
        co_return true;
    }

    Task<bool> create_run(Run run, RequestList requests) override {
        if (!collections_.contains(run.collection_id)) {
            co_return false;
        }
        RunRecord record;
        const std::size_t size = requests ? requests->size() : 0;
        record.requests = std::move(requests);
        // Reserved, not resized: the records are built (and their pages touched) in the slices,
        // with the hash of each job's id.
        record.jobs.reserve(size);
        record.job_index.reserve(size);
        TimeSlice slice;
        for (std::size_t i = 0; i < size; ++i) {
            if (slice.used_up()) {
                co_await slice.yield();
            }
            record.jobs.emplace_back();
            record.job_index.emplace(id_key(job_id_of(run.run_id, static_cast<std::int64_t>(i))),
                                     i);
        }
        if (slice.yields() > 0 && !collections_.contains(run.collection_id)) {
            co_return false;  // deleted while other work ran
        }
        record.results.resize(size);
        runs_by_collection_[run.collection_id].push_back(run.run_id);
        const std::string run_id = run.run_id;
        record.run = std::move(run);
        runs_.insert_or_assign(run_id, std::move(record));
        co_return true;
    }

    Task<void> update_run(Run run) override {
        if (auto* record = find_run(run.run_id)) {
            record->run = std::move(run);
        }
        co_return;
    }

    Task<std::optional<Run>> get_run(std::string collection_id, std::string run_id) override {
        const auto* record = find_run(run_id);
        if (record == nullptr || record->run.collection_id != collection_id) {
            co_return std::nullopt;
        }
        co_return record->run;
    }

    Task<Page<Run>> list_runs(std::string collection_id, std::optional<RunStatus> filter,
                              PageQuery page) override {
        const auto found = runs_by_collection_.find(collection_id);
        if (found == runs_by_collection_.end()) {
            co_return Page<Run>{};
        }
        co_return paginate(
            found->second | std::views::reverse, page,
            [&](const std::string& id) { return !filter || runs_.at(id).run.status == *filter; },
            [this](const std::string& id) { return runs_.at(id).run; });
    }

    Task<void> update_job(Job job) override {
        if (auto* state = find_job(job.run_id, job.index)) {
            *state = JobState(std::move(job));
        }
        co_return;
    }

    Task<std::int64_t> cancel_pending_jobs(std::string run_id, TimePoint at) override {
        std::int64_t cancelled = 0;
        if (auto* record = find_run(run_id)) {
            for (JobState& job : record->jobs) {
                if (job.status == JobStatus::pending) {
                    job.status = JobStatus::cancelled;
                    job.error = "cancelled before it started";
                    job.finished_at = at;
                    ++cancelled;
                }
            }
            record->run.cancelled_requests += cancelled;
        }
        co_return cancelled;
    }

    Task<void> finish_job(Job job, JobResult result) override {
        if (auto* record = find_run(job.run_id)) {
            const auto index = static_cast<std::size_t>(job.index);
            if (index < record->jobs.size()) {
                record->run.count(job.status);
                record->results[index] = std::make_unique<JobResult>(std::move(result));
                record->jobs[index] = JobState(std::move(job));
            }
        }
        co_return;
    }

    Task<std::optional<Job>> get_job(std::string run_id, std::string job_id) override {
        const auto* record = find_run(run_id);
        if (record == nullptr) {
            co_return std::nullopt;
        }
        const auto index = record->index_of(job_id);
        co_return index ? std::optional(record->job(*index)) : std::nullopt;
    }

    Task<Page<Job>> list_jobs(std::string run_id, std::optional<JobStatus> filter,
                              PageQuery page) override {
        const auto* record = find_run(run_id);
        if (record == nullptr) {
            co_return Page<Job>{};
        }
        co_return paginate(
            std::views::iota(std::size_t{0}, record->jobs.size()), page,
            [&](std::size_t i) { return !filter || record->jobs[i].status == *filter; },
            [&](std::size_t i) { return record->job(i); });
    }

    Task<std::optional<JobResult>> get_result(std::string run_id, std::string job_id) override {
        const auto* record = find_run(run_id);
        if (record == nullptr) {
            co_return std::nullopt;
        }
        const auto index = record->index_of(job_id);
        if (!index || !record->results[*index]) {
            co_return std::nullopt;
        }
        co_return *record->results[*index];
    }

    Task<std::vector<JobResult>> results_after(std::string run_id, std::optional<JobStatus> filter,
                                               std::int64_t after_index,
                                               std::size_t limit) override {
        std::vector<JobResult> page;
        const auto* record = find_run(run_id);
        if (record == nullptr) {
            co_return page;
        }
        const auto first = static_cast<std::size_t>(std::max<std::int64_t>(after_index + 1, 0));
        for (std::size_t i = first; i < record->results.size() && page.size() < limit; ++i) {
            const auto& result = record->results[i];
            if (result && (!filter || result->status == *filter)) {
                page.push_back(*result);
            }
        }
        co_return page;
    }

    Task<void> put_screenshot(std::string run_id, std::string job_id, std::string png) override {
        if (auto* record = find_run(run_id); record && record->index_of(job_id)) {
            record->screenshots.insert_or_assign(std::move(job_id), std::move(png));
        }
        co_return;
    }

    Task<std::optional<std::string>> get_screenshot(std::string run_id,
                                                    std::string job_id) override {
        const auto* record = find_run(run_id);
        if (record == nullptr) {
            co_return std::nullopt;
        }
        co_return find_or_null(record->screenshots, job_id);
    }

    Task<std::int64_t> remove_runs_finished_before(TimePoint cutoff) override {
        std::int64_t removed = 0;
        for (auto& [collection_id, run_ids] : runs_by_collection_) {
            removed +=
                static_cast<std::int64_t>(std::erase_if(run_ids, [&](const std::string& run_id) {
                    const Run& run = runs_.at(run_id).run;
                    if (!run.ended() || !run.finished_at || *run.finished_at >= cutoff) {
                        return false;
                    }
                    runs_.erase(run_id);
                    return true;
                }));
        }
        co_return removed;
    }

    // Nothing outlives the process.
    Task<std::vector<UnfinishedRun>> unfinished_runs() override {
        co_return std::vector<UnfinishedRun>{};
    }

    Task<void> update_callback(std::string run_id, CallbackStatus status, int /*attempts*/,
                               std::optional<TimePoint> /*next_try*/) override {
        if (auto* record = find_run(run_id)) {
            record->run.callback_status = status;
        }
        co_return;
    }

    Task<std::vector<PendingCallback>> pending_callbacks() override {
        co_return std::vector<PendingCallback>{};
    }

    Task<std::optional<IdempotentReply>> find_idempotent_reply(TenantId tenant,
                                                               std::string key) override {
        co_return find_or_null(idempotent_replies_, std::pair(std::move(tenant), std::move(key)));
    }

    Task<void> put_idempotent_reply(IdempotentReply reply) override {
        auto slot = std::pair(reply.tenant, reply.key);
        idempotent_replies_.try_emplace(std::move(slot), std::move(reply));
        co_return;
    }

    Task<std::int64_t> remove_idempotent_replies_before(TimePoint cutoff) override {
        co_return static_cast<std::int64_t>(
            std::erase_if(idempotent_replies_,
                          [&](const auto& entry) { return entry.second.created_at < cutoff; }));
    }

  private:
    // A job's record less what its run knows: the id is job_id_of(run, index), the url and
    // custom_id its request's (Store::create_run), all put back when a Job is read. A waiting
    // run of 100,000 jobs holds no string per job.
    struct JobState {
        JobState() = default;
        explicit JobState(Job&& job)
            : status(job.status),
              status_code(job.status_code),
              attempts(job.attempts),
              error(std::move(job.error)),
              started_at(job.started_at),
              finished_at(job.finished_at),
              duration_ms(job.duration_ms) {}

        JobStatus status = JobStatus::pending;
        std::optional<int> status_code;
        int attempts = 0;
        std::optional<std::string> error;
        std::optional<TimePoint> started_at;
        std::optional<TimePoint> finished_at;
        std::optional<std::int64_t> duration_ms;
    };

    // The job ids' hashes: a job id names a hash of its run and index, which cannot be undone.
    static std::size_t id_key(std::string_view job_id) {
        return std::hash<std::string_view>{}(job_id);
    }

    struct RunRecord {
        Run run;
        RequestList requests;        // the run's, for the jobs' url and custom_id
        std::vector<JobState> jobs;  // by index
        // Job index by id_key: two ids with one key are told apart by their id.
        std::unordered_multimap<std::size_t, std::size_t> job_index;
        std::vector<std::unique_ptr<JobResult>> results;           // by index; null until finished
        std::unordered_map<std::string, std::string> screenshots;  // PNG by job id

        std::optional<std::size_t> index_of(std::string_view job_id) const {
            const auto [first, last] = job_index.equal_range(id_key(job_id));
            for (auto it = first; it != last; ++it) {
                if (job_id_of(run.run_id, static_cast<std::int64_t>(it->second)) == job_id) {
                    return it->second;
                }
            }
            return std::nullopt;
        }

        Job job(std::size_t index) const {
            const JobState& state = jobs[index];
            const Request& request = (*requests)[index];
            Job job;
            job.index = static_cast<std::int64_t>(index);
            job.job_id = job_id_of(run.run_id, job.index);
            job.run_id = run.run_id;
            job.url = request.url;
            job.custom_id = request.custom_id;
            job.status = state.status;
            job.status_code = state.status_code;
            job.attempts = state.attempts;
            job.error = state.error;
            job.started_at = state.started_at;
            job.finished_at = state.finished_at;
            job.duration_ms = state.duration_ms;
            return job;
        }
    };

    // Empties `items` (a vector from the back), giving way to other work as `slice` runs out.
    template <class Container>
    static Task<void> release_in_slices(Container& items, TimeSlice& slice) {
        while (!items.empty()) {
            if (slice.used_up()) {
                co_await slice.yield();
            }
            if constexpr (requires { items.pop_back(); }) {
                items.pop_back();
            } else {
                items.erase(items.begin());
            }
        }
    }

    template <class Map>
    static std::optional<typename Map::mapped_type> find_or_null(
        const Map& map, const typename Map::key_type& key) {
        const auto found = map.find(key);
        return found == map.end() ? std::nullopt : std::optional(found->second);
    }

    RunRecord* find_run(const std::string& run_id) {
        const auto found = runs_.find(run_id);
        return found == runs_.end() ? nullptr : &found->second;
    }

    JobState* find_job(const std::string& run_id, std::int64_t index) {
        auto* record = find_run(run_id);
        if (record == nullptr || index < 0 ||
            static_cast<std::size_t>(index) >= record->jobs.size()) {
            return nullptr;
        }
        return &record->jobs[static_cast<std::size_t>(index)];
    }

    std::unordered_map<std::string, Collection> collections_;
    std::vector<std::string> collection_order_;  // creation order
    std::unordered_map<std::string, RunRecord> runs_;
    std::unordered_map<std::string, std::vector<std::string>> runs_by_collection_;  // run order
    std::map<std::pair<TenantId, std::string>, IdempotentReply>
        idempotent_replies_;  // by tenant, key
};

}  // namespace

std::shared_ptr<Store> make_memory_store() {
    return std::make_shared<MemoryStore>();
}

}  // namespace asyncscrape
