// The routing table of the HTTP API: method and request target in, the operation and its path
// parameters out, or the 404/405 answer. Pure (no I/O), so every route is unit-tested.
#pragma once

#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace asyncscrape::server {

enum class Operation {
    health,
    create_collection,
    list_collections,
    get_collection,
    update_collection,
    delete_collection,
    start_run,
    list_runs,
    get_run,
    cancel_run,
    list_jobs,
    get_job,
    get_result,
    get_screenshot,
    export_results,
};

// A matched request. The views point into the request target, which must outlive them.
struct RouteMatch {
    Operation operation = Operation::health;
    std::string_view collection_id;
    std::string_view run_id;
    std::string_view job_id;
    std::string_view query;  // after the '?', empty when there is none
};

// A request no route takes: 404, or 405 with the methods the path does take.
struct RouteMiss {
    boost::beast::http::status status = boost::beast::http::status::not_found;
    std::string detail;
    std::string allow;  // the Allow header of a 405, e.g. "GET, PUT, DELETE"
};

using RouteResult = std::variant<RouteMatch, RouteMiss>;

RouteResult route(boost::beast::http::verb method, std::string_view target);

}  // namespace asyncscrape::server
