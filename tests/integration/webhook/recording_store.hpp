// The memory store with a log of what the notifier recorded: every update_callback call in order,
// so that a test sees each state a delivery went through (and that it was written before the
// wait), not only the last one.
#pragma once

#include <asyncscrape/store.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace asyncscrape::test {

struct CallbackRecord {
    std::string run_id;
    CallbackStatus status = CallbackStatus::pending;
    int attempts = 0;
    std::optional<TimePoint> next_try;
};

class RecordingStore final : public Store {
  public:
    RecordingStore() : inner_(make_memory_store()) {}

    const std::vector<CallbackRecord>& callback_records() const { return records_; }

    Task<void> update_callback(std::string run_id, CallbackStatus status, int attempts,
                               std::optional<TimePoint> next_try) override {
        records_.push_back({run_id, status, attempts, next_try});
        co_await inner_->update_callback(std::move(run_id), status, attempts, next_try);
    }

    // Everything else as the memory store does it.
    Task<void> put_collection(Collection collection) override {
        return inner_->put_collection(std::move(collection));
    }
    Task<std::optional<Collection>> get_collection(std::string id) override {
        return inner_->get_collection(std::move(id));
    }
    Task<Page<Collection>> list_collections(TenantId tenant, PageQuery page) override {
        return inner_->list_collections(std::move(tenant), page);
    }
    Task<bool> delete_collection(std::string id) override {
        return inner_->delete_collection(std::move(id));
    }
    Task<bool> create_run(Run run, RequestList requests) override {
        return inner_->create_run(std::move(run), std::move(requests));
    }
    Task<void> update_run(Run run) override { return inner_->update_run(std::move(run)); }
    Task<std::optional<Run>> get_run(std::string collection_id, std::string run_id) override {
        return inner_->get_run(std::move(collection_id), std::move(run_id));
    }
    Task<Page<Run>> list_runs(std::string collection_id, std::optional<RunStatus> filter,
                              PageQuery page) override {
        return inner_->list_runs(std::move(collection_id), filter, page);
    }
    Task<void> update_job(Job job) override { return inner_->update_job(std::move(job)); }
    Task<std::int64_t> cancel_pending_jobs(std::string run_id, TimePoint at) override {
        return inner_->cancel_pending_jobs(std::move(run_id), at);
    }
    Task<void> finish_job(Job job, JobResult result) override {
        return inner_->finish_job(std::move(job), std::move(result));
    }
    Task<std::optional<Job>> get_job(std::string run_id, std::string job_id) override {
        return inner_->get_job(std::move(run_id), std::move(job_id));
    }
    Task<Page<Job>> list_jobs(std::string run_id, std::optional<JobStatus> filter,
                              PageQuery page) override {
        return inner_->list_jobs(std::move(run_id), filter, page);
    }
    Task<std::optional<JobResult>> get_result(std::string run_id, std::string job_id) override {
        return inner_->get_result(std::move(run_id), std::move(job_id));
    }
    Task<std::vector<JobResult>> results_after(std::string run_id, std::optional<JobStatus> filter,
                                               std::int64_t after_index,
                                               std::size_t limit) override {
        return inner_->results_after(std::move(run_id), filter, after_index, limit);
    }
    Task<void> put_screenshot(std::string run_id, std::string job_id, std::string png) override {
        return inner_->put_screenshot(std::move(run_id), std::move(job_id), std::move(png));
    }
    Task<std::optional<std::string>> get_screenshot(std::string run_id,
                                                    std::string job_id) override {
        return inner_->get_screenshot(std::move(run_id), std::move(job_id));
    }
    Task<std::int64_t> remove_runs_finished_before(TimePoint cutoff) override {
        return inner_->remove_runs_finished_before(cutoff);
    }
    Task<std::vector<UnfinishedRun>> unfinished_runs() override {
        return inner_->unfinished_runs();
    }
    Task<std::vector<PendingCallback>> pending_callbacks() override {
        return inner_->pending_callbacks();
    }
    Task<std::optional<IdempotentReply>> find_idempotent_reply(TenantId tenant,
                                                               std::string key) override {
        return inner_->find_idempotent_reply(std::move(tenant), std::move(key));
    }
    Task<void> put_idempotent_reply(IdempotentReply reply) override {
        return inner_->put_idempotent_reply(std::move(reply));
    }
    Task<std::int64_t> remove_idempotent_replies_before(TimePoint cutoff) override {
        return inner_->remove_idempotent_replies_before(cutoff);
    }

  private:
    std::shared_ptr<Store> inner_;
    std::vector<CallbackRecord> records_;
};

}  // namespace asyncscrape::test
