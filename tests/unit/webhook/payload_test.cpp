#include "webhook/payload.hpp"

#include "model/json_mapping.hpp"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace asyncscrape;
using namespace asyncscrape::webhook;

namespace {

Run ended_run(RunStatus status) {
    Run run;
    run.run_id = "9b64941a-1111-4222-8333-444455556666";
    run.collection_id = "c38b0bcf-cb7c-4728-8704-2c2e267dcff9";
    run.status = status;
    run.total_requests = 4;
    run.success_requests = 2;
    run.failed_requests = 1;
    run.timeout_requests = 0;
    run.cancelled_requests = 1;
    // 2026-11-28T17:00:00.123Z and 17:01:00.456Z.
    run.created_at = TimePoint(std::chrono::milliseconds(1795885200123));
    run.finished_at = TimePoint(std::chrono::milliseconds(1795885260456));
    run.callback_url = "https://hooks.example.com/asyncscrape";
    run.callback_status = CallbackStatus::pending;
    return run;
}

}  // namespace

TEST_CASE("the payload names the event, carries the run's fields, the results path and the time",
          "[webhook]") {
    const Run run = ended_run(RunStatus::completed);
    const boost::json::value parsed = boost::json::parse(webhook_payload(run, 1795885261));
    REQUIRE(parsed.is_object());
    const boost::json::object& payload = parsed.as_object();
    CHECK(payload.at("event") == "run.completed");
    CHECK(payload.at("run_id") == "9b64941a-1111-4222-8333-444455556666");
    CHECK(payload.at("status") == "completed");
    CHECK(payload.at("total_requests") == 4);
    CHECK(payload.at("success_requests") == 2);
    CHECK(payload.at("failed_requests") == 1);
    CHECK(payload.at("timeout_requests") == 0);
    CHECK(payload.at("cancelled_requests") == 1);
    CHECK(payload.at("collection_id") == "c38b0bcf-cb7c-4728-8704-2c2e267dcff9");
    CHECK(payload.at("created_at") == "2026-11-28T17:00:00.123Z");
    CHECK(payload.at("finished_at") == "2026-11-28T17:01:00.456Z");
    CHECK(payload.at("results_url") ==
          "/v1/async/collections/c38b0bcf-cb7c-4728-8704-2c2e267dcff9/runs/"
          "9b64941a-1111-4222-8333-444455556666/results");
    CHECK(payload.at("timestamp") == 1795885261);
}

TEST_CASE("a cancelled run is the event run.cancelled", "[webhook]") {
    const Run run = ended_run(RunStatus::cancelled);
    CHECK(event_of(run) == "run.cancelled");
    const boost::json::value parsed = boost::json::parse(webhook_payload(run, 0));
    CHECK(parsed.at("event") == "run.cancelled");
    CHECK(parsed.at("status") == "cancelled");
    CHECK(event_of(ended_run(RunStatus::completed)) == "run.completed");
}

TEST_CASE("event comes first, results_url and timestamp last, the run's fields between",
          "[webhook]") {
    const boost::json::value parsed =
        boost::json::parse(webhook_payload(ended_run(RunStatus::completed), 7));
    std::vector<std::string> keys;
    for (const auto& field : parsed.as_object()) {
        keys.emplace_back(field.key());
    }
    REQUIRE(keys.size() >= 13);  // event, the run object's 10 fields at least, 2 more
    CHECK(keys.front() == "event");
    CHECK(keys[1] == "run_id");
    CHECK(keys[keys.size() - 2] == "results_url");
    CHECK(keys.back() == "timestamp");
}

TEST_CASE("every field of the run object is in the payload, as GET of the run shows it",
          "[webhook]") {
    const Run run = ended_run(RunStatus::completed);
    const boost::json::object run_object = to_value(run);
    const boost::json::value parsed = boost::json::parse(webhook_payload(run, 1));
    const boost::json::object& payload = parsed.as_object();
    CHECK(payload.size() == run_object.size() + 3);
    for (const auto& field : run_object) {
        INFO(field.key());
        REQUIRE(payload.contains(field.key()));
        CHECK(payload.at(field.key()) == field.value());
    }
}
