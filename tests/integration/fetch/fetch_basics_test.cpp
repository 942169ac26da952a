#include "fetch_test_support.hpp"
#include "support/run_test_coroutine.hpp"

#include <catch2/catch.hpp>

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

using namespace asyncscrape;
using namespace asyncscrape::test;
using fetch::FetchError;
using fetch::FetchResult;
using fetch::HttpClient;

TEST_CASE("a plain page", "[fetch]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const FetchResult result =
        run_test_coroutine(io, client.fetch(request_to(server.url("/page"))));
    CHECK(result.ok());
    CHECK(result.error_message.empty());
    CHECK(result.status == 200);
    CHECK(result.body.find("<h1>Target page</h1>") != std::string::npos);
    CHECK(result.body.size() > 1500);
    CHECK(header(result, "content-type") == "text/html; charset=utf-8");
    CHECK(result.final_url == server.url("/page"));
    CHECK(result.timings.total_ms > 0);
    CHECK(result.timings.total_ms >= result.timings.connect_ms + result.timings.ttfb_ms);
    CHECK(server.requests_seen("/page") == 1);
}

TEST_CASE("error statuses are responses, not fetch errors", "[fetch]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    for (const int status : {201, 204, 404, 410, 500, 503}) {
        INFO(status);
        const FetchResult result = run_test_coroutine(
            io, client.fetch(request_to(server.url("/status/" + std::to_string(status)))));
        CHECK(result.error == FetchError::none);
        CHECK(result.status == status);
        CHECK_FALSE(result.retry_after);
    }
}

TEST_CASE("Retry-After is parsed from the response", "[fetch]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const FetchResult seconds =
        run_test_coroutine(io, client.fetch(request_to(server.url("/status/503?retry_after=7"))));
    CHECK(seconds.status == 503);
    CHECK(seconds.retry_after == std::chrono::milliseconds(7000));
    const FetchResult date = run_test_coroutine(
        io, client.fetch(request_to(
                server.url("/status/429?retry_after=Sun,%2006%20Nov%201994%2008:49:37%20GMT"))));
    CHECK(date.status == 429);
    CHECK(date.retry_after == std::chrono::milliseconds(0));
}

TEST_CASE("gzip and deflate bodies are decoded", "[fetch]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const FetchResult plain = run_test_coroutine(io, client.fetch(request_to(server.url("/page"))));
    for (const char* path : {"/gzip", "/deflate", "/deflate?raw=1"}) {
        INFO(path);
        const FetchResult result =
            run_test_coroutine(io, client.fetch(request_to(server.url(path))));
        CHECK(result.ok());
        CHECK(result.body == plain.body);
        CHECK(header(result, "content-encoding").has_value());
    }
}

TEST_CASE("binary bodies are kept byte for byte", "[fetch]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const FetchResult result =
        run_test_coroutine(io, client.fetch(request_to(server.url("/binary"))));
    REQUIRE(result.body.size() == 256);
    for (int i = 0; i < 256; ++i) {
        CHECK(static_cast<unsigned char>(result.body[static_cast<std::size_t>(i)]) == i);
    }
}

TEST_CASE("repeated response headers are joined, set-cookie with newlines", "[fetch]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const FetchResult result =
        run_test_coroutine(io, client.fetch(request_to(server.url("/set-cookie"))));
    CHECK(header(result, "set-cookie") == "first=1; Path=/\nsecond=2; Path=/; HttpOnly");
    for (const auto& [name, value] : result.headers) {
        CHECK(name == boost::algorithm::to_lower_copy(name));
    }
}

TEST_CASE("the request carries defaults, the user's headers and the body", "[fetch]") {
    boost::asio::io_context io;
    TargetServer server(io);
    RuntimeConfig config = local_config();
    config.user_agent = "asyncscrape-test/1";
    HttpClient client(io.get_executor(), config);

    SECTION("defaults") {
        const FetchResult result =
            run_test_coroutine(io, client.fetch(request_to(server.url("/echo?x=1"))));
        const auto echo = boost::json::parse(result.body).as_object();
        CHECK(echo.at("method").as_string() == "GET");
        CHECK(echo.at("target").as_string() == "/echo?x=1");
        const auto& headers = echo.at("headers").as_object();
        CHECK(headers.at("host").as_string() == "127.0.0.1:" + std::to_string(server.port()));
        CHECK(headers.at("user-agent").as_string() == "asyncscrape-test/1");
        CHECK(headers.at("accept-encoding").as_string() == "gzip, deflate");
        CHECK_FALSE(headers.contains("content-length"));
    }
    SECTION("user headers and a body") {
        fetch::FetchRequest request = request_to(server.url("/echo"));
        request.method = "POST";
        request.headers = {{"User-Agent", "custom"}, {"X-Token", "abc"}};
        request.body = R"({"hello":"world"})";
        const FetchResult result = run_test_coroutine(io, client.fetch(request));
        const auto echo = boost::json::parse(result.body).as_object();
        CHECK(echo.at("method").as_string() == "POST");
        CHECK(echo.at("body").as_string() == R"({"hello":"world"})");
        const auto& headers = echo.at("headers").as_object();
        CHECK(headers.at("user-agent").as_string() == "custom");
        CHECK(headers.at("x-token").as_string() == "abc");
        CHECK(headers.at("content-length").as_string() == "17");
    }
}

TEST_CASE("HEAD responses have no body", "[fetch]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    fetch::FetchRequest request = request_to(server.url("/page"));
    request.method = "HEAD";
    const FetchResult head = run_test_coroutine(io, client.fetch(request));
    CHECK(head.ok());
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    // The connection stays usable after a HEAD.
    const FetchResult get = run_test_coroutine(io, client.fetch(request_to(server.url("/page"))));
    CHECK(get.ok());
    CHECK_FALSE(get.body.empty());
    CHECK(server.connections_accepted() == 1);
}

TEST_CASE("a refused connection is a connect error", "[fetch]") {
    boost::asio::io_context io;
    std::string url;
    {
        TargetServer closed(io);  // a port that was just free, now closed
        url = closed.url("/page");
    }
    HttpClient client(io.get_executor(), local_config());
    const FetchResult result = run_test_coroutine(io, client.fetch(request_to(url)));
    CHECK(result.error == FetchError::connect);
    CHECK(result.error_message.starts_with("connect: "));
    CHECK(result.retryable_error());
}

TEST_CASE("an invalid URL fails without I/O", "[fetch]") {
    boost::asio::io_context io;
    HttpClient client(io.get_executor(), local_config());
    const FetchResult result =
        run_test_coroutine(io, client.fetch(request_to("ftp://example.com/")));
    CHECK(result.error == FetchError::invalid_url);
}
