// The address guard against real fetches: a private target is refused before any connection.
#include "fetch/fetcher.hpp"
#include "fetch_test_support.hpp"
#include "support/run_test_coroutine.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

using namespace asyncscrape;
using namespace asyncscrape::test;
using fetch::FetchError;
using fetch::FetchResult;
using fetch::HttpClient;

namespace {

RuntimeConfig guarded_config() {
    RuntimeConfig config = local_config();
    config.allow_private_targets = false;
    return config;
}

}  // namespace

TEST_CASE("the guard refuses every spelling of a loopback target without connecting",
          "[fetch][ssrf]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), guarded_config());
    const std::string port = std::to_string(server.port());
    const auto host =
        GENERATE("127.0.0.1", "127.1", "2130706433", "0x7f000001", "[::ffff:127.0.0.1]",
                 "localhost", "localhost.", "LOCALHOST", "[::1]", "0.0.0.0");
    INFO(host);
    const FetchResult result = run_test_coroutine(
        io, client.fetch(request_to("http://" + std::string(host) + ":" + port + "/page")));
    CHECK(result.error == FetchError::blocked);
    CHECK(result.error_message == "blocked: private address");
    CHECK_FALSE(result.retryable_error());
    CHECK(server.connections_accepted() == 0);
}

TEST_CASE("every redirect hop is checked by the guard", "[fetch][ssrf]") {
    boost::asio::io_context io;
    TargetServer server(io);
    // The guard as in production, except that it admits the target's own address; any other
    // non-public address (here another loopback one) stays refused.
    fetch::AddressGuard guard(false);
    guard.admit(boost::asio::ip::make_address("127.0.0.1"));
    fetch::Fetcher fetcher(io.get_executor(), guarded_config(), guard);
    const std::string port = std::to_string(server.port());

    const FetchResult allowed =
        run_test_coroutine(io, fetcher.fetch(request_to(server.url("/redirect/2"))));
    CHECK(allowed.ok());

    // Brackets are percent-encoded in the query that carries the Location.
    const auto [private_hop, encoded_hop] = GENERATE(table<std::string, std::string>({
        {"http://127.0.0.2:", "http://127.0.0.2:"},
        {"http://[::1]:", "http://%5B::1%5D:"},
        {"http://0x7f000002:", "http://0x7f000002:"},
    }));
    INFO(private_hop);
    const FetchResult redirected = run_test_coroutine(
        io,
        fetcher.fetch(request_to(server.url("/redirect-to?url=" + encoded_hop + port + "/page"))));
    CHECK(redirected.error == FetchError::blocked);
    CHECK(redirected.error_message == "blocked: private address");
    CHECK(redirected.final_url == private_hop + port + "/page");
    CHECK(server.requests_seen("/page") == 0);
}
