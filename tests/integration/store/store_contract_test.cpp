// The behaviour every Store has, run against the memory store (the reference) and the SQLite
// store alike: lists newest first with totals, filters, results by index and after a cursor,
// cancelling pending jobs, delete_collection removing everything below a collection, and
// retention removing the runs that ended before a cutoff.
#include "store_fixture.hpp"

using namespace asyncscrape;
using namespace asyncscrape::test;

#define STORE_TEST(name) TEMPLATE_TEST_CASE(name, "[store]", MemoryStoreFactory, SqliteStoreFactory)

STORE_TEST("collections are created, replaced, listed newest first and deleted") {
    StoreFixture<TestType> f;
    for (int i = 0; i < 3; ++i) {
        f.await(f.store->put_collection(collection_of("c" + std::to_string(i), 2, i)));
    }

    const auto found = f.await(f.store->get_collection("c1"));
    REQUIRE(found);
    CHECK(shown(*found) == shown(collection_of("c1", 2, 1)));
    CHECK_FALSE(f.await(f.store->get_collection("missing")));

    const auto page = f.await(f.store->list_collections({}, {.offset = 1, .limit = 1}));
    CHECK(page.total == 3);
    REQUIRE(page.items.size() == 1);
    CHECK(page.items[0].id == "c1");

    // Replacing keeps the collection's place in the list and takes the new fields.
    auto replaced = collection_of("c0", 5, 7);
    replaced.name = "renamed";
    replaced.callback_url = "https://hooks.example.test/done";
    f.await(f.store->put_collection(replaced));
    const auto all = f.await(f.store->list_collections({}, {}));
    REQUIRE(all.items.size() == 3);
    CHECK(all.items[0].id == "c2");
    CHECK(all.items[2].id == "c0");
    CHECK(shown(all.items[2]) == shown(replaced));
    CHECK(all.items[2].total_requests() == 5);

    CHECK(f.await(f.store->delete_collection("c2")));
    CHECK_FALSE(f.await(f.store->delete_collection("c2")));
    CHECK_FALSE(f.await(f.store->get_collection("c2")));
    CHECK(f.await(f.store->list_collections({}, {})).total == 2);
}

STORE_TEST("runs are listed newest first, filtered by status and found in their collection") {
    StoreFixture<TestType> f;
    const auto collection = collection_of("c", 2);
    f.await(f.store->put_collection(collection));
    for (int i = 0; i < 3; ++i) {
        const auto run = run_of(collection, "r" + std::to_string(i), i);
        REQUIRE(f.await(f.store->create_run(run, collection.requests)));
    }
    auto completed = run_of(collection, "r1", 1);
    completed.status = RunStatus::completed;
    completed.success_requests = 1;
    completed.failed_requests = 1;
    completed.finished_at = at_second(30);
    f.await(f.store->update_run(completed));

    CHECK(shown(f.await(f.store->get_run("c", "r1"))) == shown(completed));
    CHECK_FALSE(f.await(f.store->get_run("other", "r1")));
    CHECK_FALSE(f.await(f.store->get_run("c", "missing")));

    const auto all = f.await(f.store->list_runs("c", std::nullopt, {}));
    CHECK(all.total == 3);
    REQUIRE(all.items.size() == 3);
    CHECK(all.items[0].run_id == "r2");
    CHECK(all.items[2].run_id == "r0");

    const auto running = f.await(f.store->list_runs("c", RunStatus::in_progress, {.limit = 1}));
    CHECK(running.total == 2);
    REQUIRE(running.items.size() == 1);
    CHECK(running.items[0].run_id == "r2");

    const auto done = f.await(f.store->list_runs("c", RunStatus::completed, {}));
    REQUIRE(done.items.size() == 1);
    CHECK(done.items[0].run_id == "r1");
    CHECK(f.await(f.store->list_runs("other", std::nullopt, {})).total == 0);
}

STORE_TEST("jobs are updated and finished with their results, read by id and after an index") {
    StoreFixture<TestType> f;
    const auto collection = collection_of("c", 4);
    const auto run = run_of(collection, "r");
    auto requests = std::make_shared<std::vector<Request>>(*collection.requests);
    (*requests)[2].custom_id = "sku-2";
    // As the engine gives them to the store: with the url and custom_id of the run's requests.
    auto jobs = jobs_of(run, collection);
    jobs[2].custom_id = "sku-2";
    f.await(f.store->put_collection(collection));
    REQUIRE(f.await(f.store->create_run(run, requests)));

    // The run's jobs are created pending, under the ids derived from the run, with the url and
    // custom_id of their request.
    const auto created = f.await(f.store->get_job("r", job_id_of("r", 2)));
    REQUIRE(created);
    CHECK(created->index == 2);
    CHECK(created->status == JobStatus::pending);
    CHECK(created->url == (*requests)[2].url);
    CHECK(created->custom_id == "sku-2");
    CHECK(f.await(f.store->list_jobs("r", JobStatus::pending, {})).total == 4);

    auto running = jobs[1];
    running.status = JobStatus::running;
    running.attempts = 1;
    running.started_at = at_second(5);
    f.await(f.store->update_job(running));
    CHECK(shown(f.await(f.store->get_job("r", running.job_id))) == shown(running));

    const auto [first, first_result] = finished(jobs[0], JobStatus::success);
    const auto [third, third_result] = finished(jobs[2], JobStatus::failed);
    const auto [fourth, fourth_result] = finished(jobs[3], JobStatus::success);
    f.await(f.store->finish_job(third, third_result));
    f.await(f.store->finish_job(first, first_result));
    f.await(f.store->finish_job(fourth, fourth_result));
    // Each outcome is counted in the stored run with the job.
    const auto counted = f.await(f.store->get_run("c", "r"));
    REQUIRE(counted);
    CHECK(counted->success_requests == 2);
    CHECK(counted->failed_requests == 1);
    CHECK(counted->finished_requests() == 3);

    CHECK(shown(f.await(f.store->get_job("r", first.job_id))) == shown(first));
    const auto stored = f.await(f.store->get_result("r", third.job_id));
    REQUIRE(stored);
    CHECK(shown(*stored) == shown(third_result));
    CHECK(stored->body == third_result.body);
    CHECK(stored->headers == third_result.headers);
    CHECK_FALSE(f.await(f.store->get_result("r", running.job_id)));
    CHECK_FALSE(f.await(f.store->get_job("r", "missing")));
    CHECK_FALSE(f.await(f.store->get_job("missing", first.job_id)));

    const auto listed = f.await(f.store->list_jobs("r", std::nullopt, {.offset = 1, .limit = 2}));
    CHECK(listed.total == 4);
    REQUIRE(listed.items.size() == 2);
    CHECK(shown(listed.items[0]) == shown(running));
    CHECK(shown(listed.items[1]) == shown(third));
    const auto succeeded = f.await(f.store->list_jobs("r", JobStatus::success, {}));
    CHECK(succeeded.total == 2);
    REQUIRE(succeeded.items.size() == 2);
    CHECK(succeeded.items[1].job_id == fourth.job_id);

    auto indices = [](const std::vector<JobResult>& results) {
        std::vector<std::int64_t> found;
        for (const auto& result : results) {
            found.push_back(result.index);
        }
        return found;
    };
    using Indices = std::vector<std::int64_t>;
    CHECK(indices(f.await(f.store->results_after("r", std::nullopt, -1, 10))) == Indices{0, 2, 3});
    CHECK(indices(f.await(f.store->results_after("r", std::nullopt, -1, 2))) == Indices{0, 2});
    CHECK(indices(f.await(f.store->results_after("r", std::nullopt, 0, 10))) == Indices{2, 3});
    CHECK(indices(f.await(f.store->results_after("r", JobStatus::success, 0, 10))) == Indices{3});
    CHECK(f.await(f.store->results_after("r", std::nullopt, 3, 10)).empty());
    CHECK(f.await(f.store->results_after("missing", std::nullopt, -1, 10)).empty());
    const auto page = f.await(f.store->results_after("r", JobStatus::failed, -1, 10));
    REQUIRE(page.size() == 1);
    CHECK(shown(page[0]) == shown(third_result));
}

STORE_TEST("a run of a collection that is gone is not created") {
    StoreFixture<TestType> f;
    const auto collection = collection_of("c", 2);
    const auto run = run_of(collection, "r");
    CHECK_FALSE(f.await(f.store->create_run(run, collection.requests)));
    f.await(f.store->put_collection(collection));
    CHECK_FALSE(f.await(f.store->get_run("c", "r")));
    CHECK(f.await(f.store->list_runs("c", std::nullopt, {})).total == 0);
}

STORE_TEST("cancelling marks only the pending jobs of the run") {
    StoreFixture<TestType> f;
    const auto collection = collection_of("c", 3);
    const auto run = run_of(collection, "r");
    const auto other = run_of(collection, "other");
    auto jobs = jobs_of(run, collection);
    f.await(f.store->put_collection(collection));
    REQUIRE(f.await(f.store->create_run(run, collection.requests)));
    REQUIRE(f.await(f.store->create_run(other, collection.requests)));
    jobs[0].status = JobStatus::running;
    f.await(f.store->update_job(jobs[0]));

    CHECK(f.await(f.store->cancel_pending_jobs("r", at_second(40))) == 2);
    CHECK(f.await(f.store->cancel_pending_jobs("r", at_second(41))) == 0);
    CHECK(f.await(f.store->get_run("c", "r"))->cancelled_requests == 2);
    CHECK(f.await(f.store->get_run("c", "other"))->cancelled_requests == 0);

    const auto listed = f.await(f.store->list_jobs("r", std::nullopt, {}));
    REQUIRE(listed.items.size() == 3);
    CHECK(listed.items[0].status == JobStatus::running);
    for (const auto& job : {listed.items[1], listed.items[2]}) {
        CHECK(job.status == JobStatus::cancelled);
        CHECK(job.error == "cancelled before it started");
        CHECK(job.finished_at == at_second(40));
    }
    CHECK(f.await(f.store->list_jobs("other", JobStatus::pending, {})).total == 3);
}

STORE_TEST("screenshots are kept per job apart from the results") {
    StoreFixture<TestType> f;
    const auto collection = collection_of("c", 2);
    const auto run = run_of(collection, "r");
    const auto jobs = jobs_of(run, collection);
    f.await(f.store->put_collection(collection));
    REQUIRE(f.await(f.store->create_run(run, collection.requests)));

    const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    f.await(f.store->put_screenshot("r", jobs[1].job_id, png));
    CHECK(f.await(f.store->get_screenshot("r", jobs[1].job_id)) == png);
    CHECK_FALSE(f.await(f.store->get_screenshot("r", jobs[0].job_id)));
    // A screenshot of a job the run does not have is not kept.
    f.await(f.store->put_screenshot("r", "missing", png));
    CHECK_FALSE(f.await(f.store->get_screenshot("r", "missing")));
    CHECK_FALSE(f.await(f.store->get_screenshot("missing", jobs[1].job_id)));
}

STORE_TEST("deleting a collection removes its runs, jobs, results and screenshots") {
    StoreFixture<TestType> f;
    const auto kept = collection_of("kept", 1);
    const auto removed = collection_of("removed", 2);
    const auto kept_run = run_of(kept, "kept-run");
    const auto removed_run = run_of(removed, "removed-run");
    const auto kept_jobs = jobs_of(kept_run, kept);
    const auto removed_jobs = jobs_of(removed_run, removed);
    f.await(f.store->put_collection(kept));
    f.await(f.store->put_collection(removed));
    REQUIRE(f.await(f.store->create_run(kept_run, kept.requests)));
    REQUIRE(f.await(f.store->create_run(removed_run, removed.requests)));
    for (const auto& job : {kept_jobs[0], removed_jobs[0]}) {
        const auto [done, result] = finished(job, JobStatus::success);
        f.await(f.store->finish_job(done, result));
        f.await(f.store->put_screenshot(job.run_id, job.job_id, "png"));
    }

    CHECK(f.await(f.store->delete_collection("removed")));

    const auto& gone = removed_jobs[0];
    CHECK_FALSE(f.await(f.store->get_run("removed", "removed-run")));
    CHECK(f.await(f.store->list_runs("removed", std::nullopt, {})).total == 0);
    CHECK_FALSE(f.await(f.store->get_job("removed-run", gone.job_id)));
    CHECK(f.await(f.store->list_jobs("removed-run", std::nullopt, {})).total == 0);
    CHECK_FALSE(f.await(f.store->get_result("removed-run", gone.job_id)));
    CHECK(f.await(f.store->results_after("removed-run", std::nullopt, -1, 10)).empty());
    CHECK_FALSE(f.await(f.store->get_screenshot("removed-run", gone.job_id)));

    const auto& still = kept_jobs[0];
    CHECK(f.await(f.store->get_run("kept", "kept-run")));
    CHECK(f.await(f.store->get_result("kept-run", still.job_id)));
    CHECK(f.await(f.store->get_screenshot("kept-run", still.job_id)) == "png");
}

namespace {

// Stores a run of `collection` with its first job finished (result and screenshot), ended with
// `status` at `finished_second` unless it is still in progress.
template <class Fixture>
std::vector<Job> store_run(Fixture& f, const Collection& collection, const std::string& run_id,
                           RunStatus status, int finished_second) {
    auto run = run_of(collection, run_id);
    const auto jobs = jobs_of(run, collection);
    REQUIRE(f.await(f.store->create_run(run, collection.requests)));
    const auto [done, result] = finished(jobs[0], JobStatus::success);
    f.await(f.store->put_screenshot(run_id, done.job_id, "png of " + run_id));
    f.await(f.store->finish_job(done, result));
    if (status != RunStatus::in_progress) {
        run.status = status;
        run.finished_at = at_second(finished_second);
        f.await(f.store->update_run(run));
    }
    return jobs;
}

}  // namespace

STORE_TEST("retention removes the runs that ended before the cutoff, with all below them") {
    StoreFixture<TestType> f;
    const auto collection = collection_of("c", 2);
    f.await(f.store->put_collection(collection));
    const auto completed = store_run(f, collection, "old-completed", RunStatus::completed, 100);
    const auto cancelled = store_run(f, collection, "old-cancelled", RunStatus::cancelled, 150);
    const auto newer = store_run(f, collection, "newer", RunStatus::completed, 200);
    // Started long before the cutoff, but not ended: retention never touches it.
    const auto running = store_run(f, collection, "running", RunStatus::in_progress, 0);

    CHECK(f.await(f.store->remove_runs_finished_before(at_second(200))) == 2);

    for (const auto* jobs : {&completed, &cancelled}) {
        const std::string& run_id = jobs->front().run_id;
        const std::string& job_id = jobs->front().job_id;
        CHECK_FALSE(f.await(f.store->get_run("c", run_id)));
        CHECK_FALSE(f.await(f.store->get_job(run_id, job_id)));
        CHECK(f.await(f.store->list_jobs(run_id, std::nullopt, {})).total == 0);
        CHECK_FALSE(f.await(f.store->get_result(run_id, job_id)));
        CHECK(f.await(f.store->results_after(run_id, std::nullopt, -1, 10)).empty());
        CHECK_FALSE(f.await(f.store->get_screenshot(run_id, job_id)));
    }
    for (const auto* jobs : {&newer, &running}) {
        const std::string& run_id = jobs->front().run_id;
        const std::string& job_id = jobs->front().job_id;
        CHECK(f.await(f.store->get_run("c", run_id)));
        CHECK(f.await(f.store->list_jobs(run_id, std::nullopt, {})).total == 2);
        CHECK(f.await(f.store->get_result(run_id, job_id)));
        CHECK(f.await(f.store->get_screenshot(run_id, job_id)) == "png of " + run_id);
    }
    const auto listed = f.await(f.store->list_runs("c", std::nullopt, {}));
    REQUIRE(listed.total == 2);
    CHECK(listed.items[0].run_id == "running");
    CHECK(listed.items[1].run_id == "newer");
    CHECK(shown(f.await(f.store->get_collection("c"))) == shown(collection));

    // Nothing more has ended before the cutoff: a second sweep removes nothing.
    CHECK(f.await(f.store->remove_runs_finished_before(at_second(200))) == 0);
}

STORE_TEST("collections and runs belong to their tenant, and lists hold only the tenant's") {
    StoreFixture<TestType> f;
    for (const char* tenant : {"acme", "globex", "acme", ""}) {
        auto collection =
            collection_of(std::string(tenant) +
                              std::to_string(f.await(f.store->list_collections(tenant, {})).total),
                          1);
        collection.tenant = tenant;
        f.await(f.store->put_collection(collection));
    }
    const auto acme = f.await(f.store->list_collections("acme", {}));
    CHECK(acme.total == 2);
    REQUIRE(acme.items.size() == 2);
    CHECK(acme.items[0].id == "acme1");
    CHECK(acme.items[1].id == "acme0");
    CHECK(acme.items[0].tenant == "acme");
    CHECK(f.await(f.store->list_collections("globex", {})).total == 1);
    CHECK(f.await(f.store->list_collections("", {})).total == 1);
    CHECK(f.await(f.store->list_collections("initech", {})).total == 0);
    const auto found = f.await(f.store->get_collection("globex0"));
    REQUIRE(found);
    CHECK(found->tenant == "globex");

    auto run = run_of(*found, "r");
    run.tenant = "globex";
    run.callback_url = "https://hooks.example.test/done";
    run.callback_status = CallbackStatus::pending;
    REQUIRE(f.await(f.store->create_run(run, found->requests)));
    const auto stored = f.await(f.store->get_run("globex0", "r"));
    REQUIRE(stored);
    CHECK(stored->tenant == "globex");
    CHECK(stored->callback_url == run.callback_url);
    CHECK(stored->callback_status == CallbackStatus::pending);

    f.await(f.store->update_callback("r", CallbackStatus::sent, 2, std::nullopt));
    const auto sent = f.await(f.store->get_run("globex0", "r"));
    REQUIRE(sent);
    CHECK(sent->callback_status == CallbackStatus::sent);
    // A run without a callback has no status for it.
    const auto plain = run_of(*found, "plain");
    REQUIRE(f.await(f.store->create_run(plain, found->requests)));
    CHECK_FALSE(f.await(f.store->get_run("globex0", "plain"))->callback_status);
}

STORE_TEST("the first reply to an idempotency key is kept, per tenant, until it is old") {
    StoreFixture<TestType> f;
    const IdempotentReply first{"acme",       "key-1", "digest-a", 201, R"({"id":"first"})",
                                at_second(10)};
    f.await(f.store->put_idempotent_reply(first));
    IdempotentReply second = first;
    second.body = R"({"id":"second"})";
    second.created_at = at_second(20);
    f.await(f.store->put_idempotent_reply(second));  // the same key: the first stays

    const auto found = f.await(f.store->find_idempotent_reply("acme", "key-1"));
    REQUIRE(found);
    CHECK(found->request_digest == "digest-a");
    CHECK(found->status == 201);
    CHECK(found->body == R"({"id":"first"})");
    CHECK(found->created_at == at_second(10));
    CHECK_FALSE(f.await(f.store->find_idempotent_reply("globex", "key-1")));
    CHECK_FALSE(f.await(f.store->find_idempotent_reply("acme", "key-2")));

    IdempotentReply later{"globex", "key-1", "digest-b", 200, "{}", at_second(30)};
    f.await(f.store->put_idempotent_reply(later));
    CHECK(f.await(f.store->remove_idempotent_replies_before(at_second(25))) == 1);
    CHECK_FALSE(f.await(f.store->find_idempotent_reply("acme", "key-1")));
    CHECK(f.await(f.store->find_idempotent_reply("globex", "key-1")));
}
