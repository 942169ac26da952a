#include "fetch_test_support.hpp"
#include "support/run_test_coroutine.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

using namespace asyncscrape;
using namespace asyncscrape::test;
using fetch::FetchError;
using fetch::FetchResult;
using fetch::HttpClient;

TEST_CASE("HTTPS with a certificate from a trusted CA", "[fetch][tls]") {
    boost::asio::io_context io;
    TargetServer server(io, TargetTransport::tls);
    HttpClient client(io.get_executor(), local_config());
    SECTION("by address") {
        const FetchResult result =
            run_test_coroutine(io, client.fetch(request_to(server.url("/page"))));
        CHECK(result.ok());
        CHECK(result.status == 200);
        CHECK(result.body.find("Target page") != std::string::npos);
        CHECK(result.timings.tls_ms > 0);
    }
    SECTION("by name, with SNI") {
        const std::string url = "https://localhost:" + std::to_string(server.port()) + "/gzip";
        const FetchResult result = run_test_coroutine(io, client.fetch(request_to(url)));
        CHECK(result.ok());
        CHECK(result.body.find("Target page") != std::string::npos);
    }
    SECTION("keep-alive") {
        for (int i = 0; i < 3; ++i) {
            CHECK(run_test_coroutine(io, client.fetch(request_to(server.url("/page")))).ok());
        }
        CHECK(server.connections_accepted() == 1);
    }
}

TEST_CASE("a certificate for another host is refused", "[fetch][tls]") {
    boost::asio::io_context io;
    TargetServer server(io, TargetTransport::tls_wrong_host);
    HttpClient client(io.get_executor(), local_config());
    const FetchResult by_address =
        run_test_coroutine(io, client.fetch(request_to(server.url("/page"))));
    CHECK(by_address.error == FetchError::tls);
    CHECK(by_address.error_message == "tls: certificate verify failed: IP address mismatch");
    const std::string by_name_url = "https://localhost:" + std::to_string(server.port()) + "/page";
    const FetchResult by_name = run_test_coroutine(io, client.fetch(request_to(by_name_url)));
    CHECK(by_name.error == FetchError::tls);
    CHECK(by_name.error_message == "tls: certificate verify failed: hostname mismatch");
    CHECK(server.requests_seen("/page") == 0);
}

TEST_CASE("a self-signed certificate is refused", "[fetch][tls]") {
    boost::asio::io_context io;
    TargetServer server(io, TargetTransport::tls_self_signed);
    HttpClient client(io.get_executor(), local_config());
    const FetchResult result =
        run_test_coroutine(io, client.fetch(request_to(server.url("/page"))));
    CHECK(result.error == FetchError::tls);
    CHECK(result.error_message == "tls: certificate verify failed: self-signed certificate");
}

TEST_CASE("an expired certificate is refused", "[fetch][tls]") {
    boost::asio::io_context io;
    TargetServer server(io, TargetTransport::tls_expired);
    HttpClient client(io.get_executor(), local_config());
    const FetchResult result =
        run_test_coroutine(io, client.fetch(request_to(server.url("/page"))));
    CHECK(result.error == FetchError::tls);
    CHECK(result.error_message == "tls: certificate verify failed: certificate has expired");
    CHECK_FALSE(result.retryable_error());
}

TEST_CASE("a CA that is not trusted is refused", "[fetch][tls]") {
    boost::asio::io_context io;
    TargetServer server(io, TargetTransport::tls);
    RuntimeConfig config = local_config();
    config.extra_ca_file.clear();
    HttpClient client(io.get_executor(), config);
    const FetchResult result =
        run_test_coroutine(io, client.fetch(request_to(server.url("/page"))));
    CHECK(result.error == FetchError::tls);
    CHECK(result.error_message.starts_with("tls: certificate verify failed: "));
}

TEST_CASE("TLS to a plain HTTP server fails as tls", "[fetch][tls]") {
    boost::asio::io_context io;
    TargetServer server(io);
    HttpClient client(io.get_executor(), local_config());
    const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/page";
    const FetchResult result = run_test_coroutine(io, client.fetch(request_to(url)));
    CHECK(result.error == FetchError::tls);
    CHECK(result.error_message.starts_with("tls: "));
}
