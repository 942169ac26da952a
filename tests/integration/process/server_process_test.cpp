// The real asyncscrape-server binary: it starts, serves, stops on SIGTERM, and parses its flags.
#include "integration/api/client.hpp"
#include "integration/process/child_process.hpp"
#include "integration/process/server_binary.hpp"
#include "support/process_table.hpp"
#include "support/run_test_coroutine.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <string>
#include <thread>

using namespace asyncscrape::test;
namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {

net::awaitable<Response> get_health(std::uint16_t port) {
    Client client = co_await Client::connect(port);
    co_return co_await client.get("/v1/health");
}

Response health_of(std::uint16_t port) {
    net::io_context io;
    return run_test_coroutine(io, get_health(port), 10s);
}

// Creates a collection of one request to `url` and starts a run of it; answers the run.
net::awaitable<Response> start_run_of(std::uint16_t port, std::string url, bool browser = false) {
    Client client = co_await Client::connect(port);
    const std::string body = R"({"name": "n", "requests": [{"url": ")" + url + R"(", "browser": )" +
                             (browser ? "true" : "false") + "}]}";
    const Response created = co_await client.post("/v1/async/collections", body);
    if (created.result_int() != 201) {
        co_return created;
    }
    const auto id = boost::json::parse(created.body()).at("id").as_string();
    co_return co_await client.post("/v1/async/collections/" + std::string(id) + "/run");
}

}  // namespace

TEST_CASE("the server binary serves, and exits 0 on SIGTERM") {
    const TempDir data;
    ChildProcess server(server_binary, {"--listen", "127.0.0.1:0", "--data", data.string()});
    const std::uint16_t port = listening_port(server);
    CHECK(port != 0);

    const Response health = health_of(port);
    CHECK(health.result_int() == 200);
    CHECK(health.body() == R"({"status":"ok"})");

    server.signal(SIGTERM);
    CHECK(server.wait_exit(5s) == 0);
}

TEST_CASE("the server binary stops its jobs in flight after the grace period, exits 0") {
    // A target that accepts connections (the kernel does, into the backlog) and never answers.
    net::io_context io;
    net::ip::tcp::acceptor silent_target(io, {net::ip::make_address("127.0.0.1"), 0});
    const std::string url =
        "http://127.0.0.1:" + std::to_string(silent_target.local_endpoint().port()) + "/";

    const TempDir data;
    ChildProcess server(server_binary, {"--listen", "127.0.0.1:0", "--allow-private-targets",
                                        "--data", data.string(), "--grace", "1"});
    const std::uint16_t port = listening_port(server);
    const Response run = run_test_coroutine(io, start_run_of(port, url), 10s);
    REQUIRE(run.result_int() == 201);

    server.signal(SIGTERM);
    server.read_until("waiting up to 1000 ms for 1 jobs in flight", 5s);
    CHECK(server.wait_exit(5s) == 0);
}

TEST_CASE("chromium and its helpers die with the server, also after kill -9", "[browser]") {
    net::io_context io;
    net::ip::tcp::acceptor silent_target(io, {net::ip::make_address("127.0.0.1"), 0});
    const std::string url =
        "http://127.0.0.1:" + std::to_string(silent_target.local_endpoint().port()) + "/";

    const TempDir data;
    ChildProcess server(server_binary, {"--listen", "127.0.0.1:0", "--allow-private-targets",
                                        "--data", data.string()});
    const std::uint16_t port = listening_port(server);
    const Response run = run_test_coroutine(io, start_run_of(port, url, true), 10s);
    REQUIRE(run.result_int() == 201);
    server.read_until("browser started", 20s);
    const std::vector<pid_t> browsers = browsers_of(server.pid());
    REQUIRE(browsers.size() == 1);
    std::vector<pid_t> processes = descendants(browsers.front());
    processes.push_back(browsers.front());

    server.signal(SIGKILL);
    CHECK(server.wait_exit(5s) == 128 + SIGKILL);
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (std::any_of(processes.begin(), processes.end(), is_alive) &&
           std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(50ms);
    }
    for (const pid_t pid : processes) {
        INFO("process " << pid);
        CHECK_FALSE(is_alive(pid));
    }
}

TEST_CASE("the server binary exits 0 on SIGINT") {
    const TempDir data;
    ChildProcess server(server_binary, {"--listen=127.0.0.1:0", "--data=" + data.string()});
    listening_port(server);
    server.signal(SIGINT);
    CHECK(server.wait_exit(5s) == 0);
}

TEST_CASE("the server binary takes its flags from the environment") {
    const TempDir data;
    ChildProcess server(server_binary, {},
                        {"ASYNCSCRAPE_LISTEN=127.0.0.1:0", "ASYNCSCRAPE_DATA=" + data.string()});
    const std::uint16_t port = listening_port(server);
    CHECK(health_of(port).result_int() == 200);
    server.signal(SIGTERM);
    CHECK(server.wait_exit(5s) == 0);
}

TEST_CASE("help lists every flag and exits 0") {
    ChildProcess help(server_binary, {"--help"});
    const std::string text = help.read_all(5s);
    CHECK(help.wait_exit(5s) == 0);
    for (const auto* flag : {"--listen", "--store", "--data", "--max-concurrency", "--per-host",
                             "--request-timeout-ms", "--retries", "--max-requests",
                             "--max-body-bytes", "--allow-private-targets", "--browser-tabs",
                             "--chromium", "--log-level", "ASYNCSCRAPE_"}) {
        INFO(flag);
        CHECK(text.find(flag) != std::string::npos);
    }
}

TEST_CASE("a bad flag or value exits 2 with a message") {
    ChildProcess unknown(server_binary, {"--no-such-flag"});
    CHECK(unknown.read_all(5s).find("unknown flag --no-such-flag") != std::string::npos);
    CHECK(unknown.wait_exit(5s) == 2);

    ChildProcess bad_value(server_binary, {"--max-concurrency", "none"});
    CHECK(bad_value.read_all(5s).find("--max-concurrency: must be an integer") !=
          std::string::npos);
    CHECK(bad_value.wait_exit(5s) == 2);

    ChildProcess bad_store(server_binary, {"--store", "postgres"});
    CHECK(bad_store.read_all(5s).find("--store: must be sqlite or memory") != std::string::npos);
    CHECK(bad_store.wait_exit(5s) == 2);
}

TEST_CASE("an address that cannot be bound is reported") {
    const TempDir first_data;
    const TempDir second_data;
    ChildProcess first(server_binary, {"--listen", "127.0.0.1:0", "--data", first_data.string()});
    const std::uint16_t port = listening_port(first);
    ChildProcess second(server_binary, {"--listen", "127.0.0.1:" + std::to_string(port), "--data",
                                        second_data.string()});
    CHECK(second.read_all(5s).find("cannot listen on 127.0.0.1:" + std::to_string(port)) !=
          std::string::npos);
    CHECK(second.wait_exit(5s) == 1);
    first.signal(SIGTERM);
    CHECK(first.wait_exit(5s) == 0);
}
