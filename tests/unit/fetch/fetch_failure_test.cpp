#include "fetch/fetch_failure.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include <catch2/catch.hpp>

using namespace asyncscrape::fetch;
namespace asio = boost::asio;

TEST_CASE("a name that does not exist is final, a failed lookup may be retried") {
    const auto missing = classify_failure(FetchPhase::dns, asio::error::host_not_found, false);
    CHECK(missing.error == FetchError::unknown_host);
    CHECK(missing.message.starts_with("dns: no such host"));
    CHECK(classify_failure(FetchPhase::dns, asio::error::no_data, false).error ==
          FetchError::unknown_host);

    const auto transient =
        classify_failure(FetchPhase::dns, asio::error::host_not_found_try_again, false);
    CHECK(transient.error == FetchError::dns);

    FetchResult result;
    result.error = missing.error;
    CHECK_FALSE(result.retryable_error());
    result.error = transient.error;
    CHECK(result.retryable_error());
}

TEST_CASE("cancellation wins over the error the interrupted operation reported") {
    CHECK(classify_failure(FetchPhase::read_body, asio::error::connection_reset, true).error ==
          FetchError::cancelled);
    CHECK(classify_failure(FetchPhase::connect, asio::error::operation_aborted, false).error ==
          FetchError::cancelled);
}

TEST_CASE("each phase's failures get their class") {
    CHECK(classify_failure(FetchPhase::connect, asio::error::connection_refused, false).error ==
          FetchError::connect);
    CHECK(classify_failure(FetchPhase::read_header, boost::beast::error::timeout, false).error ==
          FetchError::timeout);
    CHECK(classify_failure(FetchPhase::read_body, boost::beast::http::error::body_limit, false)
              .message == "body too large");
    CHECK(classify_failure(FetchPhase::read_body, asio::error::connection_reset, false).error ==
          FetchError::protocol);
}
