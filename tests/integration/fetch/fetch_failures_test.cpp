// Targets that misbehave: too much body, too slow, broken connections, not HTTP.
#include "fetch_test_support.hpp"
#include "support/run_test_coroutine.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

using namespace asyncscrape;
using namespace asyncscrape::test;
using namespace std::chrono_literals;
using fetch::FetchError;
using fetch::FetchResult;
using fetch::HttpClient;

TEST_CASE("a gzip bomb stops at the body limit", "[fetch][limits]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());  // the default 10 MB limit
    const FetchResult result =
        run_test_coroutine(io, client.fetch(request_to(server.url("/gzip-bomb"))));
    CHECK(result.error == FetchError::body_too_large);
    CHECK(result.error_message == "body too large");
    CHECK(result.body.empty());
}

TEST_CASE("a body over the limit fails while it is read", "[fetch][limits]") {
    boost::asio::io_context io;
    TargetServer server(io);
    RuntimeConfig config = local_config();
    config.max_response_bytes = 1024 * 1024;
    HttpClient client(io.get_executor(), config);
    SECTION("streamed") {
        const FetchResult result =
            run_test_coroutine(io, client.fetch(request_to(server.url("/huge?bytes=4194304"))));
        CHECK(result.error == FetchError::body_too_large);
        CHECK(result.error_message == "body too large");
    }
    SECTION("chunked without end") {
        const FetchResult result =
            run_test_coroutine(io, client.fetch(request_to(server.url("/endless-chunked"))));
        CHECK(result.error == FetchError::body_too_large);
        CHECK(result.error_message == "body too large");
    }
    SECTION("declared 10 GB") {
        const FetchResult result =
            run_test_coroutine(io, client.fetch(request_to(server.url("/huge-declared"))));
        CHECK(result.error == FetchError::body_too_large);
    }
    SECTION("exactly at the limit is fine") {
        const FetchResult result =
            run_test_coroutine(io, client.fetch(request_to(server.url("/huge?bytes=1048576"))));
        CHECK(result.ok());
        CHECK(result.body.size() == 1024 * 1024);
    }
}

TEST_CASE("the deadline ends a fetch in every slow phase", "[fetch][timeout]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const auto [path, phase] = GENERATE(table<const char*, const char*>({
        {"/hang", "timeout while reading the response headers"},
        {"/headers-then-hang", "timeout while reading the response body"},
        {"/drip?bytes=100&interval_ms=100", "timeout while reading the response body"},
    }));
    INFO(path);
    const auto started = std::chrono::steady_clock::now();
    const FetchResult result =
        run_test_coroutine(io, client.fetch(request_to(server.url(path), 600ms)));
    CHECK(result.error == FetchError::timeout);
    CHECK(result.error_message == phase);
    CHECK_FALSE(result.retryable_error());
    // Ended at its deadline, not at the end of the target's answer (the drip takes 10 s).
    CHECK(milliseconds_since(started) < 5000);
}

TEST_CASE("the deadline ends a body that streams without a pause", "[fetch][timeout]") {
    boost::asio::io_context io;
    TargetServer server(io);
    RuntimeConfig config = local_config();
    config.max_response_bytes = std::size_t{1} << 40;  // only the deadline can end it
    HttpClient client(io.get_executor(), config);
    const auto started = std::chrono::steady_clock::now();
    const FetchResult result =
        run_test_coroutine(io, client.fetch(request_to(server.url("/endless-chunked"), 250ms)));
    CHECK(result.error == FetchError::timeout);
    CHECK(result.error_message == "timeout while reading the response body");
    CHECK(milliseconds_since(started) < 5000);
}

TEST_CASE("a connection reset mid-body is a protocol error", "[fetch]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const FetchResult result =
        run_test_coroutine(io, client.fetch(request_to(server.url("/reset"))));
    CHECK(result.error == FetchError::protocol);
    INFO(result.error_message);
    CHECK(result.error_message.starts_with(
        "protocol: connection closed while reading the response body"));
    CHECK(result.retryable_error());
}

TEST_CASE("a target that does not speak HTTP is a protocol error", "[fetch]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const FetchResult result =
        run_test_coroutine(io, client.fetch(request_to(server.url("/not-http"))));
    CHECK(result.error == FetchError::protocol);
    CHECK(result.error_message.starts_with("protocol: "));
    CHECK(result.status == 0);
}
