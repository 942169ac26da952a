#include "server/query.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

using namespace asyncscrape;
using namespace asyncscrape::server;

TEST_CASE("list parameters default to limit 50, offset 0, no filter") {
    const auto params = parse_list_params(std::string_view());
    REQUIRE(params);
    CHECK(params->page.limit == 50);
    CHECK(params->page.offset == 0);
    CHECK_FALSE(params->status_filter);
}

TEST_CASE("limit, offset and status_filter are read; unknown parameters are ignored") {
    const auto params = parse_list_params("foo=bar&limit=1000&offset=20&status_filter=completed&x");
    REQUIRE(params);
    CHECK(params->page.limit == 1000);
    CHECK(params->page.offset == 20);
    CHECK(params->status_filter == "completed");
}

TEST_CASE("values are percent-decoded") {
    const auto params = parse_list_params("limit=%31%30&status_filter=in%5Fprogress");
    REQUIRE(params);
    CHECK(params->page.limit == 10);
    CHECK(params->status_filter == "in_progress");
}

TEST_CASE("a limit outside 1..1000 or not an integer is refused") {
    for (const std::string query :
         {"limit=0", "limit=1001", "limit=-1", "limit=abc", "limit=", "limit=5x", "limit=%205",
          "limit=+5", "limit=99999999999999999999", "limit"}) {
        INFO(query);
        const auto params = parse_list_params(query);
        REQUIRE_FALSE(params);
        CHECK(params.error().code == Errc::invalid_argument);
        CHECK(params.error().detail == "limit: must be an integer between 1 and 1000");
    }
}

TEST_CASE("an offset that is not a non-negative integer is refused") {
    for (const std::string query : {"offset=-1", "offset=x", "offset=", "offset=1.5"}) {
        INFO(query);
        const auto params = parse_list_params(query);
        REQUIRE_FALSE(params);
        CHECK(params.error().detail == "offset: must be a non-negative integer");
    }
}

TEST_CASE("the query ends where its view ends, not at a terminating NUL") {
    const std::string_view target = "limit=5 HTTP/1.1";
    const auto params = parse_list_params(target.substr(0, 7));
    REQUIRE(params);
    CHECK(params->page.limit == 5);
}

TEST_CASE("a malformed percent-escape is refused") {
    for (const std::string query : {"limit=%zz", "limit=%4", "status_filter=%", "%g1=2"}) {
        INFO(query);
        const auto params = parse_list_params(query);
        REQUIRE_FALSE(params);
        CHECK(params.error().detail == "query: malformed percent-encoding");
    }
}

TEST_CASE("status filters are checked against the run or the job statuses") {
    ListParams params;
    CHECK_FALSE(*run_status_filter(params));
    CHECK_FALSE(*job_status_filter(params));

    params.status_filter = "cancelled";
    CHECK(*run_status_filter(params) == RunStatus::cancelled);
    CHECK(*job_status_filter(params) == JobStatus::cancelled);

    params.status_filter = "success";
    const auto run_filter = run_status_filter(params);
    REQUIRE_FALSE(run_filter);
    CHECK(run_filter.error().detail ==
          "status_filter: must be one of in_progress, completed, cancelled");
    CHECK(*job_status_filter(params) == JobStatus::success);

    params.status_filter = "in_progress";
    const auto job_filter = job_status_filter(params);
    REQUIRE_FALSE(job_filter);
    CHECK(job_filter.error().detail ==
          "status_filter: must be one of pending, running, success, failed, timeout, cancelled");
}
