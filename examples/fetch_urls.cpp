// Embedding asyncscrape: fetch a few URLs as one run on your own io_context, watch its progress,
// then read the results. No HTTP server involved.
//
//     fetch_urls [--allow-private-targets] URL...
#include <asyncscrape/runtime.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstring>
#include <exception>
#include <iostream>

namespace asio = boost::asio;

namespace {

void print_progress(const asyncscrape::Run& run) {
    std::cout << "run " << run.run_id << ": " << asyncscrape::to_string(run.status) << ", "
              << run.success_requests << " success, " << run.failed_requests << " failed, "
              << run.timeout_requests << " timeout of " << run.total_requests << '\n';
}

asio::awaitable<int> fetch_all(asyncscrape::Runtime& runtime, std::vector<std::string> urls) {
    asyncscrape::CollectionSpec spec;
    spec.name = "example";
    for (auto& url : urls) {
        asyncscrape::Request request;
        request.url = std::move(url);  // "example.com" is fine: the runtime adds https://
        spec.requests.push_back(std::move(request));
    }
    auto collection = co_await runtime.create_collection(std::move(spec));
    if (!collection) {
        std::cerr << "invalid collection: " << collection.error().detail << '\n';
        co_return 2;
    }
    auto run = co_await runtime.start_run(collection->id);
    if (!run) {
        std::cerr << run.error().detail << '\n';
        co_return 1;
    }

    // Each wait_progress resumes when a job has finished; no polling.
    asyncscrape::Run seen = *run;
    while (!seen.ended()) {
        auto now = co_await runtime.wait_progress(collection->id, seen.run_id, seen);
        if (!now) {
            co_return 1;
        }
        seen = *now;
        print_progress(seen);
    }

    auto results = co_await runtime.results_after(collection->id, seen.run_id, std::nullopt, -1,
                                                  seen.total_requests);
    for (const auto& result : *results) {
        std::cout << result.url << " -> " << asyncscrape::to_string(result.status);
        if (result.status_code) {
            std::cout << " HTTP " << *result.status_code << ", " << result.body.size() << " bytes";
        }
        if (result.error) {
            std::cout << " (" << *result.error << ')';
        }
        std::cout << '\n';
    }
    // Closes pooled keep-alive connections so that io_context::run() returns.
    co_await runtime.shutdown();
    co_return seen.status == asyncscrape::RunStatus::completed ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    asyncscrape::RuntimeConfig config;
    std::vector<std::string> urls;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--allow-private-targets") == 0) {
            config.allow_private_targets = true;
        } else {
            urls.emplace_back(argv[i]);
        }
    }
    if (urls.empty()) {
        std::cerr << "usage: fetch_urls [--allow-private-targets] URL...\n";
        return 2;
    }

    asio::io_context io;
    asyncscrape::Runtime runtime(io.get_executor(), config);
    int exit_code = 1;
    asio::co_spawn(io, fetch_all(runtime, std::move(urls)),
                   [&exit_code](std::exception_ptr error, int code) {
                       if (error) {
                           try {
                               std::rethrow_exception(error);
                           } catch (const std::exception& e) {
                               std::cerr << "error: " << e.what() << '\n';
                           }
                           return;
                       }
                       exit_code = code;
                   });
    io.run();
    return exit_code;
}
