// The API over HTTPS: the same server with the test PKI's certificate for 127.0.0.1, a client that
// verifies it, the handshake's deadline, plain HTTP sent to the HTTPS port, TLS closes, and the
// certificate and key files the server refuses to start with.
#include "integration/api/api_fixture.hpp"
#include "integration/api/credential_files.hpp"
#include "server/tls_server_context.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/ssl.h>

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

using namespace asyncscrape;
using namespace asyncscrape::test;
namespace net = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using Setting = TlsSetupError::Setting;

namespace {

ServerConfig tls_config(const CredentialFiles& files) {
    ServerConfig config = test_server_config();
    config.tls_certificate_file = files.certificate;
    config.tls_private_key_file = files.key;
    return config;
}

// The error make_tls_server_context throws for `config`; fails the test when it throws none.
TlsSetupError setup_error(const ServerConfig& config) {
    try {
        server::make_tls_server_context(config);
    } catch (const TlsSetupError& e) {
        return e;
    }
    FAIL("the TLS setup succeeded");
    throw std::logic_error("unreachable");
}

std::string collection_body(const std::string& url) {
    return json::serialize(
        json::object{{"name", "new collection"},
                     {"requests", json::array{json::object{{"url", url}, {"browser", false}}}}});
}

net::awaitable<void> seed_workflow(ApiFixture& f) {
    TlsClient client = co_await f.connect_tls();
    const Response health = co_await client.get("/v1/health");
    CHECK(health.result_int() == 200);
    CHECK(health.body() == R"({"status":"ok"})");
    CHECK(health[http::field::server] == "asyncscrape");

    const Response created =
        co_await client.post("/v1/async/collections", collection_body(f.target.url("/page")));
    REQUIRE(created.result_int() == 201);
    const std::string collection_id = text_of(json_of(created).at("id"));
    CHECK(text_of(json_of(created).at("message")) == "Collection created successfully.");

    const Response stored = co_await client.get(collection_path(collection_id));
    REQUIRE(stored.result_int() == 200);
    CHECK(text_of(json_of(stored).at("name")) == "new collection");
    CHECK(json_of(stored).at("requests").as_array().size() == 1);

    const Response started = co_await client.post(collection_path(collection_id) + "/run");
    REQUIRE(started.result_int() == 201);
    const std::string run_id = text_of(json_of(started).at("run_id"));
    const json::object run = co_await wait_for_run_end(client, run_path(collection_id, run_id));
    CHECK(run.at("status") == "completed");
    CHECK(run.at("success_requests") == 1);
}

net::awaitable<void> keep_alive_and_pipelining(ApiFixture& f) {
    TlsClient client = co_await f.connect_tls();
    for (int i = 0; i < 3; ++i) {
        const Response health = co_await client.get("/v1/health");
        CHECK(health.result_int() == 200);
        CHECK(health.keep_alive());
    }
    co_await client.send(raw_request("GET", "/v1/health") + raw_request("GET", "/v1/nothing"));
    const Response first = co_await client.receive();
    const Response second = co_await client.receive();
    CHECK(first.result_int() == 200);
    CHECK(second.result_int() == 404);
}

net::awaitable<void> silent_clients_are_dropped(ApiFixture& f) {
    // Connected over TCP, and never a ClientHello.
    Client silent = co_await f.connect();
    silent.deadline = std::chrono::seconds(5);
    const bool closed = co_await silent.closed_by_server();
    CHECK(closed);

    TlsClient next = co_await f.connect_tls();
    const Response health = co_await next.get("/v1/health");
    CHECK(health.result_int() == 200);
}

net::awaitable<void> plain_http_to_the_tls_port(ApiFixture& f) {
    // OpenSSL recognises a GET: the client is told in plain HTTP.
    Client plain = co_await f.connect();
    co_await plain.send(raw_request("GET", "/v1/health"));
    const Response refused = co_await plain.receive();
    CHECK(refused.result_int() == 400);
    CHECK(text_of(json_of(refused).at("detail")) == "this port speaks HTTPS: use https://");
    CHECK_FALSE(refused.keep_alive());
    const bool refused_closed = co_await plain.closed_by_server();
    CHECK(refused_closed);

    // A method it does not recognise, and bytes that are no protocol at all: closed.
    Client deleting = co_await f.connect();
    co_await deleting.send(raw_request("DELETE", "/v1/async/collections/x"));
    const bool deleting_closed = co_await deleting.closed_by_server();
    CHECK(deleting_closed);
    Client garbage = co_await f.connect();
    co_await garbage.send(std::string(64, '\x16'));
    const bool garbage_closed = co_await garbage.closed_by_server();
    CHECK(garbage_closed);

    TlsClient next = co_await f.connect_tls();
    const Response health = co_await next.get("/v1/health");
    CHECK(health.result_int() == 200);
}

net::awaitable<void> closes_send_close_notify(ApiFixture& f) {
    // The client asked to close: answered, then close_notify (eof), not a bare TCP close
    // (stream_truncated).
    TlsClient closing = co_await f.connect_tls();
    co_await closing.send("GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const Response health = co_await closing.receive();
    CHECK(health.result_int() == 200);
    CHECK_FALSE(health.keep_alive());
    const boost::system::error_code closed_with = co_await closing.read_until_closed();
    CHECK(closed_with == net::error::eof);

    // Refused for its headers: 431, then close_notify.
    TlsClient refused = co_await f.connect_tls();
    const std::string padding(20 * 1024, 'x');
    co_await refused.send("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Padding: " + padding +
                          "\r\n\r\n");
    const Response too_large = co_await refused.receive();
    CHECK(too_large.result_int() == 431);
    const boost::system::error_code refused_with = co_await refused.read_until_closed();
    CHECK(refused_with == net::error::eof);
}

net::awaitable<void> idle_connections_are_closed(ApiFixture& f) {
    TlsClient client = co_await f.connect_tls();
    client.deadline = std::chrono::seconds(5);
    const Response health = co_await client.get("/v1/health");
    CHECK(health.result_int() == 200);
    const bool closed = co_await client.closed_by_server();
    CHECK(closed);
}

net::awaitable<void> graceful_stop(ApiFixture& f) {
    TlsClient idle = co_await f.connect_tls();
    const Response health = co_await idle.get("/v1/health");
    CHECK(health.result_int() == 200);
    const std::uint16_t port = f.server.port();

    co_await f.server.stop();
    const boost::system::error_code closed_with = co_await idle.read_until_closed();
    CHECK(closed_with == net::error::eof);
    bool refused = false;
    try {
        co_await TlsClient::connect(port);
    } catch (const std::exception&) {
        refused = true;
    }
    CHECK(refused);
}

net::awaitable<void> stop_runtime(Runtime& runtime) {
    co_await runtime.shutdown();
}

}  // namespace

TEST_CASE("HTTPS: a client that verifies the certificate gets health and runs the seed workflow") {
    const CredentialFiles files;
    ApiFixture f(tls_config(files));
    f.run(seed_workflow(f));
}

TEST_CASE("HTTPS: a connection serves request after request, pipelined ones in order") {
    const CredentialFiles files;
    ApiFixture f(tls_config(files));
    f.run(keep_alive_and_pipelining(f));
}

TEST_CASE("HTTPS: a client that never sends a ClientHello is dropped after the header timeout") {
    using std::chrono::milliseconds;
    const CredentialFiles files;
    ApiFixture f(with_timeouts(tls_config(files), milliseconds(300), milliseconds(60000),
                               milliseconds(60000)));
    f.run(silent_clients_are_dropped(f));
}

TEST_CASE("HTTPS: plain HTTP to the HTTPS port is closed, and the next TLS client is served") {
    const CredentialFiles files;
    ApiFixture f(tls_config(files));
    f.run(plain_http_to_the_tls_port(f));
}

TEST_CASE("HTTPS: a connection the server closes ends with close_notify") {
    const CredentialFiles files;
    ApiFixture f(tls_config(files));
    f.run(closes_send_close_notify(f));
}

TEST_CASE("HTTPS: an idle keep-alive connection is closed") {
    using std::chrono::milliseconds;
    const CredentialFiles files;
    ApiFixture f(with_timeouts(tls_config(files), milliseconds(10000), milliseconds(60000),
                               milliseconds(300)));
    f.run(idle_connections_are_closed(f));
}

TEST_CASE("HTTPS: a graceful stop closes idle connections with close_notify") {
    const CredentialFiles files;
    ApiFixture f(tls_config(files));
    f.run(graceful_stop(f));
}

TEST_CASE("HTTPS: the server's context allows TLS 1.2 and later only") {
    const CredentialFiles files;
    net::ssl::context context = server::make_tls_server_context(tls_config(files));
    CHECK(SSL_CTX_get_min_proto_version(context.native_handle()) == TLS1_2_VERSION);
}

TEST_CASE("HTTPS: the server refuses to start without a usable certificate and key") {
    const CredentialFiles files;
    ServerConfig config = tls_config(files);

    SECTION("one of the two files only") {
        config.tls_private_key_file.clear();
        const TlsSetupError no_key = setup_error(config);
        CHECK(no_key.setting() == Setting::private_key_file);
        CHECK(no_key.file().empty());
        config = tls_config(files);
        config.tls_certificate_file.clear();
        CHECK(setup_error(config).setting() == Setting::certificate_file);
    }
    SECTION("a file that does not exist") {
        config.tls_certificate_file = (files.dir.path() / "missing.crt").string();
        const TlsSetupError missing = setup_error(config);
        CHECK(missing.setting() == Setting::certificate_file);
        CHECK(missing.file() == config.tls_certificate_file);
        CHECK(missing.problem() == "cannot open: No such file or directory");
        CHECK(std::string(missing.what()) == "TLS certificate chain file \"" +
                                                 config.tls_certificate_file +
                                                 "\": cannot open: No such file or directory");
        config = tls_config(files);
        config.tls_private_key_file = (files.dir.path() / "missing.key").string();
        CHECK(setup_error(config).setting() == Setting::private_key_file);
    }
    SECTION("a file that cannot be read") {
        config.tls_private_key_file = files.dir.string();
        const TlsSetupError directory = setup_error(config);
        CHECK(directory.setting() == Setting::private_key_file);
        CHECK(directory.problem() == "not a regular file");
        if (::geteuid() != 0) {  // root reads anything
            std::filesystem::permissions(files.key, std::filesystem::perms::none);
            config.tls_private_key_file = files.key;
            const TlsSetupError unreadable = setup_error(config);
            CHECK(unreadable.setting() == Setting::private_key_file);
            CHECK(unreadable.problem() == "cannot open: Permission denied");
        }
    }
    SECTION("files that are not PEM, or swapped") {
        config.tls_certificate_file = files.key;
        config.tls_private_key_file = files.certificate;
        const TlsSetupError swapped = setup_error(config);
        CHECK(swapped.setting() == Setting::certificate_file);
        CHECK(swapped.problem() == "no PEM certificate in it");
        config = tls_config(files);
        config.tls_private_key_file = files.write("text.key", "not a key\n");
        const TlsSetupError not_pem = setup_error(config);
        CHECK(not_pem.setting() == Setting::private_key_file);
        CHECK(not_pem.problem() == "no PEM private key in it");
    }
    SECTION("a key of another certificate, of the same type or another") {
        config.tls_private_key_file = files.write("other.key", unrelated_ec_key_pem());
        const TlsSetupError other = setup_error(config);
        CHECK(other.setting() == Setting::private_key_file);
        CHECK(other.problem() == "does not match the certificate in \"" + files.certificate + "\"");
        config.tls_private_key_file = files.write("rsa.key", unrelated_rsa_key_pem());
        const TlsSetupError rsa = setup_error(config);
        CHECK(rsa.setting() == Setting::private_key_file);
        CHECK(rsa.problem() == "does not match the certificate in \"" + files.certificate + "\"");
    }
    SECTION("an encrypted key: no one to ask for its passphrase") {
        config.tls_private_key_file = files.write("encrypted.key", unrelated_ec_key_pem("secret"));
        const TlsSetupError encrypted = setup_error(config);
        CHECK(encrypted.setting() == Setting::private_key_file);
        CHECK(encrypted.problem() == "encrypted with a passphrase, which is not supported");
    }
}

TEST_CASE("HTTPS: Server::start() refuses a key that does not match, and does not listen") {
    const CredentialFiles files;
    ServerConfig config = tls_config(files);
    config.tls_private_key_file = files.write("other.key", unrelated_ec_key_pem());
    net::io_context io;
    Runtime runtime(io.get_executor(), test_runtime_config(), make_memory_store());
    Server server(io.get_executor(), config, runtime);
    CHECK_THROWS_AS(server.start(), TlsSetupError);
    CHECK(server.port() == 0);
    run_test_coroutine(io, stop_runtime(runtime), std::chrono::seconds(10));
}
