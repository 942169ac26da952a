// Terminal cancellation, as the engine emits it, ends a fetch promptly in every phase and closes
// its connection.
#include "fetch_test_support.hpp"
#include "support/run_all.hpp"
#include "support/run_cancelled_after.hpp"
#include "support/run_test_coroutine.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

using namespace asyncscrape;
using namespace asyncscrape::test;
using namespace std::chrono_literals;
using fetch::FetchError;
using fetch::FetchResult;
using fetch::HttpClient;

namespace {

struct Cancelled {
    FetchResult result;
    double elapsed_ms = 0;       // from the start of the fetch to its end
    std::size_t open_after = 0;  // the target's open connections shortly after
};

// Fetches `url` with a 30 s deadline, cancels after 300 ms, and looks at the target after.
boost::asio::awaitable<Cancelled> fetch_and_cancel(HttpClient& client, const TargetServer& server,
                                                   std::string url) {
    const auto started = std::chrono::steady_clock::now();
    Cancelled cancelled;
    cancelled.result =
        co_await run_cancelled_after(client.fetch(request_to(std::move(url), 30s)), 300ms);
    cancelled.elapsed_ms = milliseconds_since(started);
    co_await sleep_for(100ms);  // lets the target notice the closed connection
    cancelled.open_after = server.open_connections();
    co_return cancelled;
}

}  // namespace

TEST_CASE("cancellation ends a fetch while it waits for the response", "[fetch][cancel]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const char* path = GENERATE("/hang", "/headers-then-hang", "/drip?bytes=1000&interval_ms=50");
    INFO(path);
    const Cancelled cancelled =
        run_test_coroutine(io, fetch_and_cancel(client, server, server.url(path)));
    CHECK(cancelled.result.error == FetchError::cancelled);
    CHECK(cancelled.result.error_message == "cancelled");
    CHECK(cancelled.elapsed_ms < 1300);  // 300 ms before the cancel, then promptly
    CHECK(cancelled.open_after == 0);    // its socket was closed, not pooled
    // The client is still fine afterwards.
    CHECK(run_test_coroutine(io, client.fetch(request_to(server.url("/page")))).ok());
}

TEST_CASE("cancellation ends a fetch in the TLS handshake", "[fetch][cancel][tls]") {
    boost::asio::io_context io;
    TargetServer silent(io, TargetTransport::silent);
    HttpClient client(io.get_executor(), local_config());
    const std::string url = "https://127.0.0.1:" + std::to_string(silent.port()) + "/";
    const Cancelled cancelled = run_test_coroutine(io, fetch_and_cancel(client, silent, url));
    CHECK(cancelled.result.error == FetchError::cancelled);
    CHECK(cancelled.elapsed_ms < 1300);
    CHECK(cancelled.open_after == 0);
}

TEST_CASE("cancellation ends a fetch waiting for a pooled connection", "[fetch][cancel][pool]") {
    boost::asio::io_context io;
    TargetServer server(io);
    RuntimeConfig config = local_config();
    config.per_host = 1;
    HttpClient client(io.get_executor(), config);
    std::vector<boost::asio::awaitable<FetchResult>> tasks;
    tasks.push_back(client.fetch(request_to(server.url("/delay/1500"))));
    // Without the cancel this one would get the connection after 1.5 s and succeed.
    tasks.push_back(run_cancelled_after(client.fetch(request_to(server.url("/page"))), 200ms));
    const auto results = run_test_coroutine(io, run_all(std::move(tasks)));
    CHECK(results[0].ok());
    CHECK(results[1].error == FetchError::cancelled);
    CHECK(server.requests_seen("/page") == 0);
    // The cancelled waiter left the queue: the connection goes on serving.
    CHECK(run_test_coroutine(io, client.fetch(request_to(server.url("/page")))).ok());
}

TEST_CASE("a fetch cancelled as soon as it started ends cancelled", "[fetch][cancel]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const FetchResult result = run_test_coroutine(
        io, run_cancelled_after(client.fetch(request_to(server.url("/delay/2000"))), 0ms));
    CHECK(result.error == FetchError::cancelled);
}
