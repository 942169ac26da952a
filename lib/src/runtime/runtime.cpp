// The embedding API over the engine and the store. Runs in progress are answered from the
// engine's live state (counters change there first); everything else from the store.
#include <asyncscrape/json.hpp>
#include <asyncscrape/runtime.hpp>

#include "engine/engine.hpp"
#include "runtime/retention_sweep.hpp"
#include "util/log.hpp"
#include "util/uuid.hpp"

#include <limits>
#include <optional>

namespace asyncscrape {

namespace asio = boost::asio;

namespace {

Error shutting_down() {
    return unavailable("the server is shutting down");
}

Error collection_not_found(const std::string& id) {
    return not_found("collection " + id + " not found");
}

Error run_not_found(const std::string& id) {
    return not_found("run " + id + " not found");
}

bool progressed(const Run& now, const Run& seen) {
    return now.status != seen.status || now.finished_requests() != seen.finished_requests();
}

}  // namespace

struct Runtime::Impl {
    Impl(asio::any_io_executor executor, RuntimeConfig config_, std::shared_ptr<Store> store_)
        : config(std::move(config_)),
          limits{config.max_requests, config.request_timeout.count()},
          store(store_ ? std::move(store_) : make_memory_store()),
          engine(executor, config, *store) {
        if (config.retention.count() > 0) {
            retention_sweep.emplace(std::move(executor), *store, config.retention,
                                    config.retention_sweep_interval);
        }
    }

    // The live state of a run of this collection, if it is in progress.
    std::shared_ptr<engine::RunState> live_run(const std::string& collection_id,
                                               const std::string& run_id) const {
        auto live = engine.find(run_id);
        return live && live->run.collection_id == collection_id ? live : nullptr;
    }

    RuntimeConfig config;
    ValidationLimits limits;
    std::shared_ptr<Store> store;
    engine::Engine engine;
    std::optional<RetentionSweep> retention_sweep;  // none when runs are kept forever
};

Runtime::Runtime(asio::any_io_executor executor, RuntimeConfig config, std::shared_ptr<Store> store)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(config), std::move(store))) {}

Runtime::~Runtime() = default;

const RuntimeConfig& Runtime::config() const {
    return impl_->config;
}

Task<Outcome<Collection>> Runtime::create_collection(CollectionSpec spec) {
    if (impl_->engine.stopping()) {
        co_return shutting_down();
    }
    auto valid = validate(std::move(spec), impl_->limits);
    if (!valid) {
        co_return valid.error();
    }
    Collection collection;
    collection.id = new_uuid();
    collection.name = std::move(valid->name);
    collection.requests = std::make_shared<const std::vector<Request>>(std::move(valid->requests));
    collection.callback_url = std::move(valid->callback_url);
    collection.created_at = collection.updated_at = Clock::now();
    co_await impl_->store->put_collection(collection);
    co_return collection;
}

Task<Outcome<Collection>> Runtime::get_collection(std::string id) {
    auto collection = co_await impl_->store->get_collection(id);
    if (!collection) {
        co_return collection_not_found(id);
    }
    co_return std::move(*collection);
}

Task<Page<Collection>> Runtime::list_collections(PageQuery page) {
    co_return co_await impl_->store->list_collections(page);
}

Task<Outcome<Collection>> Runtime::update_collection(std::string id, CollectionPatch patch) {
    if (impl_->engine.stopping()) {
        co_return shutting_down();
    }
    auto found = co_await impl_->store->get_collection(id);
    if (!found) {
        co_return collection_not_found(id);
    }
    Collection collection = std::move(*found);
    // The merged collection is checked as a whole, by the same rules as a new one.
    CollectionSpec merged{
        patch.name ? std::move(*patch.name) : collection.name,
        patch.requests ? std::move(*patch.requests) : *collection.requests,
        patch.callback_url ? std::move(*patch.callback_url) : collection.callback_url};
    auto valid = validate(std::move(merged), impl_->limits);
    if (!valid) {
        co_return valid.error();
    }
    collection.name = std::move(valid->name);
    // Runs already started keep the list they hold; only new runs see the new one.
    collection.requests = std::make_shared<const std::vector<Request>>(std::move(valid->requests));
    collection.callback_url = std::move(valid->callback_url);
    collection.updated_at = Clock::now();
    co_await impl_->store->put_collection(collection);
    co_return collection;
}

Task<Outcome<std::string>> Runtime::delete_collection(std::string id) {
    if (impl_->engine.stopping()) {
        co_return shutting_down();
    }
    if (!co_await impl_->store->get_collection(id)) {
        co_return collection_not_found(id);
    }
    const auto runs = co_await impl_->store->list_runs(
        id, RunStatus::in_progress, PageQuery{0, std::numeric_limits<std::int64_t>::max()});
    for (const Run& run : runs.items) {
        if (auto live = impl_->engine.find(run.run_id)) {
            co_await impl_->engine.cancel(live);
            impl_->engine.forget(run.run_id);
        }
    }
    co_await impl_->store->delete_collection(id);
    co_return id;
}

Task<std::size_t> Runtime::resume_runs() {
    std::vector<UnfinishedRun> unfinished = co_await impl_->store->unfinished_runs();
    for (UnfinishedRun& resumed : unfinished) {
        log(LogLevel::info, "resuming run ", resumed.run.run_id, ": ", resumed.unfinished.size(),
            " of ", resumed.run.total_requests,
            resumed.cancel_requested ? " jobs to end cancelled" : " jobs to run");
        impl_->engine.resume(std::move(resumed));
    }
    co_return unfinished.size();
}

Task<Outcome<Run>> Runtime::start_run(std::string collection_id) {
    if (impl_->engine.stopping()) {
        co_return shutting_down();
    }
    auto collection = co_await impl_->store->get_collection(collection_id);
    if (!collection) {
        co_return collection_not_found(collection_id);
    }
    const RequestList requests = collection->requests;

    Run run;
    run.run_id = new_uuid();
    run.collection_id = collection_id;
    run.total_requests = static_cast<std::int64_t>(requests->size());
    run.created_at = Clock::now();

    const bool created = co_await impl_->store->create_run(run, requests);
    if (!created) {
        co_return collection_not_found(collection_id);  // deleted while the run was created
    }
    impl_->engine.start(run, requests);
    co_return run;
}

Task<Outcome<Run>> Runtime::get_run(std::string collection_id, std::string run_id) {
    if (auto live = impl_->live_run(collection_id, run_id)) {
        co_return live->run;
    }
    auto run = co_await impl_->store->get_run(collection_id, run_id);
    if (!run) {
        co_return run_not_found(run_id);
    }
    co_return std::move(*run);
}

Task<Outcome<Page<Run>>> Runtime::list_runs(std::string collection_id,
                                            std::optional<RunStatus> filter, PageQuery page) {
    if (!co_await impl_->store->get_collection(collection_id)) {
        co_return collection_not_found(collection_id);
    }
    auto runs = co_await impl_->store->list_runs(collection_id, filter, page);
    for (Run& run : runs.items) {
        if (auto live = impl_->engine.find(run.run_id)) {
            run = live->run;  // fresher than the stored copy
        }
    }
    co_return runs;
}

Task<Outcome<Run>> Runtime::cancel_run(std::string collection_id, std::string run_id) {
    // A live run may have ended already, its end still being written: that is a conflict too.
    if (auto live = impl_->live_run(collection_id, run_id); live && !live->run.ended()) {
        co_await impl_->engine.cancel(live);
        co_return live->run;
    }
    auto run = co_await get_run(collection_id, run_id);
    if (!run) {
        co_return run.error();
    }
    co_return conflict("run " + run_id + " has already ended (" +
                       std::string(to_string(run->status)) + ")");
}

Task<Outcome<Run>> Runtime::wait_run(std::string collection_id, std::string run_id) {
    auto live = impl_->live_run(collection_id, run_id);
    if (!live) {
        co_return co_await get_run(std::move(collection_id), std::move(run_id));
    }
    while (!live->run.ended()) {
        if (impl_->engine.stopping()) {
            co_return shutting_down();
        }
        co_await live->wait_for_change();
    }
    co_return live->run;
}

Task<Outcome<Run>> Runtime::wait_progress(std::string collection_id, std::string run_id, Run seen) {
    auto live = impl_->live_run(collection_id, run_id);
    if (!live) {
        co_return co_await get_run(std::move(collection_id), std::move(run_id));
    }
    while (!progressed(live->run, seen)) {
        if (impl_->engine.stopping()) {
            co_return shutting_down();
        }
        co_await live->wait_for_change();
    }
    co_return live->run;
}

Task<Outcome<Page<Job>>> Runtime::list_jobs(std::string collection_id, std::string run_id,
                                            std::optional<JobStatus> filter, PageQuery page) {
    if (auto run = co_await get_run(collection_id, run_id); !run) {
        co_return run.error();
    }
    co_return co_await impl_->store->list_jobs(std::move(run_id), filter, page);
}

Task<Outcome<Job>> Runtime::get_job(std::string collection_id, std::string run_id,
                                    std::string job_id) {
    if (auto run = co_await get_run(collection_id, run_id); !run) {
        co_return run.error();
    }
    auto job = co_await impl_->store->get_job(run_id, job_id);
    if (!job) {
        co_return not_found("job " + job_id + " not found");
    }
    co_return std::move(*job);
}

Task<Outcome<JobResult>> Runtime::get_result(std::string collection_id, std::string run_id,
                                             std::string job_id) {
    auto job = co_await get_job(collection_id, run_id, job_id);
    if (!job) {
        co_return job.error();
    }
    if (!is_terminal(job->status)) {
        co_return conflict("job " + job_id + " has not finished (status " +
                           std::string(to_string(job->status)) + ")");
    }
    if (auto result = co_await impl_->store->get_result(run_id, job_id)) {
        co_return std::move(*result);
    }
    // Cancelled before it started: nothing was fetched, the job record says all there is.
    JobResult result;
    result.job_id = job->job_id;
    result.index = job->index;
    result.status = job->status;
    result.url = job->url;
    result.final_url = job->url;
    result.error = job->error;
    result.custom_id = job->custom_id;
    co_return result;
}

Task<Outcome<std::string>> Runtime::get_screenshot(std::string collection_id, std::string run_id,
                                                   std::string job_id) {
    if (auto job = co_await get_job(collection_id, run_id, job_id); !job) {
        co_return job.error();
    }
    if (auto png = co_await impl_->store->get_screenshot(std::move(run_id), job_id)) {
        co_return std::move(*png);
    }
    co_return not_found("no screenshot for job " + job_id);
}

Task<Outcome<std::vector<JobResult>>> Runtime::results_after(std::string collection_id,
                                                             std::string run_id,
                                                             std::optional<JobStatus> filter,
                                                             std::int64_t after_index,
                                                             std::size_t limit) {
    if (auto run = co_await get_run(collection_id, run_id); !run) {
        co_return run.error();
    }
    co_return co_await impl_->store->results_after(std::move(run_id), filter, after_index, limit);
}

Task<void> Runtime::shutdown(std::chrono::milliseconds grace) {
    if (impl_->retention_sweep) {
        impl_->retention_sweep->stop();
    }
    co_await impl_->engine.shutdown(grace);
}

}  // namespace asyncscrape
