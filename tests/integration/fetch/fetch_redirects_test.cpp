#include "fetch_test_support.hpp"
#include "support/run_test_coroutine.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

using namespace asyncscrape;
using namespace asyncscrape::test;
using fetch::FetchError;
using fetch::FetchResult;
using fetch::HttpClient;

TEST_CASE("relative redirects are followed to the final URL", "[fetch][redirect]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const FetchResult result =
        run_test_coroutine(io, client.fetch(request_to(server.url("/redirect/3"))));
    CHECK(result.ok());
    CHECK(result.status == 200);
    CHECK(result.final_url == server.url("/redirect/0"));
    CHECK(result.body.find("Target page") != std::string::npos);
    CHECK(server.requests_seen("/redirect/3") == 1);
    CHECK(server.requests_seen("/redirect/0") == 1);
    // Every hop went over the one kept-alive connection.
    CHECK(server.connections_accepted() == 1);
}

TEST_CASE("absolute and path redirects", "[fetch][redirect]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const std::string absolute = server.url("/page");
    const FetchResult result = run_test_coroutine(
        io, client.fetch(request_to(server.url("/redirect-to?url=" + absolute + "&status=301"))));
    CHECK(result.ok());
    CHECK(result.final_url == absolute);
}

TEST_CASE("303 turns a POST into a GET without body; 307 keeps both", "[fetch][redirect]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const auto [status, method, body] = GENERATE(table<int, const char*, const char*>({
        {303, "GET", ""},
        {302, "GET", ""},
        {307, "POST", "payload"},
        {308, "POST", "payload"},
    }));
    INFO(status);
    fetch::FetchRequest request =
        request_to(server.url("/redirect-to?url=/echo&status=" + std::to_string(status)));
    request.method = "POST";
    request.headers = {{"Content-Type", "text/plain"}};
    request.body = "payload";
    const FetchResult result = run_test_coroutine(io, client.fetch(request));
    REQUIRE(result.ok());
    CHECK(result.final_url == server.url("/echo"));
    const auto echo = boost::json::parse(result.body).as_object();
    CHECK(echo.at("method").as_string() == method);
    CHECK(echo.at("body").as_string() == body);
    CHECK(echo.at("headers").as_object().contains("content-type") == (std::string(body) != ""));
}

TEST_CASE("a redirect loop ends with too_many_redirects", "[fetch][redirect]") {
    boost::asio::io_context io;
    TargetServer server(io);
    RuntimeConfig config = local_config();
    config.max_redirects = 5;
    HttpClient client(io.get_executor(), config);
    const FetchResult result =
        run_test_coroutine(io, client.fetch(request_to(server.url("/redirect-loop"))));
    CHECK(result.error == FetchError::too_many_redirects);
    CHECK(result.error_message == "too many redirects (more than 5)");
    CHECK(server.requests_seen("/redirect-loop") == 6);  // the first request and 5 redirects

    // Exactly max_redirects hops are fine.
    const FetchResult five =
        run_test_coroutine(io, client.fetch(request_to(server.url("/redirect/5"))));
    CHECK(five.ok());
}

TEST_CASE("a redirect to another scheme fails clearly", "[fetch][redirect]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const FetchResult result = run_test_coroutine(
        io, client.fetch(request_to(server.url("/redirect-to?url=ftp://example.com/file"))));
    CHECK(result.error == FetchError::invalid_url);
    CHECK(result.error_message == "redirect to unsupported scheme 'ftp'");
}
