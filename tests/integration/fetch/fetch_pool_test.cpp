// Keep-alive reuse and the per-host cap.
#include "fetch_test_support.hpp"
#include "support/run_all.hpp"
#include "support/run_test_coroutine.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include <vector>

using namespace asyncscrape;
using namespace asyncscrape::test;
using namespace std::chrono_literals;
using fetch::FetchError;
using fetch::FetchResult;
using fetch::HttpClient;

namespace {

boost::asio::awaitable<std::vector<FetchResult>> fetch_in_turn(HttpClient& client,
                                                               std::vector<std::string> urls) {
    std::vector<FetchResult> results;
    for (auto& url : urls) {
        results.push_back(co_await client.fetch(request_to(std::move(url))));
    }
    co_return results;
}

boost::asio::awaitable<std::vector<FetchResult>> fetch_together(
    HttpClient& client, std::vector<fetch::FetchRequest> requests) {
    std::vector<boost::asio::awaitable<FetchResult>> tasks;
    for (auto& request : requests) {
        tasks.push_back(client.fetch(std::move(request)));
    }
    co_return co_await run_all(std::move(tasks));
}

boost::asio::awaitable<FetchResult> fetch_after_pause(HttpClient& client,
                                                      fetch::FetchRequest request,
                                                      std::chrono::milliseconds pause) {
    co_await sleep_for(pause);
    co_return co_await client.fetch(std::move(request));
}

}  // namespace

TEST_CASE("sequential fetches reuse one keep-alive connection", "[fetch][pool]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const auto results = run_test_coroutine(
        io,
        fetch_in_turn(client, {server.url("/page"), server.url("/gzip"), server.url("/status/404"),
                               server.url("/binary"), server.url("/page")}));
    for (const FetchResult& result : results) {
        CHECK(result.ok());
        CHECK(header(result, "x-connection") == "1");
    }
    CHECK(server.connections_accepted() == 1);
    // Only the first fetch paid for the connection.
    CHECK(results[1].timings.connect_ms == 0);
}

TEST_CASE("connections that cannot carry another request are not reused", "[fetch][pool]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    SECTION("Connection: close") {
        run_test_coroutine(
            io, fetch_in_turn(client, {server.url("/page?close=1"), server.url("/page")}));
        CHECK(server.connections_accepted() == 2);
    }
    SECTION("timed out") {
        const FetchResult hung =
            run_test_coroutine(io, client.fetch(request_to(server.url("/hang"), 300ms)));
        CHECK(hung.error == FetchError::timeout);
        const FetchResult next =
            run_test_coroutine(io, client.fetch(request_to(server.url("/page"))));
        CHECK(next.ok());
        CHECK(server.connections_accepted() == 2);
    }
    SECTION("body not read to the end") {
        RuntimeConfig config = local_config();
        config.max_response_bytes = 64 * 1024;
        HttpClient limited(io.get_executor(), config);
        run_test_coroutine(
            io, fetch_in_turn(limited, {server.url("/huge?bytes=1000000"), server.url("/page")}));
        CHECK(server.connections_accepted() == 2);
    }
}

TEST_CASE("a pooled connection the server closed is replaced", "[fetch][pool]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    CHECK(run_test_coroutine(io, client.fetch(request_to(server.url("/page")))).ok());
    server.drop_connections();
    fetch::FetchRequest request = request_to(server.url("/echo"));
    SECTION("a GET reused so soon is sent without a check, then again on a fresh connection") {}
    SECTION("a POST, which would not be sent again, is not sent on it: it is checked first") {
        request.method = "POST";
        request.body = "once";
    }
    const FetchResult result =
        run_test_coroutine(io, fetch_after_pause(client, std::move(request), 50ms));
    CHECK(result.ok());
    CHECK(header(result, "x-connection") == "2");
    CHECK(server.requests_seen("/echo") == 1);
}

TEST_CASE("idle connections are closed after the idle timeout", "[fetch][pool]") {
    boost::asio::io_context io;
    TargetServer server(io);
    RuntimeConfig config = local_config();
    config.idle_connection_timeout = 100ms;
    HttpClient client(io.get_executor(), config);
    CHECK(run_test_coroutine(io, client.fetch(request_to(server.url("/page")))).ok());
    CHECK(server.open_connections() == 1);
    run_test_coroutine(io, sleep_for(400ms));
    CHECK(server.open_connections() == 0);
}

TEST_CASE("concurrent fetches never open more than per_host connections", "[fetch][pool]") {
    boost::asio::io_context io;
    TargetServer server(io);
    RuntimeConfig config = local_config();
    config.per_host = 2;
    HttpClient client(io.get_executor(), config);
    std::vector<fetch::FetchRequest> requests;
    for (int i = 0; i < 8; ++i) {
        requests.push_back(request_to(server.url("/delay/50")));
    }
    const auto results = run_test_coroutine(io, fetch_together(client, std::move(requests)));
    for (const FetchResult& result : results) {
        CHECK(result.ok());
    }
    CHECK(server.requests_seen("/delay/50") == 8);
    CHECK(server.peak_open_connections() == 2);
    CHECK(server.connections_accepted() == 2);
}

TEST_CASE("every connection in use is kept for reuse, even past the idle limit", "[fetch][pool]") {
    boost::asio::io_context io;
    TargetServer server(io);
    RuntimeConfig config = local_config();
    config.per_host = 6;
    config.idle_connections_per_host = 2;  // below per_host: per_host wins
    HttpClient client(io.get_executor(), config);
    for (int round = 0; round < 2; ++round) {
        std::vector<fetch::FetchRequest> requests;
        for (int i = 0; i < 6; ++i) {
            requests.push_back(request_to(server.url("/delay/50")));
        }
        const auto results = run_test_coroutine(io, fetch_together(client, std::move(requests)));
        for (const FetchResult& result : results) {
            CHECK(result.ok());
        }
    }
    // Six connections ended together after the first round and all six served the second.
    CHECK(server.connections_accepted() == 6);
}

TEST_CASE("waiting for a connection ends at the deadline", "[fetch][pool]") {
    boost::asio::io_context io;
    TargetServer server(io);
    RuntimeConfig config = local_config();
    config.per_host = 1;
    HttpClient client(io.get_executor(), config);
    const auto results =
        run_test_coroutine(io, fetch_together(client, {request_to(server.url("/delay/1000")),
                                                       request_to(server.url("/page"), 200ms)}));
    CHECK(results[0].ok());
    CHECK(results[1].error == FetchError::timeout);
    CHECK(results[1].error_message == "timeout while waiting for a connection");
    CHECK(server.requests_seen("/page") == 0);
}
