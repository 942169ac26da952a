// The seed's workflow end to end over HTTP, and the life of runs and collections around it.
#include "integration/api/api_fixture.hpp"
#include "support/png_image.hpp"
#include "util/uuid.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

using namespace asyncscrape;
using namespace asyncscrape::test;
namespace net = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

std::int64_t number(const json::object& object, std::string_view key) {
    return object.at(key).to_number<std::int64_t>();
}

std::string text(const json::object& object, std::string_view key) {
    return text_of(object.at(key));
}

json::object plain_request(const std::string& url) {
    return {{"url", url}, {"browser", false}};
}

std::string collection_body(std::string_view name, const json::array& requests) {
    return json::serialize(json::object{{"name", name}, {"requests", requests}});
}

// Creates a collection and answers its id.
net::awaitable<std::string> create_collection(Client& client, const json::array& requests) {
    const Response created =
        co_await client.post("/v1/async/collections", collection_body("test", requests));
    REQUIRE(created.result_int() == 201);
    co_return text(json_of(created).as_object(), "id");
}

// Starts a run and answers its id.
net::awaitable<std::string> start_run(Client& client, const std::string& collection_id) {
    const Response started = co_await client.post(collection_path(collection_id) + "/run");
    REQUIRE(started.result_int() == 201);
    co_return text(json_of(started).as_object(), "run_id");
}

std::vector<json::object> ndjson_lines(const std::string& body) {
    std::vector<json::object> lines;
    std::istringstream stream(body);
    for (std::string line; std::getline(stream, line);) {
        lines.push_back(json::parse(line).as_object());
    }
    return lines;
}

net::awaitable<void> seed_workflow(ApiFixture& f) {
    Client client = co_await f.connect();
    const json::array requests{plain_request(f.target.url("/page")),
                               plain_request(f.target.url("/gzip")),
                               plain_request(f.target.url("/status/404"))};

    // 1. Create: the seed's answer, plus total_requests.
    const Response created =
        co_await client.post("/v1/async/collections", collection_body("new collection", requests));
    REQUIRE(created.result_int() == 201);
    CHECK(created[http::field::content_type] == "application/json");
    const json::object collection = json_of(created).as_object();
    CHECK(collection.size() == 4);
    const std::string collection_id = text(collection, "id");
    CHECK(is_uuid(collection_id));
    CHECK(text(collection, "name") == "new collection");
    CHECK(text(collection, "message") == "Collection created successfully.");
    CHECK(number(collection, "total_requests") == 3);

    const Response stored = co_await client.get(collection_path(collection_id));
    REQUIRE(stored.result_int() == 200);
    const json::value stored_json = json_of(stored);
    const json::array& stored_requests = stored_json.at("requests").as_array();
    REQUIRE(stored_requests.size() == 3);
    CHECK(stored_requests[0].at("method") == "GET");
    CHECK(stored_requests[0].at("timeout_ms") == 30000);

    const Response listed = co_await client.get("/v1/async/collections");
    REQUIRE(listed.result_int() == 200);
    CHECK(json_of(listed).at("total") == 1);
    CHECK(text_of(json_of(listed).at("items").at(0).at("id")) == collection_id);

    // 2. Run: in progress, counters at 0.
    const Response started = co_await client.post(collection_path(collection_id) + "/run");
    REQUIRE(started.result_int() == 201);
    const json::object run = json_of(started).as_object();
    const std::string run_id = text(run, "run_id");
    CHECK(is_uuid(run_id));
    CHECK(text(run, "status") == "in_progress");
    CHECK(text(run, "collection_id") == collection_id);
    CHECK(number(run, "total_requests") == 3);
    for (const auto* counter :
         {"success_requests", "failed_requests", "timeout_requests", "cancelled_requests"}) {
        CHECK(number(run, counter) == 0);
    }

    // 3 and 4. Poll until completed: the counters add up.
    const std::string path = run_path(collection_id, run_id);
    const json::object done = co_await wait_for_run_end(client, path);
    CHECK(text(done, "status") == "completed");
    CHECK(number(done, "success_requests") == 2);
    CHECK(number(done, "failed_requests") == 1);
    CHECK(number(done, "timeout_requests") == 0);
    CHECK(done.at("finished_at").is_string());

    const Response runs = co_await client.get(collection_path(collection_id) + "/runs");
    REQUIRE(runs.result_int() == 200);
    CHECK(json_of(runs).at("total") == 1);
    const Response completed_runs =
        co_await client.get(collection_path(collection_id) + "/runs?status_filter=completed");
    CHECK(json_of(completed_runs).at("total") == 1);
    const Response cancelled_runs =
        co_await client.get(collection_path(collection_id) + "/runs?status_filter=cancelled");
    CHECK(json_of(cancelled_runs).at("total") == 0);

    // Jobs in request order, each with its result.
    const Response jobs = co_await client.get(path + "/jobs");
    REQUIRE(jobs.result_int() == 200);
    const json::value jobs_json = json_of(jobs);
    const json::array& items = jobs_json.at("items").as_array();
    REQUIRE(items.size() == 3);
    for (std::size_t i = 0; i < items.size(); ++i) {
        const json::object& job = items[i].as_object();
        CHECK(number(job, "index") == static_cast<std::int64_t>(i));
        CHECK(job.at("url") == requests[i].at("url"));

        const std::string job_path = path + "/jobs/" + text(job, "job_id");
        const Response one = co_await client.get(job_path);
        REQUIRE(one.result_int() == 200);
        CHECK(json_of(one).at("status") == (i < 2 ? "success" : "failed"));

        const Response result = co_await client.get(job_path + "/result");
        REQUIRE(result.result_int() == 200);
        CHECK(json_of(result).at("status_code") == (i < 2 ? 200 : 404));
        CHECK(json_of(result).at("job_id") == job.at("job_id"));

        const Response screenshot = co_await client.get(job_path + "/screenshot");
        CHECK(screenshot.result_int() == 404);
        CHECK(text(json_of(screenshot).as_object(), "detail") ==
              "no screenshot for job " + text(job, "job_id"));
    }
    const Response successes = co_await client.get(path + "/jobs?status_filter=success&limit=1");
    CHECK(json_of(successes).at("total") == 2);
    CHECK(json_of(successes).at("items").as_array().size() == 1);

    // Every result as NDJSON, streamed in chunks, in request order.
    const Response results = co_await client.get(path + "/results");
    REQUIRE(results.result_int() == 200);
    CHECK(results[http::field::content_type] == "application/x-ndjson");
    CHECK(results.chunked());
    const auto lines = ndjson_lines(results.body());
    REQUIRE(lines.size() == 3);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        CHECK(lines[i].at("job_id") == items[i].at("job_id"));
    }
    const Response failures = co_await client.get(path + "/results?status_filter=failed");
    const auto failed_lines = ndjson_lines(failures.body());
    REQUIRE(failed_lines.size() == 1);
    CHECK(failed_lines[0].at("job_id") == items[2].at("job_id"));
}

// The seed's browser requests (with a shorter wait), pointed at the target server: pages
// rendered in Chromium, one with a screenshot served as a PNG.
net::awaitable<void> browser_requests_render_pages(ApiFixture& f) {
    Client client = co_await f.connect();
    json::object wait{{"type", "wait-for-timeout"}, {"time", 300}};
    json::array requests;
    for (const auto* path : {"/scripted?delay_ms=100", "/gzip"}) {
        requests.push_back(json::object{{"url", f.target.url(path)},
                                        {"browser", true},
                                        {"screenshot", requests.empty()},
                                        {"actions", json::array{wait}}});
    }
    const std::string collection_id = co_await create_collection(client, requests);
    const std::string run_id = co_await start_run(client, collection_id);
    const std::string path = run_path(collection_id, run_id);

    const json::object done = co_await wait_for_run_end(client, path);
    CHECK(text(done, "status") == "completed");
    CHECK(number(done, "success_requests") == 2);

    const Response jobs = co_await client.get(path + "/jobs");
    const json::value jobs_json = json_of(jobs);
    const json::array& items = jobs_json.at("items").as_array();
    REQUIRE(items.size() == 2);
    const std::string first_job = path + "/jobs/" + text(items[0].as_object(), "job_id");
    const json::value first = json_of(co_await client.get(first_job + "/result"));
    CHECK(text(first.as_object(), "html").find("id=\"status\">written by script") !=
          std::string::npos);
    CHECK(first.at("actions").at(0).at("status") == "ok");
    CHECK(text_of(first.at("screenshot")) == first_job + "/screenshot");

    const Response screenshot = co_await client.get(first_job + "/screenshot");
    REQUIRE(screenshot.result_int() == 200);
    CHECK(screenshot[http::field::content_type] == "image/png");
    const auto image = decode_png(screenshot.body());
    REQUIRE(std::holds_alternative<PngImage>(image));
    CHECK(std::get<PngImage>(image).width == 1280);

    const std::string second_job = path + "/jobs/" + text(items[1].as_object(), "job_id");
    const json::value second = json_of(co_await client.get(second_job + "/result"));
    CHECK(second.at("status_code") == 200);
    CHECK(second.at("screenshot").is_null());
    const Response no_screenshot = co_await client.get(second_job + "/screenshot");
    CHECK(no_screenshot.result_int() == 404);
    CHECK(json_of(no_screenshot).as_object().contains("detail"));
}

net::awaitable<void> browser_requests_fail_without_a_browser(ApiFixture& f) {
    Client client = co_await f.connect();
    json::array requests{json::object{{"url", f.target.url("/page")}, {"browser", true}},
                         plain_request(f.target.url("/page"))};
    const std::string collection_id = co_await create_collection(client, requests);
    const std::string run_id = co_await start_run(client, collection_id);

    const json::object done = co_await wait_for_run_end(client, run_path(collection_id, run_id));
    CHECK(text(done, "status") == "completed");
    CHECK(number(done, "failed_requests") == 1);
    CHECK(number(done, "success_requests") == 1);

    const Response jobs = co_await client.get(run_path(collection_id, run_id) + "/jobs");
    const json::value browser_job = json_of(jobs).at("items").at(0);
    CHECK(browser_job.at("status") == "failed");
    CHECK(std::string(browser_job.at("error").as_string()).starts_with("browser unavailable: "));
}

net::awaitable<void> cancel_slow_run(ApiFixture& f) {
    Client client = co_await f.connect();
    const json::array requests{
        plain_request(f.target.url("/page")), plain_request(f.target.url("/delay/20000")),
        plain_request(f.target.url("/delay/20000")), plain_request(f.target.url("/hang"))};
    const std::string collection_id = co_await create_collection(client, requests);
    const std::string run_id = co_await start_run(client, collection_id);
    const std::string path = run_path(collection_id, run_id);

    // A job still running has no result yet.
    const Response jobs = co_await client.get(path + "/jobs");
    const std::string slow_job = text(json_of(jobs).at("items").at(1).as_object(), "job_id");
    const Response early = co_await client.get(path + "/jobs/" + slow_job + "/result");
    CHECK(early.result_int() == 409);
    CHECK_FALSE(text(json_of(early).as_object(), "detail").empty());

    const Response cancelling = co_await client.post(path + "/cancel");
    REQUIRE(cancelling.result_int() == 200);
    CHECK(text_of(json_of(cancelling).at("run_id")) == run_id);

    const json::object cancelled = co_await wait_for_run_end(client, path, std::chrono::seconds(5));
    CHECK(text(cancelled, "status") == "cancelled");
    CHECK(number(cancelled, "cancelled_requests") >= 3);
    CHECK(number(cancelled, "success_requests") + number(cancelled, "failed_requests") +
              number(cancelled, "timeout_requests") + number(cancelled, "cancelled_requests") ==
          4);

    const Response again = co_await client.post(path + "/cancel");
    CHECK(again.result_int() == 409);
    CHECK(json_of(again).as_object().contains("detail"));
}

net::awaitable<void> update_keeps_started_runs(ApiFixture& f) {
    Client client = co_await f.connect();
    const json::array slow{plain_request(f.target.url("/delay/300"))};
    const std::string collection_id = co_await create_collection(client, slow);
    const std::string first_run = co_await start_run(client, collection_id);

    const json::array replacement{plain_request(f.target.url("/page?first")),
                                  plain_request(f.target.url("/page?second"))};
    const std::string update_body = collection_body("renamed", replacement);
    const Response updated =
        co_await client.request(http::verb::put, collection_path(collection_id), update_body);
    REQUIRE(updated.result_int() == 200);
    const json::object update = json_of(updated).as_object();
    CHECK(text(update, "id") == collection_id);
    CHECK(text(update, "name") == "renamed");
    CHECK(text(update, "message") == "Collection updated successfully.");
    CHECK(number(update, "total_requests") == 2);

    const std::string second_run = co_await start_run(client, collection_id);
    const json::object first =
        co_await wait_for_run_end(client, run_path(collection_id, first_run));
    const json::object second =
        co_await wait_for_run_end(client, run_path(collection_id, second_run));
    CHECK(number(first, "total_requests") == 1);
    CHECK(number(first, "success_requests") == 1);
    CHECK(number(second, "total_requests") == 2);
    CHECK(number(second, "success_requests") == 2);

    const Response first_jobs = co_await client.get(run_path(collection_id, first_run) + "/jobs");
    CHECK(text_of(json_of(first_jobs).at("items").at(0).at("url")) == f.target.url("/delay/300"));
    const Response second_jobs = co_await client.get(run_path(collection_id, second_run) + "/jobs");
    CHECK(text_of(json_of(second_jobs).at("items").at(1).at("url")) ==
          f.target.url("/page?second"));

    // A PUT of the name alone keeps the requests.
    const Response renamed = co_await client.request(
        http::verb::put, collection_path(collection_id), R"({"name": "again"})");
    REQUIRE(renamed.result_int() == 200);
    CHECK(json_of(renamed).at("total_requests") == 2);
}

net::awaitable<void> delete_removes_everything(ApiFixture& f) {
    Client client = co_await f.connect();
    const json::array one_page{plain_request(f.target.url("/page"))};
    const std::string collection_id = co_await create_collection(client, one_page);
    const std::string run_id = co_await start_run(client, collection_id);
    co_await wait_for_run_end(client, run_path(collection_id, run_id));

    const Response deleted =
        co_await client.request(http::verb::delete_, collection_path(collection_id));
    REQUIRE(deleted.result_int() == 200);
    const json::object answer = json_of(deleted).as_object();
    CHECK(answer.size() == 2);
    CHECK(text(answer, "id") == collection_id);
    CHECK(text(answer, "message") == "Collection deleted successfully.");

    const std::vector<std::string> paths{
        collection_path(collection_id), collection_path(collection_id) + "/runs",
        run_path(collection_id, run_id), run_path(collection_id, run_id) + "/results"};
    for (const std::string& path : paths) {
        const Response gone = co_await client.get(path);
        INFO(path);
        CHECK(gone.result_int() == 404);
        CHECK(json_of(gone).as_object().contains("detail"));
    }
    const Response again =
        co_await client.request(http::verb::delete_, collection_path(collection_id));
    CHECK(again.result_int() == 404);
    const Response run_again = co_await client.post(collection_path(collection_id) + "/run");
    CHECK(run_again.result_int() == 404);
}

net::awaitable<void> many_results_stream_in_pages(ApiFixture& f) {
    Client client = co_await f.connect();
    json::array requests;
    constexpr std::size_t count = 600;  // more than two pages of the export
    for (std::size_t i = 0; i < count; ++i) {
        requests.push_back(plain_request(f.target.url("/status/204?n=" + std::to_string(i))));
    }
    const std::string collection_id = co_await create_collection(client, requests);
    const std::string run_id = co_await start_run(client, collection_id);
    co_await wait_for_run_end(client, run_path(collection_id, run_id), std::chrono::seconds(40));

    const Response results = co_await client.get(run_path(collection_id, run_id) + "/results");
    REQUIRE(results.result_int() == 200);
    const auto lines = ndjson_lines(results.body());
    REQUIRE(lines.size() == count);
    for (std::size_t i = 0; i < count; ++i) {
        CHECK(lines[i].at("url") == requests[i].at("url"));
    }
    // The connection stays usable after a streamed answer.
    const Response health = co_await client.get("/v1/health");
    CHECK(health.result_int() == 200);
}

net::awaitable<void> unavailable_after_runtime_shutdown(ApiFixture& f) {
    Client client = co_await f.connect();
    const json::array one_page{plain_request(f.target.url("/page"))};
    const std::string collection_id = co_await create_collection(client, one_page);
    co_await f.runtime.shutdown();
    const Response refused = co_await client.post(collection_path(collection_id) + "/run");
    CHECK(refused.result_int() == 503);
    CHECK(json_of(refused).as_object().contains("detail"));
}

}  // namespace

TEST_CASE("the seed workflow: create, run, poll until completed, then jobs and results") {
    ApiFixture f;
    f.run(seed_workflow(f));
}

TEST_CASE("browser requests render pages in Chromium and serve their screenshots", "[browser]") {
    ApiFixture f;
    f.run(browser_requests_render_pages(f));
}

TEST_CASE("without chromium, browser requests fail as unavailable and plain ones succeed") {
    RuntimeConfig config = test_runtime_config();
    config.chromium_path = "/nonexistent/chromium";
    ApiFixture f(test_server_config(), config);
    f.run(browser_requests_fail_without_a_browser(f));
}

TEST_CASE("a cancelled run stops its slow jobs and cannot be cancelled again") {
    ApiFixture f;
    f.run(cancel_slow_run(f));
}

TEST_CASE("an update applies to new runs while a started run keeps its requests") {
    ApiFixture f;
    f.run(update_keeps_started_runs(f));
}

TEST_CASE("a deleted collection and its runs are gone") {
    ApiFixture f;
    f.run(delete_removes_everything(f));
}

TEST_CASE("the results of a large run stream page after page in request order") {
    ApiFixture f;
    f.run(many_results_stream_in_pages(f));
}

TEST_CASE("a runtime that is shutting down answers 503") {
    ApiFixture f;
    f.run(unavailable_after_runtime_shutdown(f));
}
