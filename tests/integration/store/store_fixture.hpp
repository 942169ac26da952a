// What the store tests share: the two stores under test behind one factory interface, model
// values to store, and a way to await a store call from a test body.
#pragma once

#include "support/run_test_coroutine.hpp"
#include "support/temp_dir.hpp"

#include <asyncscrape/json.hpp>
#include <asyncscrape/store.hpp>

#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace asyncscrape::test {

struct MemoryStoreFactory {
    std::shared_ptr<Store> open(boost::asio::io_context&) { return make_memory_store(); }
};

// A SQLite store in a temporary directory; open() again after the last store is gone reopens it.
struct SqliteStoreFactory {
    TempDir data;

    std::shared_ptr<Store> open(boost::asio::io_context& io) {
        auto store = open_sqlite_store(io.get_executor(), data.string());
        INFO((store ? std::string() : store.error().detail));
        REQUIRE(store);
        return std::move(store).value();
    }
};

template <class Factory>
struct StoreFixture {
    boost::asio::io_context io;
    Factory factory;
    std::shared_ptr<Store> store = factory.open(io);

    template <class T>
    T await(boost::asio::awaitable<T> call) {
        return run_test_coroutine(io, std::move(call));
    }

    // Closes the store (its threads finish what was queued) and opens the same data again.
    void reopen() {
        store.reset();
        store = factory.open(io);
    }
};

inline TimePoint at_second(int second) {
    return TimePoint(std::chrono::seconds(1'800'000'000 + second));
}

inline Request request_for(std::string url) {
    Request request;
    request.url = std::move(url);
    request.headers = {{"Accept", "text/html"}, {"X-Trace", "1"}};
    return request;
}

inline Collection collection_of(std::string id, int requests, int second = 0) {
    auto list = std::make_shared<std::vector<Request>>();
    for (int i = 0; i < requests; ++i) {
        list->push_back(request_for("https://example.test/" + id + "/" + std::to_string(i)));
    }
    Collection collection;
    collection.id = std::move(id);
    collection.name = "collection " + collection.id;
    collection.requests = std::move(list);
    collection.created_at = at_second(second);
    collection.updated_at = at_second(second);
    return collection;
}

inline Run run_of(const Collection& collection, std::string run_id, int second = 0) {
    Run run;
    run.run_id = std::move(run_id);
    run.collection_id = collection.id;
    run.total_requests = collection.total_requests();
    run.created_at = at_second(second);
    return run;
}

// The pending jobs create_run makes for a run of the collection.
inline std::vector<Job> jobs_of(const Run& run, const Collection& collection) {
    std::vector<Job> jobs;
    for (std::size_t i = 0; i < collection.requests->size(); ++i) {
        Job job;
        job.job_id = job_id_of(run.run_id, static_cast<std::int64_t>(i));
        job.run_id = run.run_id;
        job.index = static_cast<std::int64_t>(i);
        job.url = (*collection.requests)[i].url;
        job.custom_id = (*collection.requests)[i].custom_id;
        jobs.push_back(std::move(job));
    }
    return jobs;
}

// A job finished with `status`, and a result that uses every field.
inline std::pair<Job, JobResult> finished(Job job, JobStatus status) {
    job.status = status;
    job.attempts = 1;
    job.status_code = status == JobStatus::success ? 200 : 502;
    job.started_at = at_second(10);
    job.finished_at = at_second(11);
    job.duration_ms = 1000;
    if (status != JobStatus::success) {
        job.error = "upstream answered 502";
    }
    JobResult result;
    result.job_id = job.job_id;
    result.index = job.index;
    result.status = status;
    result.url = job.url;
    result.final_url = job.url + "?redirected";
    result.status_code = job.status_code;
    result.headers = {{"content-type", "text/html"}, {"set-cookie", "a=1"}, {"set-cookie", "b=2"}};
    result.body = std::string("<p>body of ") + job.job_id + "</p>" + std::string(1, '\0') + "\xff";
    result.error = job.error;
    result.timings = {1.5, 2.25, 3, 4, 5, 16.75};
    ActionOutcome evaluated;
    evaluated.type = ActionType::evaluate;
    evaluated.duration_ms = 12;
    evaluated.value_json = R"({"title":"x"})";
    ActionOutcome skipped;
    skipped.type = ActionType::click;
    skipped.status = ActionStatus::skipped;
    skipped.error = "no element matches #more";
    result.actions = {evaluated, skipped};
    result.screenshot = "/v1/screenshots/" + job.job_id;
    result.custom_id = "custom-" + std::to_string(job.index);
    return {std::move(job), std::move(result)};
}

// Model values compared through their full JSON form, which shows every field.
template <class T>
std::string shown(const T& value) {
    return to_json(value);
}

template <class T>
std::string shown(const std::optional<T>& value) {
    return value ? to_json(*value) : "none";
}

}  // namespace asyncscrape::test
