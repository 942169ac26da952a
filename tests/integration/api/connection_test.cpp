// The connection layer: keep-alive, pipelining, limits on headers, slow and idle clients, the cap
// on open connections, and a graceful stop.
#include "integration/api/api_fixture.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/field.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace asyncscrape;
using namespace asyncscrape::test;
namespace net = boost::asio;
namespace http = boost::beast::http;

namespace {

net::awaitable<void> pause(std::chrono::milliseconds duration) {
    net::steady_timer timer(co_await net::this_coro::executor, duration);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
}

net::awaitable<void> keep_alive(ApiFixture& f) {
    Client client = co_await f.connect();
    for (int i = 0; i < 3; ++i) {
        const Response health = co_await client.get("/v1/health");
        CHECK(health.result_int() == 200);
        CHECK(health.keep_alive());
        CHECK(health[http::field::server] == "asyncscrape");
        CHECK(health[http::field::content_type] == "application/json");
        CHECK(health.body() == R"({"status":"ok"})");
    }
}

net::awaitable<void> pipelining(ApiFixture& f) {
    Client client = co_await f.connect();
    co_await client.send(raw_request("GET", "/v1/health") +
                         raw_request("GET", "/v1/async/collections?limit=abc") +
                         raw_request("GET", "/v1/nothing"));
    const Response first = co_await client.receive();
    const Response second = co_await client.receive();
    const Response third = co_await client.receive();
    CHECK(first.result_int() == 200);
    CHECK(second.result_int() == 400);
    CHECK(text_of(json_of(second).at("detail")).starts_with("limit"));
    CHECK(third.result_int() == 404);
}

// No route takes HEAD: the 405 comes without its body, or the client would read that body as the
// answer to its next request.
net::awaitable<void> head_then_get(ApiFixture& f) {
    net::ip::tcp::socket socket(co_await net::this_coro::executor);
    co_await socket.async_connect(
        net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), f.server.port()),
        net::use_awaitable);
    const std::string requests =
        raw_request("HEAD", "/v1/health") + raw_request("GET", "/v1/health");
    co_await net::async_write(socket, net::buffer(requests), net::use_awaitable);
    std::string received;
    const std::string health_body = R"({"status":"ok"})";
    while (!received.ends_with(health_body)) {
        char chunk[4096];
        const auto [error, read] =
            co_await socket.async_read_some(net::buffer(chunk), net::as_tuple(net::use_awaitable));
        REQUIRE_FALSE(error);
        received.append(chunk, read);
    }
    INFO(received);
    CHECK(received.starts_with("HTTP/1.1 405"));
    const auto first_head_end = received.find("\r\n\r\n");
    REQUIRE(first_head_end != std::string::npos);
    // The GET's answer follows the HEAD's head at once.
    CHECK(received.substr(first_head_end + 4).starts_with("HTTP/1.1 200"));
    CHECK(received.substr(0, first_head_end).find("Content-Length: ") != std::string::npos);
}

net::awaitable<void> header_too_large(ApiFixture& f) {
    Client client = co_await f.connect();
    const std::string padding(20 * 1024, 'x');
    co_await client.send("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Padding: " + padding +
                         "\r\n\r\n");
    const Response refused = co_await client.receive();
    CHECK(refused.result_int() == 431);
    CHECK(text_of(json_of(refused).at("detail")).starts_with("headers"));
    const bool closed = co_await client.closed_by_server();
    CHECK(closed);
}

net::awaitable<void> slow_clients_are_dropped(ApiFixture& f) {
    Client partial = co_await f.connect();
    co_await partial.send("GET /v1/health HTTP/1.1\r\nHost: x\r\n");
    Client silent = co_await f.connect();
    const bool partial_closed = co_await partial.closed_by_server();
    const bool silent_closed = co_await silent.closed_by_server();
    CHECK(partial_closed);
    CHECK(silent_closed);
}

net::awaitable<void> slow_bodies_are_dropped(ApiFixture& f) {
    Client client = co_await f.connect();
    co_await client.send(
        "POST /v1/async/collections HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n{\"name\"");
    const bool closed = co_await client.closed_by_server();
    CHECK(closed);
}

net::awaitable<void> continue_before_the_body(ApiFixture& f) {
    Client client = co_await f.connect();
    const std::string body =
        R"({"name": "n", "requests": [{"url": ")" + f.target.url("/page") + R"("}]})";
    co_await client.send(
        "POST /v1/async/collections HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: application/json\r\nExpect: 100-continue\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n");
    const Response interim = co_await client.receive();
    CHECK(interim.result_int() == 100);
    co_await client.send(body);
    const Response created = co_await client.receive();
    CHECK(created.result_int() == 201);
}

net::awaitable<void> idle_connections_are_closed(ApiFixture& f) {
    Client client = co_await f.connect();
    const Response health = co_await client.get("/v1/health");
    CHECK(health.result_int() == 200);
    const bool closed = co_await client.closed_by_server();
    CHECK(closed);
}

net::awaitable<void> connection_cap(ApiFixture& f) {
    Client first = co_await f.connect();
    Client second = co_await f.connect();
    const Response first_health = co_await first.get("/v1/health");
    const Response second_health = co_await second.get("/v1/health");
    CHECK(first_health.result_int() == 200);
    CHECK(second_health.result_int() == 200);

    // The third connection is not refused: it waits in the backlog, unanswered.
    Client third = co_await f.connect();
    co_await third.send(raw_request("GET", "/v1/health"));
    co_await pause(std::chrono::milliseconds(300));
    CHECK(third.bytes_waiting() == 0);

    first.close();
    const Response third_health = co_await third.receive();
    CHECK(third_health.result_int() == 200);
}

net::awaitable<void> http_1_0(ApiFixture& f) {
    Client client = co_await f.connect();
    co_await client.send("GET /v1/health HTTP/1.0\r\n\r\n");
    const Response health = co_await client.receive();
    CHECK(health.result_int() == 200);
    CHECK(health.version() == 10);
    const bool closed = co_await client.closed_by_server();
    CHECK(closed);
}

net::awaitable<void> graceful_stop(ApiFixture& f) {
    Client idle = co_await f.connect();
    const Response health = co_await idle.get("/v1/health");
    CHECK(health.result_int() == 200);
    const std::uint16_t port = f.server.port();

    co_await f.server.stop();
    const bool closed = co_await idle.closed_by_server();
    CHECK(closed);
    bool refused = false;
    try {
        co_await Client::connect(port);
    } catch (const std::exception&) {
        refused = true;
    }
    CHECK(refused);
}

ServerConfig with_max_connections(std::size_t count) {
    ServerConfig config = test_server_config();
    config.max_connections = count;
    return config;
}

}  // namespace

TEST_CASE("a connection serves request after request") {
    ApiFixture f;
    f.run(keep_alive(f));
}

TEST_CASE("pipelined requests are answered in order") {
    ApiFixture f;
    f.run(pipelining(f));
}

TEST_CASE("a HEAD request is answered without a body and the connection goes on") {
    ApiFixture f;
    f.run(head_then_get(f));
}

TEST_CASE("headers over the limit answer 431 and close") {
    ApiFixture f;
    f.run(header_too_large(f));
}

TEST_CASE("a client that does not send its headers in time is dropped") {
    using std::chrono::milliseconds;
    ApiFixture f(with_timeouts(test_server_config(), milliseconds(300), milliseconds(60000),
                               milliseconds(60000)));
    f.run(slow_clients_are_dropped(f));
}

TEST_CASE("a client that does not send its body in time is dropped") {
    using std::chrono::milliseconds;
    ApiFixture f(with_timeouts(test_server_config(), milliseconds(10000), milliseconds(300),
                               milliseconds(60000)));
    f.run(slow_bodies_are_dropped(f));
}

TEST_CASE("an idle keep-alive connection is closed") {
    using std::chrono::milliseconds;
    ApiFixture f(with_timeouts(test_server_config(), milliseconds(10000), milliseconds(60000),
                               milliseconds(300)));
    f.run(idle_connections_are_closed(f));
}

TEST_CASE("a client that expects 100-continue gets it before sending its body") {
    ApiFixture f;
    f.run(continue_before_the_body(f));
}

TEST_CASE("at the connection cap new clients wait instead of being refused") {
    ApiFixture f(with_max_connections(2));
    f.run(connection_cap(f));
}

TEST_CASE("an HTTP/1.0 client is answered and the connection closed") {
    ApiFixture f;
    f.run(http_1_0(f));
}

TEST_CASE("stop closes idle connections and the listener") {
    ApiFixture f;
    f.run(graceful_stop(f));
}
