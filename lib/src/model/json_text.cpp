// The public text face of the JSON mapping (asyncscrape/json.hpp).
#include "model/json_mapping.hpp"

#include <boost/json/serialize.hpp>

namespace asyncscrape {

Outcome<CollectionSpec> parse_collection_spec(std::string_view json,
                                              const ValidationLimits& limits) {
    auto body = parse_json_body(json);
    if (!body) {
        return body.error();
    }
    return parse_collection_spec(*body, limits);
}

Outcome<CollectionPatch> parse_collection_patch(std::string_view json,
                                                const ValidationLimits& limits) {
    auto body = parse_json_body(json);
    if (!body) {
        return body.error();
    }
    return parse_collection_patch(*body, limits);
}

Outcome<RunOptions> parse_run_options(std::string_view json) {
    if (json.empty()) {
        return RunOptions{};
    }
    auto body = parse_json_body(json);
    if (!body) {
        return body.error();
    }
    return parse_run_options(*body);
}

std::string to_json(const Collection& collection) {
    return boost::json::serialize(to_value(collection));
}
std::string to_json(const Run& run) {
    return boost::json::serialize(to_value(run));
}
std::string to_json(const Job& job) {
    return boost::json::serialize(to_value(job));
}
std::string to_json(const JobResult& result) {
    return boost::json::serialize(to_value(result));
}

}  // namespace asyncscrape
