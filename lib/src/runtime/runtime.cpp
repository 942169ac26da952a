// The embedding API over the engine and the store. Runs in progress are answered from the
// engine's live state (counters change there first); everything else from the store.
#include <asyncscrape/json.hpp>
#include <asyncscrape/runtime.hpp>

#include "engine/engine.hpp"
#include "model/validation.hpp"
#include "runtime/retention_sweep.hpp"
#include "util/log.hpp"
#include "util/uuid.hpp"
#include "webhook/notifier.hpp"

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
          notifier(executor, *store, config),
          engine(executor, config, *store, [this](const Run& run) { notifier.notify(run); }) {
        notifier.set_secret_lookup(
            [this](const TenantId& tenant) { return own_webhook_secret(tenant); });
        if (config.retention.count() > 0) {
            retention_sweep.emplace(std::move(executor), *store, config.retention,
                                    config.retention_sweep_interval);
        }
    }

    // The live state of a run of this collection and tenant, if it is in progress.
    std::shared_ptr<engine::RunState> live_run(const std::string& collection_id,
                                               const std::string& run_id,
                                               const TenantId& tenant) const {
        auto live = engine.find(run_id);
        return live && live->run.collection_id == collection_id && live->run.tenant == tenant
                   ? live
                   : nullptr;
    }

    // The tenant's collection; another tenant's is not found, as if it did not exist.
    Task<std::optional<Collection>> owned_collection(std::string id, const TenantId& tenant) {
        auto collection = co_await store->get_collection(std::move(id));
        if (collection && collection->tenant != tenant) {
            collection.reset();
        }
        co_return collection;
    }

    // Errc::over_limit when `jobs` more would pass the tenant's queue limit.
    std::optional<Error> over_tenant_queue(const TenantId& tenant, std::size_t jobs) const {
        const auto starting = jobs_starting.find(tenant);
        const std::size_t queued =
            engine.queued_jobs(tenant) + (starting == jobs_starting.end() ? 0 : starting->second);
        if (config.tenant_queue == 0 || queued + jobs <= config.tenant_queue) {
            return std::nullopt;
        }
        return over_limit("tenant queue: " + std::to_string(queued) + " jobs queued and " +
                          std::to_string(jobs) + " more would pass the limit of " +
                          std::to_string(config.tenant_queue));
    }

    // The tenant's own key for webhook signatures; "" lets the notifier use the server's.
    std::string own_webhook_secret(const TenantId& tenant) const {
        const auto own = webhook_secrets.find(tenant);
        return own == webhook_secrets.end() ? std::string() : own->second;
    }

    RuntimeConfig config;
    ValidationLimits limits;
    std::unordered_map<TenantId, std::string> webhook_secrets;  // tenants' own
    // Jobs of runs being started, by tenant: stored, not yet queued in the engine.
    std::unordered_map<TenantId, std::size_t> jobs_starting;

    class StartingJobs {
      public:
        StartingJobs(Impl& impl, TenantId tenant, std::size_t jobs)
            : impl_(impl), tenant_(std::move(tenant)), jobs_(jobs) {
            impl_.jobs_starting[tenant_] += jobs_;
        }
        ~StartingJobs() {
            const auto entry = impl_.jobs_starting.find(tenant_);
            if ((entry->second -= jobs_) == 0) {
                impl_.jobs_starting.erase(entry);
            }
        }
        StartingJobs(const StartingJobs&) = delete;
        StartingJobs& operator=(const StartingJobs&) = delete;

      private:
        Impl& impl_;
        TenantId tenant_;
        std::size_t jobs_;
    };
    std::shared_ptr<Store> store;
    webhook::WebhookNotifier notifier;  // the notices of runs' ends
    engine::Engine engine;
    std::optional<RetentionSweep> retention_sweep;  // none when runs are kept forever
};

Runtime::Runtime(asio::any_io_executor executor, RuntimeConfig config, std::shared_ptr<Store> store)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(config), std::move(store))) {}

Runtime::~Runtime() = default;

const RuntimeConfig& Runtime::config() const {
    return impl_->config;
}

Store& Runtime::store() {
    return *impl_->store;
}

void Runtime::set_webhook_secrets(std::unordered_map<TenantId, std::string> secrets) {
    impl_->webhook_secrets = std::move(secrets);
}

Task<Outcome<Collection>> Runtime::create_collection(CollectionSpec spec, TenantId tenant) {
    if (impl_->engine.stopping()) {
        co_return shutting_down();
    }
    auto valid = validate(std::move(spec), impl_->limits);
    if (!valid) {
        co_return valid.error();
    }
    Collection collection;
    collection.id = new_uuid();
    collection.tenant = std::move(tenant);
    collection.name = std::move(valid->name);
    collection.requests = std::make_shared<const std::vector<Request>>(std::move(valid->requests));
    collection.callback_url = std::move(valid->callback_url);
    collection.created_at = collection.updated_at = Clock::now();
    co_await impl_->store->put_collection(collection);
    co_return collection;
}

Task<Outcome<Collection>> Runtime::get_collection(std::string id, TenantId tenant) {
    auto collection = co_await impl_->owned_collection(id, tenant);
    if (!collection) {
        co_return collection_not_found(id);
    }
    co_return std::move(*collection);
}

Task<Page<Collection>> Runtime::list_collections(PageQuery page, TenantId tenant) {
    co_return co_await impl_->store->list_collections(std::move(tenant), page);
}

Task<Outcome<Collection>> Runtime::update_collection(std::string id, CollectionPatch patch,
                                                     TenantId tenant) {
    if (impl_->engine.stopping()) {
        co_return shutting_down();
    }
    auto found = co_await impl_->owned_collection(id, tenant);
    if (!found) {
        co_return collection_not_found(id);
    }
    // What the collection holds was checked when it was stored: only the fields the patch gives
    // are checked, by the rules of a new collection. A rename keeps the request list as it is,
    // neither copied nor checked again, however long it is.
    auto valid = validate(std::move(patch), impl_->limits);
    if (!valid) {
        co_return valid.error();
    }
    Collection collection = std::move(*found);
    if (valid->name) {
        collection.name = std::move(*valid->name);
    }
    if (valid->requests) {
        // Runs already started keep the list they hold; only new runs see the new one.
        collection.requests =
            std::make_shared<const std::vector<Request>>(std::move(*valid->requests));
    }
    if (valid->callback_url) {
        collection.callback_url = std::move(*valid->callback_url);
    }
    collection.updated_at = Clock::now();
    co_await impl_->store->put_collection(collection);
    co_return collection;
}

Task<Outcome<std::string>> Runtime::delete_collection(std::string id, TenantId tenant) {
    if (impl_->engine.stopping()) {
        co_return shutting_down();
    }
    const auto collection = co_await impl_->owned_collection(id, tenant);
    if (!collection) {
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
    std::vector<PendingCallback> undelivered = co_await impl_->store->pending_callbacks();
    if (!undelivered.empty()) {
        log(LogLevel::info, "resuming ", undelivered.size(), " webhook deliveries");
        impl_->notifier.resume(std::move(undelivered));
    }
    co_return unfinished.size();
}

Task<Outcome<Run>> Runtime::start_run(std::string collection_id, RunOptions options,
                                      TenantId tenant) {
    if (impl_->engine.stopping()) {
        co_return shutting_down();
    }
    auto valid = validate(std::move(options));
    if (!valid) {
        co_return valid.error();
    }
    auto collection = co_await impl_->owned_collection(collection_id, tenant);
    if (!collection) {
        co_return collection_not_found(collection_id);
    }
    const RequestList requests = collection->requests;
    if (auto refused = impl_->over_tenant_queue(tenant, requests->size())) {
        co_return std::move(*refused);
    }
    // Counted against the queue while the run is being stored, before the engine queues it.
    const Impl::StartingJobs starting(*impl_, tenant, requests->size());

    Run run;
    run.run_id = new_uuid();
    run.collection_id = collection_id;
    run.tenant = std::move(tenant);
    run.callback_url =
        valid->callback_url ? std::move(valid->callback_url) : std::move(collection->callback_url);
    if (run.callback_url) {
        run.callback_status = CallbackStatus::pending;
    }
    run.total_requests = static_cast<std::int64_t>(requests->size());
    run.created_at = Clock::now();

    const bool created = co_await impl_->store->create_run(run, requests);
    if (!created) {
        co_return collection_not_found(collection_id);  // deleted while the run was created
    }
    impl_->engine.start(run, requests);
    co_return run;
}

Task<Outcome<Run>> Runtime::get_run(std::string collection_id, std::string run_id,
                                    TenantId tenant) {
    if (auto live = impl_->live_run(collection_id, run_id, tenant)) {
        co_return live->run;
    }
    auto run = co_await impl_->store->get_run(std::move(collection_id), run_id);
    if (!run || run->tenant != tenant) {
        co_return run_not_found(run_id);
    }
    co_return std::move(*run);
}

Task<Outcome<Page<Run>>> Runtime::list_runs(std::string collection_id,
                                            std::optional<RunStatus> filter, PageQuery page,
                                            TenantId tenant) {
    if (!co_await impl_->owned_collection(collection_id, tenant)) {
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

Task<Outcome<Run>> Runtime::cancel_run(std::string collection_id, std::string run_id,
                                       TenantId tenant) {
    // A live run may have ended already, its end still being written: that is a conflict too.
    if (auto live = impl_->live_run(collection_id, run_id, tenant); live && !live->run.ended()) {
        co_await impl_->engine.cancel(live);
        co_return live->run;
    }
    auto run = co_await get_run(collection_id, run_id, tenant);
    if (!run) {
        co_return run.error();
    }
    co_return conflict("run " + run_id + " has already ended (" +
                       std::string(to_string(run->status)) + ")");
}

Task<Outcome<Run>> Runtime::wait_run(std::string collection_id, std::string run_id,
                                     TenantId tenant) {
    auto live = impl_->live_run(collection_id, run_id, tenant);
    if (!live) {
        co_return co_await get_run(std::move(collection_id), std::move(run_id), std::move(tenant));
    }
    while (!live->run.ended()) {
        if (impl_->engine.stopping()) {
            co_return shutting_down();
        }
        co_await live->wait_for_change();
    }
    co_return live->run;
}

Task<Outcome<Run>> Runtime::wait_progress(std::string collection_id, std::string run_id, Run seen,
                                          TenantId tenant) {
    auto live = impl_->live_run(collection_id, run_id, tenant);
    if (!live) {
        co_return co_await get_run(std::move(collection_id), std::move(run_id), std::move(tenant));
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
                                            std::optional<JobStatus> filter, PageQuery page,
                                            TenantId tenant) {
    if (auto run = co_await get_run(collection_id, run_id, std::move(tenant)); !run) {
        co_return run.error();
    }
    co_return co_await impl_->store->list_jobs(std::move(run_id), filter, page);
}

Task<Outcome<Job>> Runtime::get_job(std::string collection_id, std::string run_id,
                                    std::string job_id, TenantId tenant) {
    if (auto run = co_await get_run(collection_id, run_id, std::move(tenant)); !run) {
        co_return run.error();
    }
    auto job = co_await impl_->store->get_job(run_id, job_id);
    if (!job) {
        co_return not_found("job " + job_id + " not found");
    }
    co_return std::move(*job);
}

Task<Outcome<JobResult>> Runtime::get_result(std::string collection_id, std::string run_id,
                                             std::string job_id, TenantId tenant) {
    auto job = co_await get_job(collection_id, run_id, job_id, std::move(tenant));
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
                                                   std::string job_id, TenantId tenant) {
    if (auto job = co_await get_job(collection_id, run_id, job_id, std::move(tenant)); !job) {
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
                                                             std::size_t limit, TenantId tenant) {
    if (auto run = co_await get_run(collection_id, run_id, std::move(tenant)); !run) {
        co_return run.error();
    }
    co_return co_await impl_->store->results_after(std::move(run_id), filter, after_index, limit);
}

Task<void> Runtime::shutdown(std::chrono::milliseconds grace) {
    if (impl_->retention_sweep) {
        impl_->retention_sweep->stop();
    }
    co_await impl_->engine.shutdown(grace);
    co_await impl_->notifier.stop();
}

}  // namespace asyncscrape
