// The server under test: a real Server and Runtime on the test's io_context, with a target
// server beside them for the jobs to fetch. Tests are coroutines run with run(...). The store is
// the memory store, or with ASYNCSCRAPE_TEST_STORE=sqlite a SQLite store in a directory of the
// test's own: ctest runs the whole suite on each.
//
// Never co_await inside a Catch assertion (CHECK(co_await ...)): the macro repeats its expression
// in an unevaluated branch and GCC 12 then resumes the coroutine wrongly. Await into a variable.
#pragma once

#include "integration/api/client.hpp"
#include "support/run_test_coroutine.hpp"
#include "support/target_server.hpp"
#include "support/temp_dir.hpp"

#include <asyncscrape/config.hpp>
#include <asyncscrape/runtime.hpp>
#include <asyncscrape/server.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace asyncscrape::test {

// Port 0, the limits as shipped.
ServerConfig test_server_config();
// `config` with these timeouts: short ones make the tests of slow and idle clients quick.
ServerConfig with_timeouts(ServerConfig config, std::chrono::milliseconds header,
                           std::chrono::milliseconds body, std::chrono::milliseconds idle);
// Private targets allowed (the target server is on loopback), no retries to keep tests quick.
RuntimeConfig test_runtime_config();

class ApiFixture {
  public:
    explicit ApiFixture(ServerConfig server_config = test_server_config(),
                        RuntimeConfig runtime_config = test_runtime_config());
    // Stops the server and the runtime, as the binary does on SIGTERM.
    ~ApiFixture();
    ApiFixture(const ApiFixture&) = delete;
    ApiFixture& operator=(const ApiFixture&) = delete;

    template <class T>
    T run(boost::asio::awaitable<T> test) {
        return run_test_coroutine(io, std::move(test), std::chrono::seconds(60));
    }

    boost::asio::awaitable<Client> connect() { return Client::connect(server.port()); }
    // For a server configured with the test certificate (test_pki().localhost).
    boost::asio::awaitable<TlsClient> connect_tls() { return TlsClient::connect(server.port()); }

    boost::asio::io_context io;
    TargetServer target{io};
    TempDir data;
    Runtime runtime;
    Server server;
};

// Polls the run until it has ended; throws when it has not within `limit`.
boost::asio::awaitable<boost::json::object> wait_for_run_end(
    Client& client, std::string_view run_path,
    std::chrono::milliseconds limit = std::chrono::seconds(20));
boost::asio::awaitable<boost::json::object> wait_for_run_end(
    TlsClient& client, std::string_view run_path,
    std::chrono::milliseconds limit = std::chrono::seconds(20));

// The path of a collection, and of a run of it.
std::string collection_path(std::string_view collection_id);
std::string run_path(std::string_view collection_id, std::string_view run_id);

}  // namespace asyncscrape::test
