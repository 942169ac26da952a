// The real asyncscrape-server binary with --tls-cert and --tls-key: it serves HTTPS and says so,
// and it refuses to start, before it opens its store, when the certificate or key cannot serve.
#include "integration/api/client.hpp"
#include "integration/api/credential_files.hpp"
#include "integration/process/child_process.hpp"
#include "integration/process/server_binary.hpp"
#include "support/run_test_coroutine.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <regex>
#include <string>

using namespace asyncscrape::test;
namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {

// The port from the "listening on https://127.0.0.1:<port>" line.
std::uint16_t listening_port_tls(ChildProcess& server) {
    server.read_until("listening on https://127.0.0.1:", 10s);
    const std::string line = server.read_until("\n", 1s);
    std::smatch match;
    const std::regex listening(R"(listening on https://127\.0\.0\.1:(\d+)\n)");
    REQUIRE(std::regex_search(line, match, listening));
    return static_cast<std::uint16_t>(std::stoi(match[1]));
}

net::awaitable<Response> get_health_over_tls(std::uint16_t port) {
    TlsClient client = co_await TlsClient::connect(port);
    co_return co_await client.get("/v1/health");
}

net::awaitable<Response> get_health_over_plain_http(std::uint16_t port) {
    Client client = co_await Client::connect(port);
    co_return co_await client.get("/v1/health");
}

std::vector<std::string> tls_args(const TempDir& data, const std::string& certificate,
                                  const std::string& key) {
    return {"--listen",   "127.0.0.1:0", "--data",    (data.path() / "store").string(),
            "--tls-cert", certificate,   "--tls-key", key};
}

}  // namespace

TEST_CASE("the server binary serves HTTPS with --tls-cert and --tls-key") {
    const CredentialFiles files;
    const TempDir data;
    ChildProcess server(server_binary, tls_args(data, files.certificate, files.key));
    const std::uint16_t port = listening_port_tls(server);

    net::io_context io;
    const Response health = run_test_coroutine(io, get_health_over_tls(port), 10s);
    CHECK(health.result_int() == 200);
    CHECK(health.body() == R"({"status":"ok"})");
    const Response plain = run_test_coroutine(io, get_health_over_plain_http(port), 10s);
    CHECK(plain.result_int() == 400);

    server.signal(SIGTERM);
    CHECK(server.wait_exit(5s) == 0);
}

TEST_CASE("the server binary refuses to start with a certificate or key it cannot use") {
    const CredentialFiles files;
    const TempDir data;
    const std::string missing = (files.dir.path() / "missing.key").string();
    const std::string other = files.write("other.key", unrelated_ec_key_pem());
    const std::string not_pem = files.write("notes.txt", "not a certificate\n");

    struct Refusal {
        std::vector<std::string> args;
        std::string message;
    };
    const Refusal refusals[] = {
        {tls_args(data, files.certificate, missing),
         "--tls-key " + missing + ": cannot open: No such file or directory"},
        {tls_args(data, files.certificate, other), "--tls-key " + other +
                                                       ": does not match the certificate in \"" +
                                                       files.certificate + "\""},
        {tls_args(data, not_pem, files.key),
         "--tls-cert " + not_pem + ": no PEM certificate in it"},
    };
    for (const Refusal& refusal : refusals) {
        INFO(refusal.message);
        ChildProcess server(server_binary, refusal.args);
        const std::string output = server.read_all(5s);
        CHECK(output.find(refusal.message) != std::string::npos);
        CHECK(output.find("listening on") == std::string::npos);
        CHECK(server.wait_exit(5s) == 1);
    }
    // Refused before the store was opened: nothing was created.
    CHECK_FALSE(std::filesystem::exists(data.path() / "store"));

    ChildProcess half(server_binary, {"--listen", "127.0.0.1:0", "--tls-cert", files.certificate});
    CHECK(half.read_all(5s).find("--tls-cert needs --tls-key (both or neither)") !=
          std::string::npos);
    CHECK(half.wait_exit(5s) == 2);
}
