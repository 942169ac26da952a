#include "server/router.hpp"

#include "util/uuid.hpp"

#include <string>
#include <utility>

namespace asyncscrape::server {
namespace {

namespace http = boost::beast::http;

struct Endpoint {
    std::string_view path;  // {collection_id}, {run_id} and {job_id} match one segment
    http::verb method;
    Operation operation;
};

// Endpoints of one path are adjacent, in the order their methods are listed in Allow.
constexpr Endpoint endpoints[] = {
    {"/v1/health", http::verb::get, Operation::health},
    {"/v1/async/collections", http::verb::get, Operation::list_collections},
    {"/v1/async/collections", http::verb::post, Operation::create_collection},
    {"/v1/async/collections/{collection_id}", http::verb::get, Operation::get_collection},
    {"/v1/async/collections/{collection_id}", http::verb::put, Operation::update_collection},
    {"/v1/async/collections/{collection_id}", http::verb::delete_, Operation::delete_collection},
    {"/v1/async/collections/{collection_id}/run", http::verb::post, Operation::start_run},
    {"/v1/async/collections/{collection_id}/runs", http::verb::get, Operation::list_runs},
    {"/v1/async/collections/{collection_id}/runs/{run_id}", http::verb::get, Operation::get_run},
    {"/v1/async/collections/{collection_id}/runs/{run_id}/cancel", http::verb::post,
     Operation::cancel_run},
    {"/v1/async/collections/{collection_id}/runs/{run_id}/jobs", http::verb::get,
     Operation::list_jobs},
    {"/v1/async/collections/{collection_id}/runs/{run_id}/jobs/{job_id}", http::verb::get,
     Operation::get_job},
    {"/v1/async/collections/{collection_id}/runs/{run_id}/jobs/{job_id}/result", http::verb::get,
     Operation::get_result},
    {"/v1/async/collections/{collection_id}/runs/{run_id}/jobs/{job_id}/screenshot",
     http::verb::get, Operation::get_screenshot},
    {"/v1/async/collections/{collection_id}/runs/{run_id}/results", http::verb::get,
     Operation::export_results},
};

// Takes the next "/segment" off the front of `rest`; false when `rest` does not start with '/'.
bool take_segment(std::string_view& rest, std::string_view& segment) {
    if (rest.empty() || rest.front() != '/') {
        return false;
    }
    rest.remove_prefix(1);
    const auto end = rest.find('/');
    segment = rest.substr(0, end);
    rest.remove_prefix(segment.size());
    return true;
}

// Matches `path` against an endpoint's pattern, capturing its parameters into `match`.
bool match_path(std::string_view pattern, std::string_view path, RouteMatch& match) {
    std::string_view expected;
    std::string_view actual;
    while (take_segment(pattern, expected)) {
        if (!take_segment(path, actual)) {
            return false;
        }
        if (expected == "{collection_id}") {
            match.collection_id = actual;
        } else if (expected == "{run_id}") {
            match.run_id = actual;
        } else if (expected == "{job_id}") {
            match.job_id = actual;
        } else if (expected != actual) {
            return false;
        }
        if (expected.front() == '{' && actual.empty()) {
            return false;
        }
    }
    return path.empty();
}

// An id that is not a UUID names nothing: the answer is the one for an unknown id.
std::string malformed_id(const RouteMatch& match) {
    const std::pair<std::string_view, std::string_view> ids[] = {
        {"collection", match.collection_id}, {"run", match.run_id}, {"job", match.job_id}};
    for (const auto& [kind, id] : ids) {
        if (!id.empty() && !is_uuid(id)) {
            return std::string(kind) + " " + std::string(id) + " not found";
        }
    }
    return {};
}

}  // namespace

RouteResult route(http::verb method, std::string_view target) {
    const auto query_start = target.find('?');
    const std::string_view path = target.substr(0, query_start);

    RouteMatch match;
    if (query_start != std::string_view::npos) {
        match.query = target.substr(query_start + 1);
    }
    std::string allow;
    for (const Endpoint& endpoint : endpoints) {
        if (!match_path(endpoint.path, path, match)) {
            continue;
        }
        if (endpoint.method == method) {
            match.operation = endpoint.operation;
            if (std::string detail = malformed_id(match); !detail.empty()) {
                return RouteMiss{http::status::not_found, std::move(detail), {}};
            }
            return match;
        }
        if (!allow.empty()) {
            allow += ", ";
        }
        allow += http::to_string(endpoint.method);
    }
    if (!allow.empty()) {
        return RouteMiss{http::status::method_not_allowed,
                         "method not allowed; this path takes " + allow, std::move(allow)};
    }
    return RouteMiss{http::status::not_found, "no such endpoint: " + std::string(path), {}};
}

}  // namespace asyncscrape::server
