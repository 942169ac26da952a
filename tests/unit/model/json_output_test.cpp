// The JSON the API answers: field names and order as the contract spells them, null for absent
// values, base64 for bodies that are not text, and specs that survive a round trip.
#include "model/json_mapping.hpp"

#include <asyncscrape/json.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

using namespace asyncscrape;
namespace json = boost::json;

namespace {

// 2026-11-28T17:00:00.123Z
const TimePoint instant{std::chrono::milliseconds(1795885200123)};

std::vector<std::string> keys_of(const json::object& object) {
    std::vector<std::string> keys;
    for (const auto& entry : object) {
        keys.emplace_back(entry.key());
    }
    return keys;
}

}  // namespace

TEST_CASE("a run in progress") {
    Run run;
    run.run_id = "9b64941a-4545-4c57-9174-c70e781d9192";
    run.collection_id = "c38b0bcf-cb7c-4728-8704-2c2e267dcff9";
    run.total_requests = 2;
    run.success_requests = 1;
    run.created_at = instant;
    CHECK(to_json(run) ==
          R"({"run_id":"9b64941a-4545-4c57-9174-c70e781d9192","status":"in_progress",)"
          R"("total_requests":2,"success_requests":1,"failed_requests":0,"timeout_requests":0,)"
          R"("cancelled_requests":0,"collection_id":"c38b0bcf-cb7c-4728-8704-2c2e267dcff9",)"
          R"("created_at":"2026-11-28T17:00:00.123Z","finished_at":null,)"
          R"("callback_status":null})");
}

TEST_CASE("a run's text, written directly, is what its JSON value serialises to") {
    Run run;
    // Ids are ours, but the text must hold whatever a string carries.
    run.run_id = std::string("quote\" backslash\\ controls\b\f\n\r\t") + '\x01' + '\x1f' +
                 "\x7f caf\xc3\xa9 /";
    run.collection_id = "";
    run.total_requests = 1000000000000;
    run.cancelled_requests = 3;
    run.created_at = instant;
    CHECK(to_json(run) == json::serialize(to_value(run)));
    run.status = RunStatus::completed;
    run.finished_at = instant;
    run.callback_status = CallbackStatus::sent;
    CHECK(to_json(run) == json::serialize(to_value(run)));
    CHECK(json::parse(to_json(run)).as_object().at("run_id").as_string() == run.run_id);
}

TEST_CASE("a run with a callback shows where its notice stands") {
    Run run;
    run.callback_url = "https://hooks.example.com/done";
    run.callback_status = CallbackStatus::pending;
    CHECK(to_json(run).ends_with(R"("finished_at":null,"callback_status":"pending"})"));
    run.callback_status = CallbackStatus::failed;
    CHECK(to_json(run).ends_with(R"("callback_status":"failed"})"));
}

TEST_CASE("a finished run carries its end time") {
    Run run;
    run.status = RunStatus::cancelled;
    run.finished_at = instant + std::chrono::seconds(1);
    const auto value = to_value(run);
    CHECK(value.at("status") == "cancelled");
    CHECK(value.at("finished_at") == "2026-11-28T17:00:01.123Z");
}

TEST_CASE("a pending job: every optional field is null") {
    Job job;
    job.job_id = "j";
    job.index = 3;
    job.url = "https://example.com/";
    CHECK(to_json(job) ==
          R"({"job_id":"j","index":3,"url":"https://example.com/","custom_id":null,)"
          R"("status":"pending","status_code":null,"attempts":0,"error":null,"started_at":null,)"
          R"("finished_at":null,"duration_ms":null})");
}

TEST_CASE("a finished job") {
    Job job;
    job.custom_id = "order-7";
    job.status = JobStatus::failed;
    job.status_code = 503;
    job.attempts = 3;
    job.error = "http 503";
    job.started_at = instant;
    job.finished_at = instant + std::chrono::milliseconds(1500);
    job.duration_ms = 1500;
    const auto value = to_value(job);
    CHECK(value.at("custom_id") == "order-7");
    CHECK(value.at("status") == "failed");
    CHECK(value.at("status_code") == 503);
    CHECK(value.at("attempts") == 3);
    CHECK(value.at("error") == "http 503");
    CHECK(value.at("started_at") == "2026-11-28T17:00:00.123Z");
    CHECK(value.at("finished_at") == "2026-11-28T17:00:01.623Z");
    CHECK(value.at("duration_ms") == 1500);
}

TEST_CASE("a result with a text body") {
    JobResult result;
    result.job_id = "j";
    result.status = JobStatus::success;
    result.url = "https://example.com/";
    result.final_url = "https://www.example.com/";
    result.status_code = 200;
    result.headers = {{"content-type", "text/html"},
                      {"vary", "a"},
                      {"vary", "b"},
                      {"set-cookie", "a=1"},
                      {"set-cookie", "b=2"}};
    result.body = "<p>caf\xC3\xA9</p>";
    result.timings = {1.23456, 2, 3.0004, 4.9996, 5.5, 17.0};
    ActionOutcome evaluated{ActionType::evaluate, ActionStatus::ok, 12, std::nullopt,
                            R"({"title":"Example"})"};
    ActionOutcome failed{ActionType::click, ActionStatus::failed, 10000, "timeout", std::nullopt};
    result.actions = {evaluated, failed};
    result.screenshot = "/v1/async/collections/c/runs/r/jobs/j/screenshot";
    result.custom_id = "order-7";

    const auto value = to_value(result);
    CHECK(keys_of(value) == std::vector<std::string>{"job_id", "status", "url", "final_url",
                                                     "status_code", "headers", "html", "encoding",
                                                     "error", "timings", "actions", "screenshot",
                                                     "custom_id"});
    CHECK(value.at("status") == "success");
    CHECK(value.at("final_url") == "https://www.example.com/");
    CHECK(value.at("status_code") == 200);
    CHECK(json::serialize(value.at("headers")) ==
          R"({"content-type":"text/html","vary":"a, b","set-cookie":"a=1\nb=2"})");
    CHECK(value.at("html") == "<p>caf\xC3\xA9</p>");
    CHECK(value.at("encoding") == "text");
    CHECK(value.at("error").is_null());
    const auto& timings = value.at("timings").as_object();
    CHECK(keys_of(timings) == std::vector<std::string>{"queue_wait_ms", "dns_ms", "connect_ms",
                                                       "tls_ms", "ttfb_ms", "total_ms"});
    CHECK(timings.at("queue_wait_ms").as_int64() == 1);
    CHECK(timings.at("dns_ms").as_int64() == 2);
    CHECK(timings.at("connect_ms").as_int64() == 3);
    CHECK(timings.at("tls_ms").as_int64() == 5);
    CHECK(timings.at("ttfb_ms").as_int64() == 6);
    CHECK(json::serialize(value.at("actions")) ==
          R"([{"type":"evaluate","status":"ok","duration_ms":12,"value":{"title":"Example"}},)"
          R"({"type":"click","status":"failed","duration_ms":10000,"error":"timeout"}])");
    CHECK(value.at("screenshot") == "/v1/async/collections/c/runs/r/jobs/j/screenshot");
    CHECK(value.at("custom_id") == "order-7");
}

TEST_CASE("a result whose body is not UTF-8 is base64") {
    JobResult result;
    result.body = std::string("\x89PNG\r\n\x1A\n\0", 9);
    auto value = to_value(result);
    CHECK(value.at("html") == "iVBORw0KGgoA");
    CHECK(value.at("encoding") == "base64");

    // Overlong forms, surrogates and truncated sequences are not text either.
    for (const std::string bytes : {"\xC0\xAF", "\xED\xA0\x80", "ok\xE2\x82", "\xF4\x90\x80\x80"}) {
        result.body = bytes;
        CHECK(to_value(result).at("encoding") == "base64");
    }
}

TEST_CASE("a result of a job that never got a response") {
    JobResult result;
    result.status = JobStatus::failed;
    result.url = "https://nowhere.invalid/";
    result.error = "dns: host not found";
    const auto value = to_value(result);
    CHECK(value.at("final_url").is_null());
    CHECK(value.at("status_code").is_null());
    CHECK(value.at("headers").as_object().empty());
    CHECK(value.at("html") == "");
    CHECK(value.at("encoding") == "text");
    CHECK(value.at("error") == "dns: host not found");
    CHECK(value.at("actions").as_array().empty());
    CHECK(value.at("screenshot").is_null());
    CHECK(value.at("custom_id").is_null());
}

TEST_CASE("an evaluate value that is not JSON is kept as a string") {
    JobResult result;
    result.actions = {{ActionType::evaluate, ActionStatus::ok, 1, std::nullopt, "not json"}};
    CHECK(to_value(result).at("actions").at(0).at("value") == "not json");
}

TEST_CASE("a collection with its requests, defaults filled") {
    auto spec = parse_collection_spec(std::string_view(R"({"name": "shop", "requests": [
              {"url": "shop.example.com", "browser": true, "screenshot": true,
               "actions": [{"type": "wait-for-selector", "selector": "#cart"},
                           {"type": "scroll", "y": 400},
                           {"type": "press", "key": "Enter", "on_error": "skip"}]},
              {"url": "http://api.example.com/items", "method": "post", "body": "{}",
               "headers": {"Content-Type": "application/json"}, "custom_id": "items"}]})"),
                                      ValidationLimits{});
    REQUIRE(spec);
    Collection collection;
    collection.id = "c";
    collection.name = spec->name;
    collection.requests = std::make_shared<const std::vector<Request>>(spec->requests);
    collection.created_at = instant;
    collection.updated_at = instant + std::chrono::minutes(1);

    const auto value = to_value(collection);
    CHECK(keys_of(value) == std::vector<std::string>{"id", "name", "requests", "callback_url",
                                                     "total_requests", "created_at", "updated_at"});
    CHECK(value.at("callback_url").is_null());
    CHECK(value.at("total_requests") == 2);
    CHECK(value.at("updated_at") == "2026-11-28T17:01:00.123Z");
    CHECK(
        json::serialize(value.at("requests")) ==
        R"([{"url":"https://shop.example.com/","browser":true,"screenshot":true,"actions":[)"
        R"({"type":"wait-for-selector","selector":"#cart","state":"visible","on_error":"fail","timeout":10000},)"
        R"({"type":"scroll","x":null,"y":400,"on_error":"fail","timeout":10000},)"
        R"({"type":"press","key":"Enter","on_error":"skip","timeout":10000}],)"
        R"("method":"GET","headers":{},"body":null,"timeout_ms":30000,"custom_id":null},)"
        R"({"url":"http://api.example.com/items","browser":false,"screenshot":false,"actions":[],)"
        R"("method":"POST","headers":{"Content-Type":"application/json"},"body":"{}",)"
        R"("timeout_ms":30000,"custom_id":"items"}])");

    CHECK(to_json(collection) == json::serialize(value));
    CHECK(json::serialize(to_summary_value(collection)) ==
          R"({"id":"c","name":"shop","total_requests":2,"created_at":"2026-11-28T17:00:00.123Z"})");
}

TEST_CASE("a parsed spec survives to_value and parsing again") {
    const auto first = parse_collection_spec(
        std::string_view(
            R"({"name": "every field", "callback_url": "hooks.example.com/x", "requests": [
              {"url": "a.example.com", "browser": true, "screenshot": true, "timeout_ms": 60000,
               "custom_id": "first", "actions": [
                 {"type": "wait-for-timeout", "time": 100},
                 {"type": "wait-for-selector", "selector": "//div", "state": "attached", "timeout": 5},
                 {"type": "click", "selector": "a"},
                 {"type": "fill", "selector": "#q", "value": "shoes"},
                 {"type": "type", "selector": "#q", "text": " red", "delay": 20},
                 {"type": "press", "key": "Enter"},
                 {"type": "hover", "selector": "nav"},
                 {"type": "select-option", "selector": "select", "value": "2"},
                 {"type": "scroll", "x": 10},
                 {"type": "scroll-to-bottom", "max_scrolls": 3, "delay": 250},
                 {"type": "wait-for-navigation", "on_error": "skip"},
                 {"type": "evaluate", "script": "document.title"}]},
              {"url": "HTTP://B.example.com:8080?q=1", "method": "delete",
               "headers": {"X-Token": "t"}, "body": "gone"}]})"),
        ValidationLimits{});
    REQUIRE(first);

    json::array requests;
    for (const auto& request : first->requests) {
        requests.push_back(to_value(request));
    }
    json::object body;
    body["name"] = first->name;
    body["callback_url"] = *first->callback_url;
    body["requests"] = std::move(requests);
    const auto second = parse_collection_spec(json::serialize(body), ValidationLimits{});
    REQUIRE(second);

    CHECK(second->name == first->name);
    CHECK(second->callback_url == first->callback_url);
    REQUIRE(second->requests.size() == first->requests.size());
    for (std::size_t i = 0; i < first->requests.size(); ++i) {
        CHECK(json::serialize(to_value(second->requests[i])) ==
              json::serialize(to_value(first->requests[i])));
    }
    CHECK(second->requests[1].url == "http://b.example.com:8080/?q=1");
    CHECK(second->requests[0].actions[4].delay_ms == 20);
    CHECK(second->requests[0].actions[1].state == SelectorState::attached);
}
