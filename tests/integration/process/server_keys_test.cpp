// The real asyncscrape-server binary with --api-keys: it checks keys, reloads them on SIGHUP, and
// refuses, before it opens its store, a keys file it cannot use or an open server beyond loopback.
#include "integration/api/client.hpp"
#include "integration/process/child_process.hpp"
#include "integration/process/server_binary.hpp"
#include "support/run_test_coroutine.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

using namespace asyncscrape::test;
namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view old_key = "old-key-0123456789abcdef";
constexpr std::string_view new_key = "new-key-0123456789abcdef";

net::awaitable<int> status_of_list(std::uint16_t port, std::string key) {
    Client client = co_await Client::connect(port);
    client.headers.emplace_back("Authorization", "Bearer " + key);
    const Response response = co_await client.get("/v1/async/collections");
    co_return response.result_int();
}

int status_with(std::uint16_t port, std::string_view key) {
    net::io_context io;
    return run_test_coroutine(io, status_of_list(port, std::string(key)), 10s);
}

}  // namespace

TEST_CASE("the server binary checks API keys and reloads them on SIGHUP") {
    const TempDir data;
    const std::string keys = (data.path() / "keys").string();
    std::ofstream(keys) << "acme:" << old_key << "\n";
    ChildProcess server(server_binary,
                        {"--listen", "127.0.0.1:0", "--store", "memory", "--api-keys", keys});
    const std::uint16_t port = listening_port(server);
    CHECK(status_with(port, old_key) == 200);
    CHECK(status_with(port, new_key) == 401);

    std::ofstream(keys) << "acme:" << new_key << "\n";
    server.signal(SIGHUP);
    server.read_until("SIGHUP: 1 API keys loaded", 5s);
    CHECK(status_with(port, new_key) == 200);
    CHECK(status_with(port, old_key) == 401);

    // A broken file is refused; the keys in use stay.
    std::ofstream(keys) << "acme short\n";
    server.signal(SIGHUP);
    server.read_until("the keys in use stay", 5s);
    CHECK(status_with(port, new_key) == 200);

    server.signal(SIGTERM);
    CHECK(server.wait_exit(5s) == 0);
}

TEST_CASE(
    "the server binary refuses a keys file it cannot use, and an open server beyond "
    "loopback") {
    const TempDir data;
    const std::string store = (data.path() / "store").string();
    const std::string keys = (data.path() / "keys").string();
    std::ofstream(keys) << "# acme\nacme:short\n";

    ChildProcess bad_keys(server_binary,
                          {"--listen", "127.0.0.1:0", "--data", store, "--api-keys", keys});
    const std::string refused = bad_keys.read_all(5s);
    CHECK(refused.find("--api-keys " + keys +
                       ": line 2: a key must be at least 16 visible ASCII characters without "
                       "spaces") != std::string::npos);
    CHECK(bad_keys.wait_exit(5s) == 1);

    ChildProcess open(server_binary, {"--listen", "0.0.0.0:0", "--data", store});
    const std::string open_refused = open.read_all(5s);
    CHECK(open_refused.find("refusing to serve 0.0.0.0 without API keys") != std::string::npos);
    CHECK(open_refused.find("give --api-keys FILE, or --insecure-open to allow it") !=
          std::string::npos);
    CHECK(open.wait_exit(5s) == 1);
    // Refused before the store was opened: nothing was created.
    CHECK_FALSE(std::filesystem::exists(store));
}
