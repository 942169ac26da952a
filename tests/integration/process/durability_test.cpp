// The durable store through the real binary: what was acknowledged survives kill -9 (a
// collection, a cancel, a delete), a run cut short by kill -9 completes after a restart, a full
// disk answers 503 and loses nothing, and one data directory serves one server at a time.
#include "integration/api/client.hpp"
#include "integration/process/child_process.hpp"
#include "integration/process/server_binary.hpp"
#include "support/run_test_coroutine.hpp"
#include "support/target_server.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

#include <csignal>
#include <memory>
#include <string>

using namespace asyncscrape::test;
namespace net = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<ChildProcess> start_server(const TempDir& data) {
    return std::make_unique<ChildProcess>(
        server_binary, std::vector<std::string>{"--listen", "127.0.0.1:0", "--data", data.string(),
                                                "--allow-private-targets", "--per-host", "8"});
}

std::string text(const json::value& value, std::string_view key) {
    return std::string(value.at(key).as_string());
}

net::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
    net::steady_timer timer(co_await net::this_coro::executor, duration);
    co_await timer.async_wait(net::use_awaitable);
}

net::awaitable<std::string> create_collection(std::uint16_t port, const json::array& requests) {
    // Named first: GCC 12 miscompiles braced temporaries inside a co_await expression.
    json::object collection;
    collection["name"] = "durable";
    collection["requests"] = requests;
    const std::string body = json::serialize(collection);
    Client client = co_await Client::connect(port);
    const Response created = co_await client.post("/v1/async/collections", body);
    REQUIRE(created.result_int() == 201);
    co_return text(json::parse(created.body()), "id");
}

net::awaitable<Response> get(std::uint16_t port, std::string path) {
    Client client = co_await Client::connect(port);
    co_return co_await client.get(path);
}

// kill -9 right after the 201, then a restart on the same directory: the collection is there.
net::awaitable<void> collection_survives_kill(const TempDir& data) {
    auto server = start_server(data);
    const json::array requests{json::object{{"url", "http://127.0.0.1:9/a"}},
                               json::object{{"url", "http://127.0.0.1:9/b"}}};
    const std::string id = co_await create_collection(listening_port(*server), requests);
    server->signal(SIGKILL);
    CHECK(server->wait_exit(5s) == 128 + SIGKILL);

    server = start_server(data);
    const Response found = co_await get(listening_port(*server), "/v1/async/collections/" + id);
    REQUIRE(found.result_int() == 200);
    const json::value collection = json::parse(found.body());
    CHECK(collection.at("total_requests") == 2);
    CHECK(collection.at("requests").at(1).at("url") == "http://127.0.0.1:9/b");
    server->signal(SIGTERM);
    CHECK(server->wait_exit(10s) == 0);
}

// kill -9 in the middle of a run of hundreds of jobs; after a restart the run completes with
// every job's result and counters equal to the totals.
net::awaitable<void> run_survives_kill(const TempDir& data, TargetServer& target) {
    constexpr int job_count = 300;
    json::array requests;
    for (int i = 0; i < job_count; ++i) {
        requests.push_back(json::object{{"url", target.url("/delay/40?n=" + std::to_string(i))}});
    }
    auto server = start_server(data);
    std::uint16_t port = listening_port(*server);
    const std::string id = co_await create_collection(port, requests);
    Client starter = co_await Client::connect(port);
    const Response started = co_await starter.post("/v1/async/collections/" + id + "/run");
    REQUIRE(started.result_int() == 201);
    const std::string run_path =
        "/v1/async/collections/" + id + "/runs/" + text(json::parse(started.body()), "run_id");

    // Some jobs done, most not: then the server dies without a word.
    std::int64_t done_before = 0;
    while (done_before < 40) {
        co_await sleep_for(50ms);
        const json::value run = json::parse((co_await get(port, run_path)).body());
        done_before = run.at("success_requests").as_int64();
    }
    server->signal(SIGKILL);
    CHECK(server->wait_exit(5s) == 128 + SIGKILL);

    server = start_server(data);
    port = listening_port(*server);
    json::value run;
    for (int polls = 0; polls < 600; ++polls) {
        run = json::parse((co_await get(port, run_path)).body());
        // Counters a client saw never go back.
        INFO("seen before the kill: " << done_before << ", now: " << json::serialize(run));
        REQUIRE(run.at("success_requests").as_int64() >= done_before);
        if (run.at("status") != "in_progress") {
            break;
        }
        co_await sleep_for(50ms);
    }
    INFO("the run after the restart: " << json::serialize(run));
    CHECK(run.at("status") == "completed");
    CHECK(run.at("success_requests") == job_count);
    CHECK(run.at("total_requests") == job_count);

    const Response jobs = co_await get(port, run_path + "/jobs?status_filter=success&limit=1");
    CHECK(json::parse(jobs.body()).at("total") == job_count);
    const Response results = co_await get(port, run_path + "/results");
    std::size_t lines = 0;
    for (const char c : results.body()) {
        lines += c == '\n';
    }
    CHECK(lines == job_count);
    server->signal(SIGTERM);
    CHECK(server->wait_exit(10s) == 0);
}

// A cancel and a delete answered just before kill -9 hold after the restart: the run ends
// cancelled without running its jobs again, and the deleted collection stays gone.
net::awaitable<void> cancel_and_delete_survive_kill(const TempDir& data, TargetServer& target) {
    json::array slow;
    for (int i = 0; i < 4; ++i) {
        slow.push_back(json::object{{"url", target.url("/delay/20000?n=" + std::to_string(i))}});
    }
    const json::array other{json::object{{"url", "http://127.0.0.1:9/gone"}}};
    auto server = start_server(data);
    std::uint16_t port = listening_port(*server);
    const std::string id = co_await create_collection(port, slow);
    const std::string deleted = co_await create_collection(port, other);
    Client client = co_await Client::connect(port);
    const Response started = co_await client.post("/v1/async/collections/" + id + "/run");
    REQUIRE(started.result_int() == 201);
    const std::string run_path =
        "/v1/async/collections/" + id + "/runs/" + text(json::parse(started.body()), "run_id");
    co_await sleep_for(300ms);  // the four jobs are in flight

    const Response removed = co_await client.request(boost::beast::http::verb::delete_,
                                                     "/v1/async/collections/" + deleted);
    REQUIRE(removed.result_int() == 200);
    const Response cancelled = co_await client.post(run_path + "/cancel");
    REQUIRE(cancelled.result_int() == 200);
    server->signal(SIGKILL);
    CHECK(server->wait_exit(5s) == 128 + SIGKILL);

    const auto restarted_at = std::chrono::steady_clock::now();
    server = start_server(data);
    port = listening_port(*server);
    json::value run;
    for (int polls = 0; polls < 100; ++polls) {
        run = json::parse((co_await get(port, run_path)).body());
        if (run.at("status") != "in_progress") {
            break;
        }
        co_await sleep_for(50ms);
    }
    INFO("the run after the restart: " << json::serialize(run));
    CHECK(run.at("status") == "cancelled");
    CHECK(run.at("cancelled_requests") == 4);
    // Ended at once: none of the 20-second jobs ran again.
    CHECK(std::chrono::steady_clock::now() - restarted_at < 10s);
    const Response gone = co_await get(port, "/v1/async/collections/" + deleted);
    CHECK(gone.result_int() == 404);
    server->signal(SIGTERM);
    CHECK(server->wait_exit(10s) == 0);
}

// A file-size limit (ulimit -f, through prlimit) stands for a full disk.
net::awaitable<void> full_disk_answers_503(std::uint16_t port) {
    const json::array small{json::object{{"url", "http://127.0.0.1:9/kept"}}};
    const std::string kept = co_await create_collection(port, small);

    json::array big;
    for (int i = 0; i < 2000; ++i) {
        big.push_back(json::object{
            {"url", "http://127.0.0.1:9/" + std::string(200, 'x') + std::to_string(i)}});
    }
    const std::string body = json::serialize(json::object{{"name", "too big"}, {"requests", big}});
    Response refused;
    for (int attempt = 0; attempt < 40 && refused.result_int() != 503; ++attempt) {
        Client client = co_await Client::connect(port);
        refused = co_await client.post("/v1/async/collections", body);
        REQUIRE((refused.result_int() == 201 || refused.result_int() == 503));
    }
    REQUIRE(refused.result_int() == 503);
    CHECK(text(json::parse(refused.body()), "detail").starts_with("store unavailable: "));

    const Response found = co_await get(port, "/v1/async/collections/" + kept);
    CHECK(found.result_int() == 200);
    const Response health = co_await get(port, "/v1/health");
    CHECK(health.result_int() == 200);
}

}  // namespace

TEST_CASE("a collection acknowledged with 201 survives kill -9 of the server") {
    const TempDir data;
    net::io_context io;
    run_test_coroutine(io, collection_survives_kill(data), 60s);
}

TEST_CASE("a run cut short by kill -9 completes after a restart, every result present") {
    const TempDir data;
    net::io_context io;
    TargetServer target(io);
    run_test_coroutine(io, run_survives_kill(data, target), 90s);
}

TEST_CASE("a cancel and a delete answered before kill -9 hold after a restart") {
    const TempDir data;
    net::io_context io;
    TargetServer target(io);
    run_test_coroutine(io, cancel_and_delete_survive_kill(data, target), 60s);
}

TEST_CASE("a full disk answers 503, keeps what was acknowledged, and the server goes on") {
    const TempDir data;
    ChildProcess server("/usr/bin/prlimit", {"--fsize=4000000", "--", server_binary, "--listen",
                                             "127.0.0.1:0", "--data", data.string()});
    const std::uint16_t port = listening_port(server);
    net::io_context io;
    run_test_coroutine(io, full_disk_answers_503(port), 60s);
    server.signal(SIGTERM);
    CHECK(server.wait_exit(10s) == 0);
}

TEST_CASE("a second server on the same data directory refuses to start") {
    const TempDir data;
    auto first = start_server(data);
    listening_port(*first);
    ChildProcess second(server_binary, {"--listen", "127.0.0.1:0", "--data", data.string()});
    CHECK(second.read_all(10s).find("in use") != std::string::npos);
    CHECK(second.wait_exit(5s) == 1);
    first->signal(SIGKILL);
    CHECK(first->wait_exit(5s) == 128 + SIGKILL);
    // The kernel let the lock go with the process: a restart starts at once.
    auto restarted = start_server(data);
    CHECK(listening_port(*restarted) != 0);
    restarted->signal(SIGTERM);
    CHECK(restarted->wait_exit(10s) == 0);
}
