// Fan-out: one run of N GETs of one URL through the runtime, K in flight, results stored (in
// the memory store, or with --store sqlite in the durable SQLite store under --data): plain
// fetches, optionally each followed by a wait-for-timeout action (--wait-ms), or with --browser
// page loads in Chromium with --browser-tabs tabs. Prints one JSON line with the rate, the wall
// time of the whole process and its peak RSS, so that scripts can compare it with wrk's, curl's,
// playwright-core's or a fresh Chromium's per page.
//
//     asyncscrape-bench --url http://127.0.0.1:8081/page.html --requests 20000 --concurrency 64
//     asyncscrape-bench --url http://127.0.0.1:8081/page.html --requests 100000
//         --concurrency 1000 --wait-ms 2000
//     asyncscrape-bench --url http://127.0.0.1:8081/app.html --requests 100 --browser
//         --browser-tabs 4
//     asyncscrape-bench --url http://127.0.0.1:8081/small.html --requests 1000000
//         --store sqlite --data /tmp/bench-data
#include <asyncscrape/log.hpp>
#include <asyncscrape/runtime.hpp>
#include <asyncscrape/store.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;

namespace {

enum class StoreKind { memory, sqlite };

struct Options {
    std::string url;
    std::size_t requests = 20000;
    std::size_t concurrency = 64;
    std::optional<std::size_t> per_host;  // unset: as many as --concurrency
    bool browser = false;
    std::size_t browser_tabs = 0;         // 0: as many as --concurrency
    std::string chromium;                 // empty: the runtime's default
    std::optional<std::int64_t> wait_ms;  // a wait-for-timeout action after each fetch
    std::optional<StoreKind> store;       // unset: sqlite with --data, else memory
    std::string data_dir;                 // the SQLite store's directory
    asyncscrape::LogLevel log_level = asyncscrape::LogLevel::warn;  // the JSON line stays alone
};

struct Measurement {
    asyncscrape::Run run;
    double seconds = 0;
    std::string first_error;  // of the first job that did not succeed, to explain a bad run
};

// The one request every job of the run makes.
asyncscrape::Request bench_request(const Options& options) {
    asyncscrape::Request request;
    request.url = options.url;
    request.browser = options.browser;
    if (options.wait_ms) {
        asyncscrape::Action wait;
        wait.type = asyncscrape::ActionType::wait_for_timeout;
        wait.time_ms = *options.wait_ms;
        request.actions.push_back(wait);
    }
    return request;
}

// Answers only the id: the collection's requests are the store's to keep, not the bench's, so
// that the peak memory of a big run is the runtime's own.
asio::awaitable<std::string> create_collection(asyncscrape::Runtime& runtime,
                                               const Options& options) {
    asyncscrape::CollectionSpec spec;
    spec.name = "bench";
    spec.requests.assign(options.requests, bench_request(options));
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

constexpr const char* usage =
    "usage: asyncscrape-bench --url URL [--requests N] [--concurrency K] [--per-host K]\n"
    "  [--wait-ms MS] [--browser] [--browser-tabs T] [--chromium PATH] [--store memory|sqlite]\n"
    "  [--data DIR] [--log-level LEVEL]";

std::size_t count_of(const std::string& flag, const char* value) {
    char* end = nullptr;
    const unsigned long long count = std::strtoull(value, &end, 10);
    if (end == value || *end != '\0') {
        throw std::invalid_argument(flag + " needs a whole number");
    }
    return static_cast<std::size_t>(count);
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
            options.requests = count_of(flag, value);
        } else if (flag == "--concurrency") {
            options.concurrency = count_of(flag, value);
        } else if (flag == "--per-host") {
            options.per_host = count_of(flag, value);
        } else if (flag == "--browser-tabs") {
            options.browser_tabs = count_of(flag, value);
        } else if (flag == "--chromium") {
            options.chromium = value;
        } else if (flag == "--wait-ms") {
            options.wait_ms = static_cast<std::int64_t>(count_of(flag, value));
        } else if (flag == "--data") {
            options.data_dir = value;
        } else if (flag == "--store") {
            const std::string kind = value;
            if (kind == "memory") {
                options.store = StoreKind::memory;
            } else if (kind == "sqlite") {
                options.store = StoreKind::sqlite;
            } else {
                throw std::invalid_argument("--store: memory or sqlite");
            }
        } else if (flag == "--log-level") {
            const auto level = asyncscrape::parse_log_level(value);
            if (!level) {
                throw std::invalid_argument("--log-level: debug, info, warn, error or off");
            }
            options.log_level = *level;
        } else {
            throw std::invalid_argument("unknown flag " + flag + "\n" + usage);
        }
    }
    if (options.url.empty() || options.requests == 0 || options.concurrency == 0) {
        throw std::invalid_argument(usage);
    }
    if (!options.store) {
        options.store = options.data_dir.empty() ? StoreKind::memory : StoreKind::sqlite;
    }
    if (options.store == StoreKind::sqlite && options.data_dir.empty()) {
        throw std::invalid_argument("--store sqlite needs --data DIR");
    }
    return options;
}

// The process's peak resident memory so far, in MB (Linux reports ru_maxrss in KB).
double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) try {
    const auto process_started = std::chrono::steady_clock::now();
    const Options options = parse(argc, argv);
    asyncscrape::set_log_level(options.log_level);
    asyncscrape::RuntimeConfig config;
    config.max_concurrency = options.concurrency;
    config.browser_tabs = options.browser_tabs ? options.browser_tabs : options.concurrency;
    if (!options.chromium.empty()) {
        config.chromium_path = options.chromium;
    }
    config.per_host = options.per_host.value_or(options.concurrency);
    config.idle_connections_per_host = config.per_host;
    config.max_requests = options.requests;
    config.allow_private_targets = true;  // the targets of a benchmark are local

    Measurement measurement;
    {
        asio::io_context io;
        std::shared_ptr<asyncscrape::Store> store = asyncscrape::make_memory_store();
        if (options.store == StoreKind::sqlite) {
            auto durable = asyncscrape::open_sqlite_store(io.get_executor(), options.data_dir);
            if (!durable) {
                throw std::runtime_error(durable.error().detail);
            }
            store = std::move(durable).value();
        }
        asyncscrape::Runtime runtime(io.get_executor(), config, store);
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
    }  // the store is closed (and flushed) before the wall time is taken
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - process_started;
    if (!measurement.first_error.empty()) {
        std::cerr << "first failure: " << measurement.first_error << '\n';
    }
    const auto& run = measurement.run;
    std::cout << "{\"requests\": " << run.total_requests
              << ", \"success\": " << run.success_requests
              << ", \"failed\": " << run.failed_requests
              << ", \"timeout\": " << run.timeout_requests
              << ", \"seconds\": " << measurement.seconds << ", \"requests_per_second\": "
              << static_cast<double>(run.total_requests) / measurement.seconds
              << ", \"wall_seconds\": " << wall.count() << ", \"peak_rss_mb\": " << peak_rss_mb()
              << ", \"store\": \"" << (options.store == StoreKind::sqlite ? "sqlite" : "memory")
              << "\"}\n";
    return run.success_requests == run.total_requests ? 0 : 1;
} catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 2;
}
