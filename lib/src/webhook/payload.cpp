#include "webhook/payload.hpp"

#include "model/json_mapping.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace asyncscrape::webhook {

namespace json = boost::json;

std::string_view event_of(const Run& run) {
    return run.status == RunStatus::cancelled ? "run.cancelled" : "run.completed";
}

std::string results_path(const Run& run) {
    return "/v1/async/collections/" + run.collection_id + "/runs/" + run.run_id + "/results";
}

std::string webhook_payload(const Run& run, std::int64_t unix_seconds) {
    // The run's own mapping, so the notice never disagrees with GET of the run.
    const json::object run_fields = to_value(run);
    json::object payload;
    payload.reserve(run_fields.size() + 3);
    payload.emplace("event", event_of(run));
    for (const auto& field : run_fields) {
        payload.emplace(field.key(), field.value());
    }
    payload.emplace("results_url", results_path(run));
    payload.emplace("timestamp", unix_seconds);
    return json::serialize(payload);
}

}  // namespace asyncscrape::webhook
