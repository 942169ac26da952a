// Fan-out: one run of N GETs of one URL through the runtime, K in flight, results stored (in
// memory, or with --data in the SQLite store there): plain fetches, or with --browser page loads
// in Chromium with K tabs. Prints one JSON line with the
// rate, so that scripts can compare it with wrk's, curl's or a fresh Chromium's per page.
//
//     asyncscrape-bench --url http://127.0.0.1:8081/page.html --requests 20000 --concurrency 64
//     asyncscrape-bench --url http://127.0.0.1:8081/app.html --requests 100 --concurrency 4
//     --browser
#include <asyncscrape/log.hpp>
#include <asyncscrape/runtime.hpp>
#include <asyncscrape/store.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;

namespace {

struct Options {
    std::string url;
    std::size_t requests = 20000;
    std::size_t concurrency = 64;
    bool browser = false;
    std::string data_dir;  // with --data, results go to the SQLite store there
    asyncscrape::LogLevel log_level = asyncscrape::LogLevel::warn;  // the JSON line stays alone
};

struct Measurement {
    asyncscrape::Run run;
    double seconds = 0;
    std::string first_error;  // of the first job that did not succeed, to explain a bad run
};

// Answers only the id: the collection's requests are the store's to keep, not the bench's, so
// that the peak memory of a big run is the runtime's own.
asio::awaitable<std::string> create_collection(asyncscrape::Runtime& runtime,
                                               const Options& options) {
    asyncscrape::CollectionSpec spec;
    spec.name = "bench";
    asyncscrape::Request request;
    request.url = options.url;
    request.browser = options.browser;
    spec.requests.assign(options.requests, request);
    auto collection = co_await runtime.create_collection(std::move(spec));
    if (!collection) {
        throw std::runtime_error(collection.error().detail);
    }
    co_return collection->id;
}

asio::awaitable<Measurement> fan_out(asyncscrape::Runtime& runtime, const Options& options) {
    const std::string collection_id = co_await create_collection(runtime, options);
    const auto started = std::chrono::steady_clock::now();
    auto run = co_await runtime.start_run(collection_id);
    if (!run) {
        throw std::runtime_error(run.error().detail);
    }
    auto done = co_await runtime.wait_run(collection_id, run->run_id);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
    Measurement measurement{*done, elapsed.count(), {}};
    if (done->success_requests != done->total_requests) {
        auto failed = co_await runtime.list_jobs(collection_id, run->run_id,
                                                 asyncscrape::JobStatus::failed, {0, 1});
        if (failed && !failed->items.empty()) {
            measurement.first_error = failed->items.front().error.value_or("");
        }
    }
    co_await runtime.shutdown();
    co_return measurement;
}

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--browser") {
            options.browser = true;
            --i;
            continue;
        }
        if (i + 1 == argc) {
            throw std::invalid_argument(flag + " needs a value");
        }
        const char* value = argv[i + 1];
        if (flag == "--url") {
            options.url = value;
        } else if (flag == "--requests") {
            options.requests = std::strtoull(value, nullptr, 10);
        } else if (flag == "--data") {
            options.data_dir = value;
        } else if (flag == "--concurrency") {
            options.concurrency = std::strtoull(value, nullptr, 10);
        } else if (flag == "--log-level") {
            const auto level = asyncscrape::parse_log_level(value);
            if (!level) {
                throw std::invalid_argument("--log-level: debug, info, warn, error or off");
            }
            options.log_level = *level;
        } else {
            throw std::invalid_argument("unknown flag " + flag);
        }
    }
    if (options.url.empty() || options.requests == 0 || options.concurrency == 0) {
        throw std::invalid_argument(
            "usage: asyncscrape-bench --url URL [--requests N] [--concurrency K] [--browser] "
            "[--data DIR] [--log-level LEVEL]");
    }
    return options;
}

}  // namespace

int main(int argc, char** argv) try {
    const Options options = parse(argc, argv);
    asyncscrape::set_log_level(options.log_level);
    asyncscrape::RuntimeConfig config;
    config.max_concurrency = options.concurrency;
    config.browser_tabs = options.concurrency;
    config.per_host = options.concurrency;
    config.idle_connections_per_host = options.concurrency;
    config.max_requests = options.requests;
    config.allow_private_targets = true;  // the targets of a benchmark are local

    asio::io_context io;
    std::shared_ptr<asyncscrape::Store> store = asyncscrape::make_memory_store();
    if (!options.data_dir.empty()) {
        auto durable = asyncscrape::open_sqlite_store(io.get_executor(), options.data_dir);
        if (!durable) {
            throw std::runtime_error(durable.error().detail);
        }
        store = std::move(durable).value();
    }
    asyncscrape::Runtime runtime(io.get_executor(), config, store);
    Measurement measurement;
    std::exception_ptr failure;
    asio::co_spawn(io, fan_out(runtime, options),
                   [&](std::exception_ptr error, Measurement result) {
                       failure = error;
                       measurement = std::move(result);
                   });
    io.run();
    if (failure) {
        std::rethrow_exception(failure);
    }
    if (!measurement.first_error.empty()) {
        std::cerr << "first failure: " << measurement.first_error << '\n';
    }
    const auto& run = measurement.run;
    std::cout << "{\"requests\": " << run.total_requests
              << ", \"success\": " << run.success_requests
              << ", \"failed\": " << run.failed_requests
              << ", \"timeout\": " << run.timeout_requests
              << ", \"seconds\": " << measurement.seconds << ", \"requests_per_second\": "
              << static_cast<double>(run.total_requests) / measurement.seconds << "}\n";
    return run.success_requests == run.total_requests ? 0 : 1;
} catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 2;
}
