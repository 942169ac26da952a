// Errors of the runtime as the API answers them.
#include "server/reply.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

using namespace asyncscrape;
namespace http = boost::beast::http;

TEST_CASE("each kind of error answers its status with the detail") {
    const std::pair<Error, http::status> cases[] = {
        {invalid("name: required"), http::status::bad_request},
        {not_found("collection x not found"), http::status::not_found},
        {conflict("run x has already ended (completed)"), http::status::conflict},
        {unavailable("the server is shutting down"), http::status::service_unavailable},
        {over_limit("tenant queue: 10 jobs queued"), http::status::too_many_requests},
    };
    for (const auto& [error, status] : cases) {
        INFO(error.detail);
        const server::Reply reply = server::error_reply(error);
        CHECK(reply.response.result() == status);
        CHECK(boost::json::parse(reply.response.body()).at("detail").as_string() == error.detail);
        // Only an answer over a limit tells the client when to come back.
        CHECK(reply.response.count(http::field::retry_after) ==
              (error.code == Errc::over_limit ? 1u : 0u));
    }
    CHECK(server::error_reply(over_limit("x")).response[http::field::retry_after] == "1");
}
