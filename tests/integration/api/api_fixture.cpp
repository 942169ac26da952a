#include "integration/api/api_fixture.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string_view>

namespace asyncscrape::test {
namespace {

namespace net = boost::asio;

std::shared_ptr<Store> test_store(const net::any_io_executor& executor, const TempDir& data) {
    const char* kind = std::getenv("ASYNCSCRAPE_TEST_STORE");
    if (kind == nullptr || std::string_view(kind) != "sqlite") {
        return make_memory_store();
    }
    auto store = open_sqlite_store(executor, data.string());
    if (!store) {
        throw std::runtime_error(store.error().detail);
    }
    return std::move(store).value();
}

net::awaitable<void> stop_server_and_runtime(Server& server, Runtime& runtime) {
    co_await server.stop();
    co_await runtime.shutdown();
}

template <class AnyClient>
net::awaitable<boost::json::object> poll_until_run_ends(AnyClient& client,
                                                        std::string_view run_path,
                                                        std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    net::steady_timer pause(co_await net::this_coro::executor);
    for (;;) {
        const Response response = co_await client.get(run_path);
        if (response.result_int() != 200) {
            throw std::runtime_error("GET " + std::string(run_path) + ": " + response.body());
        }
        boost::json::object run = json_of(response).as_object();
        if (run.at("status") != "in_progress") {
            co_return run;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            throw std::runtime_error("the run has not ended in time: " + response.body());
        }
        pause.expires_after(std::chrono::milliseconds(20));
        co_await pause.async_wait(net::as_tuple(net::use_awaitable));
    }
}

}  // namespace

ServerConfig test_server_config() {
    ServerConfig config;
    config.port = 0;
    return config;
}

ServerConfig with_timeouts(ServerConfig config, std::chrono::milliseconds header,
                           std::chrono::milliseconds body, std::chrono::milliseconds idle) {
    config.header_timeout = header;
    config.body_timeout = body;
    config.idle_timeout = idle;
    return config;
}

RuntimeConfig test_runtime_config() {
    RuntimeConfig config;
    config.allow_private_targets = true;
    config.retries = 0;
    return config;
}

ApiFixture::ApiFixture(ServerConfig server_config, RuntimeConfig runtime_config)
    : runtime(io.get_executor(), runtime_config, test_store(io.get_executor(), data)),
      server(io.get_executor(), std::move(server_config), runtime) {
    server.start();
}

ApiFixture::~ApiFixture() {
    try {
        run_test_coroutine(io, stop_server_and_runtime(server, runtime), std::chrono::seconds(10));
    } catch (const std::exception& e) {
        FAIL_CHECK("stopping the server failed: " << e.what());
    }
}

net::awaitable<boost::json::object> wait_for_run_end(Client& client, std::string_view run_path,
                                                     std::chrono::milliseconds limit) {
    co_return co_await poll_until_run_ends(client, run_path, limit);
}

net::awaitable<boost::json::object> wait_for_run_end(TlsClient& client, std::string_view run_path,
                                                     std::chrono::milliseconds limit) {
    co_return co_await poll_until_run_ends(client, run_path, limit);
}

std::string collection_path(std::string_view collection_id) {
    return "/v1/async/collections/" + std::string(collection_id);
}

std::string run_path(std::string_view collection_id, std::string_view run_id) {
    return collection_path(collection_id) + "/runs/" + std::string(run_id);
}

}  // namespace asyncscrape::test
