// API keys and tenants over loopback: who may call, and that a tenant sees only its own
// collections, runs and jobs, on both stores.
#include "integration/api/api_fixture.hpp"
#include "server/listen_address.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

using namespace asyncscrape;
using namespace asyncscrape::test;
namespace net = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr std::string_view acme_key = "acme-0123456789abcdef";
constexpr std::string_view globex_key = "globex-0123456789abcdef";
constexpr std::string_view initech_key = "initech-0123456789abcdef";

// A keys file in a directory of its own, written before the server starts.
class KeysFile {
  public:
    explicit KeysFile(std::string_view text) { write(text); }
    void write(std::string_view text) const { std::ofstream(path()) << text; }
    std::string path() const { return (dir_.path() / "keys").string(); }

  private:
    TempDir dir_;
};

std::string two_tenants() {
    return "acme:" + std::string(acme_key) + "\nglobex:" + std::string(globex_key) + "\n";
}

ServerConfig with_keys(const KeysFile& keys) {
    ServerConfig config = test_server_config();
    config.api_keys_file = keys.path();
    return config;
}

net::awaitable<Client> connect_as(ApiFixture& f, std::string_view key) {
    Client client = co_await f.connect();
    client.headers.emplace_back("Authorization", "Bearer " + std::string(key));
    co_return client;
}

std::string detail(const Response& response) {
    return text_of(json_of(response).at("detail"));
}

std::string collection_body(const std::string& url) {
    return json::serialize(
        json::object{{"name", "mine"}, {"requests", json::array{json::object{{"url", url}}}}});
}

struct Created {
    std::string collection_id;
    std::string run_id;
    std::string job_id;
};

// A collection of one page, run to its end.
net::awaitable<Created> create_and_run(ApiFixture& f, Client& client) {
    Created created;
    const Response collection =
        co_await client.post("/v1/async/collections", collection_body(f.target.url("/page")));
    REQUIRE(collection.result_int() == 201);
    created.collection_id = text_of(json_of(collection).at("id"));
    const Response run = co_await client.post(collection_path(created.collection_id) + "/run");
    REQUIRE(run.result_int() == 201);
    created.run_id = text_of(json_of(run).at("run_id"));
    co_await wait_for_run_end(client, run_path(created.collection_id, created.run_id));
    const Response jobs =
        co_await client.get(run_path(created.collection_id, created.run_id) + "/jobs");
    REQUIRE(jobs.result_int() == 200);
    created.job_id = text_of(json_of(jobs).at("items").at(0).at("job_id"));
    co_return created;
}

net::awaitable<void> health_is_open_and_the_rest_needs_a_key(ApiFixture& f) {
    Client anonymous = co_await f.connect();
    const Response health = co_await anonymous.get("/v1/health");
    CHECK(health.result_int() == 200);

    const Response missing = co_await anonymous.get("/v1/async/collections");
    CHECK(missing.result_int() == 401);
    CHECK(missing[http::field::www_authenticate] == R"(Bearer realm="asyncscrape")");
    CHECK(detail(missing) == "Authorization: missing; send Authorization: Bearer <api key>");

    const Response create =
        co_await anonymous.post("/v1/async/collections", collection_body(f.target.url("/page")));
    CHECK(create.result_int() == 401);

    Client stranger = co_await connect_as(f, "not-a-key-0123456789");
    const Response unknown = co_await stranger.get("/v1/async/collections");
    CHECK(unknown.result_int() == 401);
    CHECK(unknown[http::field::www_authenticate] ==
          R"(Bearer realm="asyncscrape", error="invalid_token")");
    CHECK(detail(unknown) == "Authorization: unknown API key");

    // The refused create made nothing.
    Client acme = co_await connect_as(f, acme_key);
    const Response list = co_await acme.get("/v1/async/collections");
    CHECK(list.result_int() == 200);
    CHECK(json_of(list).at("total") == 0);
}

net::awaitable<void> a_tenant_sees_only_its_own(ApiFixture& f) {
    Client acme = co_await connect_as(f, acme_key);
    Client globex = co_await connect_as(f, globex_key);
    const Created mine = co_await create_and_run(f, acme);

    const std::string collection = collection_path(mine.collection_id);
    const std::string run = run_path(mine.collection_id, mine.run_id);
    const std::string job = run + "/jobs/" + mine.job_id;
    struct Probe {
        http::verb method;
        std::string target;
        std::string body;
    };
    const std::vector<Probe> probes = {
        {http::verb::get, collection, ""},
        {http::verb::put, collection, R"({"name": "taken"})"},
        {http::verb::post, collection + "/run", ""},
        {http::verb::get, collection + "/runs", ""},
        {http::verb::get, run, ""},
        {http::verb::post, run + "/cancel", ""},
        {http::verb::get, run + "/jobs", ""},
        {http::verb::get, job, ""},
        {http::verb::get, job + "/result", ""},
        {http::verb::get, run + "/results", ""},
        {http::verb::delete_, collection, ""},
    };
    for (const Probe& probe : probes) {
        INFO(probe.method << " " << probe.target);
        const Response answer = co_await globex.request(probe.method, probe.target, probe.body);
        CHECK(answer.result_int() == 404);
        // The same words as for an id that does not exist: nothing tells the two apart.
        CHECK(detail(answer).ends_with("not found"));
    }

    const Response theirs = co_await globex.get("/v1/async/collections");
    CHECK(json_of(theirs).at("total") == 0);
    const Created other = co_await create_and_run(f, globex);

    // Untouched by the other tenant's attempts, and alone in the owner's list.
    const Response still = co_await acme.get(collection);
    CHECK(still.result_int() == 200);
    CHECK(json_of(still).at("name") == "mine");
    const Response list = co_await acme.get("/v1/async/collections");
    REQUIRE(json_of(list).at("total") == 1);
    CHECK(text_of(json_of(list).at("items").at(0).at("id")) == mine.collection_id);
    const Response result = co_await acme.get(job + "/result");
    CHECK(result.result_int() == 200);
    const Response other_run = co_await acme.get(run_path(other.collection_id, other.run_id));
    CHECK(other_run.result_int() == 404);
}

net::awaitable<void> a_live_run_is_hidden_from_other_tenants(ApiFixture& f) {
    Client acme = co_await connect_as(f, acme_key);
    Client globex = co_await connect_as(f, globex_key);
    const Response collection =
        co_await acme.post("/v1/async/collections", collection_body(f.target.url("/delay/1500")));
    REQUIRE(collection.result_int() == 201);
    const std::string id = text_of(json_of(collection).at("id"));
    const Response started = co_await acme.post(collection_path(id) + "/run");
    REQUIRE(started.result_int() == 201);
    const std::string run = run_path(id, text_of(json_of(started).at("run_id")));

    const Response seen = co_await globex.get(run);
    CHECK(seen.result_int() == 404);
    const Response cancel = co_await globex.post(run + "/cancel");
    CHECK(cancel.result_int() == 404);
    const Response own = co_await acme.get(run);
    REQUIRE(own.result_int() == 200);
    CHECK(json_of(own).at("status") == "in_progress");
    const auto ended = co_await wait_for_run_end(acme, run);
    CHECK(ended.at("status") == "completed");  // the other tenant's cancel did nothing
}

net::awaitable<void> reloaded_keys_apply_to_the_next_request(ApiFixture& f, KeysFile& keys) {
    Client acme = co_await connect_as(f, acme_key);
    Client initech = co_await connect_as(f, initech_key);
    const Response before = co_await initech.get("/v1/async/collections");
    CHECK(before.result_int() == 401);

    keys.write("initech:" + std::string(initech_key) + "\n");
    CHECK(f.server.reload_api_keys() == 1);
    const Response added = co_await initech.get("/v1/async/collections");
    CHECK(added.result_int() == 200);
    const Response removed = co_await acme.get("/v1/async/collections");
    CHECK(removed.result_int() == 401);

    // A file that is not a keys file is refused; the keys in use stay.
    keys.write("initech:short\n");
    CHECK_THROWS_AS(f.server.reload_api_keys(), ApiKeysError);
    const Response kept = co_await initech.get("/v1/async/collections");
    CHECK(kept.result_int() == 200);
}

}  // namespace

TEST_CASE("with API keys, every route but health needs a Bearer key") {
    KeysFile keys(two_tenants());
    ApiFixture f(with_keys(keys));
    f.run(health_is_open_and_the_rest_needs_a_key(f));
}

TEST_CASE("a tenant sees only its own collections, runs, jobs and results") {
    KeysFile keys(two_tenants());
    ApiFixture f(with_keys(keys));
    f.run(a_tenant_sees_only_its_own(f));
}

TEST_CASE("a run in progress is hidden from other tenants") {
    KeysFile keys(two_tenants());
    ApiFixture f(with_keys(keys));
    f.run(a_live_run_is_hidden_from_other_tenants(f));
}

TEST_CASE("reloaded API keys apply from the next request; a bad file keeps the old keys") {
    KeysFile keys(two_tenants());
    ApiFixture f(with_keys(keys));
    f.run(reloaded_keys_apply_to_the_next_request(f, keys));
}

TEST_CASE("a server without API keys refuses to listen beyond loopback") {
    ServerConfig config = test_server_config();
    config.host = "0.0.0.0";
    net::io_context io;
    Runtime runtime(io.get_executor());
    Server open(io.get_executor(), config, runtime);
    CHECK_THROWS_AS(open.start(), OpenServerRefused);
    run_test_coroutine(io, runtime.shutdown(), std::chrono::seconds(10));

    // Allowed when asked for, and on loopback (checked without binding beyond loopback here).
    const net::ip::tcp::endpoint everywhere(net::ip::make_address("0.0.0.0"), 8080);
    const net::ip::tcp::endpoint loopback(net::ip::make_address("::1"), 8080);
    CHECK_NOTHROW(server::check_open_server(config, loopback));
    config.insecure_open = true;
    CHECK_NOTHROW(server::check_open_server(config, everywhere));
    config.insecure_open = false;
    config.api_keys_file = "keys";
    CHECK_NOTHROW(server::check_open_server(config, everywhere));
}

TEST_CASE("a server refuses to start with a keys file it cannot use") {
    KeysFile keys("acme:short\n");
    net::io_context io;
    Runtime runtime(io.get_executor());
    Server server(io.get_executor(), with_keys(keys), runtime);
    try {
        server.start();
        FAIL("started");
    } catch (const ApiKeysError& e) {
        CHECK(e.file() == keys.path());
        CHECK(e.problem() ==
              "line 1: a key must be at least 16 visible ASCII characters without spaces");
    }
    run_test_coroutine(io, runtime.shutdown(), std::chrono::seconds(10));
}
