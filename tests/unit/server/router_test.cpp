#include "server/router.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <variant>
#include <vector>

namespace {

using namespace asyncscrape::server;
namespace http = boost::beast::http;

const std::string collection = "c38b0bcf-cb7c-4728-8704-2c2e267dcff9";
const std::string run = "9b64941a-4545-4c57-9174-c70e781d9192";
const std::string job = "0f8fad5b-d9cb-469f-a165-70867728950e";
const std::string collection_path = "/v1/async/collections/" + collection;
const std::string run_path = collection_path + "/runs/" + run;
const std::string job_path = run_path + "/jobs/" + job;

RouteMatch matched(http::verb method, const std::string& target) {
    const RouteResult result = route(method, target);
    INFO(target);
    REQUIRE(std::holds_alternative<RouteMatch>(result));
    return std::get<RouteMatch>(result);
}

RouteMiss missed(http::verb method, const std::string& target) {
    const RouteResult result = route(method, target);
    INFO(target);
    REQUIRE(std::holds_alternative<RouteMiss>(result));
    return std::get<RouteMiss>(result);
}

}  // namespace

TEST_CASE("every endpoint of the contract has its operation") {
    struct Case {
        http::verb method;
        std::string target;
        Operation operation;
    };
    const Case cases[] = {
        {http::verb::get, "/v1/health", Operation::health},
        {http::verb::post, "/v1/async/collections", Operation::create_collection},
        {http::verb::get, "/v1/async/collections", Operation::list_collections},
        {http::verb::get, collection_path, Operation::get_collection},
        {http::verb::put, collection_path, Operation::update_collection},
        {http::verb::delete_, collection_path, Operation::delete_collection},
        {http::verb::post, collection_path + "/run", Operation::start_run},
        {http::verb::get, collection_path + "/runs", Operation::list_runs},
        {http::verb::get, run_path, Operation::get_run},
        {http::verb::post, run_path + "/cancel", Operation::cancel_run},
        {http::verb::get, run_path + "/jobs", Operation::list_jobs},
        {http::verb::get, run_path + "/results", Operation::export_results},
        {http::verb::get, job_path, Operation::get_job},
        {http::verb::get, job_path + "/result", Operation::get_result},
        {http::verb::get, job_path + "/screenshot", Operation::get_screenshot},
    };
    for (const Case& c : cases) {
        CHECK(matched(c.method, c.target).operation == c.operation);
    }
}

TEST_CASE("path parameters and the query string are captured") {
    // The match views the target: keep it alive while the match is read.
    const std::string target = job_path + "/result?x=1&limit=5";
    const RouteMatch match = matched(http::verb::get, target);
    CHECK(match.collection_id == collection);
    CHECK(match.run_id == run);
    CHECK(match.job_id == job);
    CHECK(match.query == "x=1&limit=5");

    const RouteMatch list = matched(http::verb::get, "/v1/async/collections");
    CHECK(list.query.empty());
    CHECK(list.collection_id.empty());
}

TEST_CASE("unknown paths are 404") {
    for (const std::string& target : std::vector<std::string>{
             "/", "", "/v1", "/v1/health/", "/v2/health", "/v1/async/collections/",
             "/v1/async/collection", "/v1//async/collections", collection_path + "/runs/",
             run_path + "/jobs/" + job + "/result/extra", collection_path + "/unknown"}) {
        const RouteMiss miss = missed(http::verb::get, target);
        CHECK(miss.status == http::status::not_found);
        CHECK(miss.allow.empty());
        CHECK_FALSE(miss.detail.empty());
    }
}

TEST_CASE("an id that is not a lower-case UUID v4 is 404 like an unknown id") {
    const std::string upper = "C38B0BCF-CB7C-4728-8704-2C2E267DCFF9";
    const std::string version1 = "c38b0bcf-cb7c-1728-8704-2c2e267dcff9";
    for (const std::string& bad : {std::string("abc"), upper, version1, collection + "0"}) {
        const RouteMiss in_collection = missed(http::verb::get, "/v1/async/collections/" + bad);
        CHECK(in_collection.status == http::status::not_found);
        CHECK(in_collection.detail == "collection " + bad + " not found");

        const RouteMiss in_run = missed(http::verb::get, collection_path + "/runs/" + bad);
        CHECK(in_run.detail == "run " + bad + " not found");

        const RouteMiss in_job = missed(http::verb::get, run_path + "/jobs/" + bad + "/result");
        CHECK(in_job.detail == "job " + bad + " not found");
    }
}

TEST_CASE("a wrong method is 405 with the methods of the path in Allow") {
    struct Case {
        http::verb method;
        std::string target;
        std::string allow;
    };
    const Case cases[] = {
        {http::verb::post, "/v1/health", "GET"},
        {http::verb::delete_, "/v1/async/collections", "GET, POST"},
        {http::verb::post, collection_path, "GET, PUT, DELETE"},
        {http::verb::get, collection_path + "/run", "POST"},
        {http::verb::post, collection_path + "/runs", "GET"},
        {http::verb::delete_, run_path, "GET"},
        {http::verb::get, run_path + "/cancel", "POST"},
        {http::verb::patch, job_path + "/result", "GET"},
        {http::verb::head, run_path + "/results?status_filter=success", "GET"},
        {http::verb::unknown, "/v1/health", "GET"},
    };
    for (const Case& c : cases) {
        const RouteMiss miss = missed(c.method, c.target);
        CHECK(miss.status == http::status::method_not_allowed);
        CHECK(miss.allow == c.allow);
    }
}
