// What the runtime's integration tests share: a runtime configuration for loopback, requests, and
// short ways to run a collection to its end and read its jobs.
#pragma once

#include <asyncscrape/runtime.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace asyncscrape::test {

inline RuntimeConfig local_config() {
    RuntimeConfig config;
    config.allow_private_targets = true;
    config.retry_base_delay = std::chrono::milliseconds(20);
    config.retry_max_delay = std::chrono::milliseconds(200);
    return config;
}

inline Request plain(std::string url, std::int64_t timeout_ms = 30000) {
    Request request;
    request.url = std::move(url);
    request.timeout_ms = timeout_ms;
    return request;
}

inline Request with_wait(std::string url, std::int64_t wait_ms) {
    Request request = plain(std::move(url));
    Action wait;
    wait.type = ActionType::wait_for_timeout;
    wait.time_ms = wait_ms;
    request.actions.push_back(wait);
    return request;
}

// Creates a collection of `requests` and starts a run of it.
inline boost::asio::awaitable<Run> start(Runtime& runtime, std::vector<Request> requests) {
    CollectionSpec spec;
    spec.name = "test";
    spec.requests = std::move(requests);
    auto collection = co_await runtime.create_collection(std::move(spec));
    REQUIRE(collection);
    auto run = co_await runtime.start_run(collection->id);
    REQUIRE(run);
    co_return *run;
}

inline boost::asio::awaitable<Run> run_to_end(Runtime& runtime, std::vector<Request> requests) {
    const Run started = co_await start(runtime, std::move(requests));
    auto ended = co_await runtime.wait_run(started.collection_id, started.run_id);
    REQUIRE(ended);
    co_return *ended;
}

inline boost::asio::awaitable<std::vector<Job>> jobs_of(Runtime& runtime, const Run& run) {
    auto jobs =
        co_await runtime.list_jobs(run.collection_id, run.run_id, std::nullopt, PageQuery{0, 1000});
    REQUIRE(jobs);
    co_return jobs->items;
}

inline boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, duration);
    co_await timer.async_wait(boost::asio::use_awaitable);
}

inline void check_counters_add_up(const Run& run) {
    CHECK(run.success_requests + run.failed_requests + run.timeout_requests +
              run.cancelled_requests ==
          run.total_requests);
}

}  // namespace asyncscrape::test
