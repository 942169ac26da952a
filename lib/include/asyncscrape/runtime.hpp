// The embedding API: everything the HTTP server does, callable from a program's own io_context.
//
//     asio::io_context io;
//     asyncscrape::Runtime runtime(io.get_executor(), config);
//     co_spawn(io, [&]() -> asio::awaitable<void> {
//         auto collection = co_await runtime.create_collection(spec);
//         auto run = co_await runtime.start_run(collection->id);
//         auto done = co_await runtime.wait_run(collection->id, run->run_id);
//         ...
//         co_await runtime.shutdown();
//     }, handler);
//
// The runtime keeps work on the io_context until shutdown (the retention sweep, when
// RuntimeConfig::retention is not zero), so io.run() returns after shutdown() has.
// All calls must be made from the io_context's thread (the runtime is single-threaded, like the
// server built on it); the awaitables resume on it.
#pragma once

#include <asyncscrape/config.hpp>
#include <asyncscrape/error.hpp>
#include <asyncscrape/model.hpp>
#include <asyncscrape/store.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace asyncscrape {

class Runtime {
  public:
    // `store` defaults to a fresh in-memory store.
    Runtime(boost::asio::any_io_executor executor, RuntimeConfig config = {},
            std::shared_ptr<Store> store = nullptr);
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    const RuntimeConfig& config() const;
    // Where collections, runs and results live (the one given, or the runtime's memory store).
    Store& store();

    // Tenants' own keys for webhook signatures, replacing those set before; a tenant without
    // one has its deliveries signed with RuntimeConfig::webhook_secret.
    void set_webhook_secrets(std::unordered_map<TenantId, std::string> secrets);

    // Resumes the runs the store holds as in progress, as after a restart of a durable store:
    // jobs with an outcome keep it, the others run again. Call once, before serving; answers how
    // many runs were resumed.
    Task<std::size_t> resume_runs();

    // Every call below acts for a tenant, its last argument: collections are created for it, and
    // it sees only its own (another tenant's ids are not found, lists hold only its items). The
    // default, "", is the one tenant of a server without API keys.

    // Collections. The spec is validated again here (the same rules as the HTTP edge), so an
    // embedder cannot store what a client could not.
    Task<Outcome<Collection>> create_collection(CollectionSpec spec, TenantId tenant = {});
    Task<Outcome<Collection>> get_collection(std::string id, TenantId tenant = {});
    Task<Page<Collection>> list_collections(PageQuery page, TenantId tenant = {});
    Task<Outcome<Collection>> update_collection(std::string id, CollectionPatch patch,
                                                TenantId tenant = {});
    // Cancels the collection's runs and removes them with their results.
    Task<Outcome<std::string>> delete_collection(std::string id, TenantId tenant = {});

    // Runs. start_run answers at once with the run in progress; its jobs go on in the background.
    // Errc::over_limit when RuntimeConfig::tenant_queue would be passed.
    Task<Outcome<Run>> start_run(std::string collection_id, RunOptions options = {},
                                 TenantId tenant = {});
    Task<Outcome<Run>> get_run(std::string collection_id, std::string run_id, TenantId tenant = {});
    Task<Outcome<Page<Run>>> list_runs(std::string collection_id, std::optional<RunStatus> filter,
                                       PageQuery page, TenantId tenant = {});
    // Asks the run to stop; answers the run as it stands (it becomes `cancelled` once its jobs
    // in flight have stopped). A run that already ended is a conflict.
    Task<Outcome<Run>> cancel_run(std::string collection_id, std::string run_id,
                                  TenantId tenant = {});
    // Resumes when the run has ended (completed or cancelled).
    Task<Outcome<Run>> wait_run(std::string collection_id, std::string run_id,
                                TenantId tenant = {});
    // Resumes when the run's counters or status differ from `seen`, or at once if they already
    // do: a loop over it observes a run's progress without polling.
    Task<Outcome<Run>> wait_progress(std::string collection_id, std::string run_id, Run seen,
                                     TenantId tenant = {});

    // Jobs and results.
    Task<Outcome<Page<Job>>> list_jobs(std::string collection_id, std::string run_id,
                                       std::optional<JobStatus> filter, PageQuery page,
                                       TenantId tenant = {});
    Task<Outcome<Job>> get_job(std::string collection_id, std::string run_id, std::string job_id,
                               TenantId tenant = {});
    // A conflict while the job is not finished.
    Task<Outcome<JobResult>> get_result(std::string collection_id, std::string run_id,
                                        std::string job_id, TenantId tenant = {});
    // The PNG of a job whose request asked for a screenshot and got one; not found otherwise.
    Task<Outcome<std::string>> get_screenshot(std::string collection_id, std::string run_id,
                                              std::string job_id, TenantId tenant = {});
    // Finished jobs' results after `after_index`, in request order: page through a run's results
    // without holding them all.
    Task<Outcome<std::vector<JobResult>>> results_after(std::string collection_id,
                                                        std::string run_id,
                                                        std::optional<JobStatus> filter,
                                                        std::int64_t after_index, std::size_t limit,
                                                        TenantId tenant = {});

    // Shutdown: no run or job starts any more; jobs in flight may finish for up to `grace`, then
    // the rest stop. Runs are not marked cancelled (a durable store resumes them at the next
    // start, with the jobs that did not finish). Resumes once every job and run coroutine has
    // finished.
    Task<void> shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds{0});

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace asyncscrape
