// Clients that try to wear the server out: thousands of idle connections, headers or a body sent
// a byte at a time, hundreds of pipelined requests whose answers are never read. Each is dropped
// or held back in the end, and in the meantime the server goes on answering everyone else.
#include "integration/api/api_fixture.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace asyncscrape;
using namespace asyncscrape::test;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;

namespace {

// Half a second for headers and for a body: a byte every 50 ms is far too slow.
ServerConfig short_timeouts() {
    return with_timeouts(test_server_config(), milliseconds(500), milliseconds(500),
                         milliseconds(60000));
}

net::awaitable<void> pause(milliseconds duration) {
    net::steady_timer timer(co_await net::this_coro::executor, duration);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
}

// As many connections as this process may open, up to `wanted`: each costs two descriptors here
// (the client's end and the server's), and the soft limit is raised to the hard one first.
std::size_t connections_allowed(std::size_t wanted) {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
    const auto spare = static_cast<std::size_t>(limit.rlim_cur) - 256;
    return std::min(wanted, spare / 2);
}

net::awaitable<bool> healthy(ApiFixture& f) {
    Client client = co_await f.connect();
    const Response health = co_await client.get("/v1/health");
    co_return health.result_int() == 200;
}

// Opens `count` connections that never send a byte; a new client is answered meanwhile, and the
// silent ones are dropped at the header timeout.
net::awaitable<void> idle_connections(ApiFixture& f, std::size_t count) {
    const auto executor = co_await net::this_coro::executor;
    const tcp::endpoint server(net::ip::make_address("127.0.0.1"), f.server.port());
    std::vector<tcp::socket> idle;
    idle.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        idle.emplace_back(executor);
        co_await idle.back().async_connect(server, net::use_awaitable);
    }
    const bool answered = co_await healthy(f);
    CHECK(answered);

    // Each silent connection ends with the server closing it.
    std::size_t closed = 0;
    char byte = 0;
    for (auto& socket : idle) {
        const auto [error, read] = co_await socket.async_read_some(
            net::buffer(&byte, 1), net::as_tuple(net::use_awaitable));
        closed += error == net::error::eof || error == net::error::connection_reset;
    }
    CHECK(closed == count);
    const bool still_answered = co_await healthy(f);
    CHECK(still_answered);
}

// Sends `text` a byte every `interval`, until it is all sent or the server has closed.
net::awaitable<bool> trickle(tcp::socket& socket, std::string text, milliseconds interval) {
    for (const char c : text) {
        const auto [error, written] = co_await net::async_write(socket, net::buffer(&c, 1),
                                                                net::as_tuple(net::use_awaitable));
        if (error) {
            co_return false;
        }
        co_await pause(interval);
    }
    co_return true;
}

// A client sends `at_once`, then `trickled` a byte every 50 ms, far slower than the 500 ms the
// server gives headers (or a body): it is dropped before it has finished, and others are
// answered meanwhile.
net::awaitable<void> trickling_client(ApiFixture& f, std::string at_once, std::string trickled) {
    tcp::socket socket(co_await net::this_coro::executor);
    co_await socket.async_connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), f.server.port()), net::use_awaitable);
    co_await net::async_write(socket, net::buffer(at_once), net::use_awaitable);
    const bool answered = co_await healthy(f);
    CHECK(answered);
    const bool sent_everything = co_await trickle(socket, std::move(trickled), milliseconds(50));
    CHECK_FALSE(sent_everything);
}

// Hundreds of pipelined requests whose answers are not read: the server stops reading once its
// answers back up, serves others meanwhile, and answers every request once the client reads.
net::awaitable<void> unread_pipeline(ApiFixture& f) {
    constexpr int count = 500;
    Client greedy = co_await f.connect();
    std::string requests;
    for (int i = 0; i < count; ++i) {
        requests += raw_request("GET", "/v1/async/collections?limit=1000&n=" + std::to_string(i));
    }
    co_await greedy.send(requests);
    co_await pause(milliseconds(200));
    const bool answered = co_await healthy(f);
    CHECK(answered);

    int ok = 0;
    for (int i = 0; i < count; ++i) {
        const Response response = co_await greedy.receive();
        ok += response.result_int() == 200;
    }
    CHECK(ok == count);
}

// Enough collections that each answer of the pipeline is a few kilobytes.
net::awaitable<void> fill_collections(ApiFixture& f) {
    Client client = co_await f.connect();
    const std::string body = R"({"name": "a collection with a long name to make the list bigger",
        "requests": [{"url": ")" +
                             f.target.url("/page") + R"("}]})";
    for (int i = 0; i < 20; ++i) {
        const Response created = co_await client.post("/v1/async/collections", body);
        REQUIRE(created.result_int() == 201);
    }
}

}  // namespace

TEST_CASE("thousands of idle connections do not keep others from being served") {
    ApiFixture f(short_timeouts());
    const std::size_t count = connections_allowed(2000);
    INFO("connections: " << count);
    REQUIRE(count >= 500);
    f.run(idle_connections(f, count));
}

TEST_CASE("headers sent a byte at a time are dropped at the header timeout") {
    ApiFixture f(short_timeouts());
    const std::string request = raw_request("GET", "/v1/health");
    f.run(trickling_client(f, request.substr(0, 4), request.substr(4)));
}

TEST_CASE("a body sent slower than the body timeout is dropped") {
    ApiFixture f(short_timeouts());
    const std::string body = R"({"name": "slow", "requests": [{"url": "https://example.com/"}]})";
    const std::string headers =
        "POST /v1/async/collections HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n";
    f.run(trickling_client(f, headers, body));
}

TEST_CASE("hundreds of pipelined requests left unread do not hold up other clients") {
    ApiFixture f;
    f.run(fill_collections(f));
    f.run(unread_pipeline(f));
}
