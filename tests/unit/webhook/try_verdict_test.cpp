#include "webhook/try_verdict.hpp"

#include <catch2/catch.hpp>

using asyncscrape::fetch::FetchError;
using asyncscrape::fetch::FetchResult;
using asyncscrape::webhook::judge_try;
using asyncscrape::webhook::TryVerdict;

namespace {

FetchResult answered(int status) {
    FetchResult result;
    result.status = status;
    return result;
}

FetchResult failed(FetchError error, std::string message, int status = 0) {
    FetchResult result;
    result.error = error;
    result.error_message = std::move(message);
    result.status = status;
    return result;
}

}  // namespace

TEST_CASE("any 2xx answer delivers", "[webhook]") {
    for (const int status : {200, 201, 202, 204, 299}) {
        CHECK(judge_try(answered(status)).verdict == TryVerdict::delivered);
    }
    // A long body after a 2xx is past our small read limit, and no reason to send again.
    CHECK(judge_try(failed(FetchError::body_too_large, "body too large", 200)).verdict ==
          TryVerdict::delivered);
}

TEST_CASE("other answers are tried again, with the status as the reason", "[webhook]") {
    for (const int status : {100, 199, 300, 304, 400, 404, 410, 429, 500, 503}) {
        const auto outcome = judge_try(answered(status));
        CHECK(outcome.verdict == TryVerdict::try_again);
        CHECK(outcome.reason.starts_with("HTTP status " + std::to_string(status)));
    }
    CHECK(judge_try(failed(FetchError::body_too_large, "body too large", 500)).verdict ==
          TryVerdict::try_again);
}

TEST_CASE("a redirect is a failed try: receivers must answer where they said", "[webhook]") {
    const auto outcome =
        judge_try(failed(FetchError::too_many_redirects, "too many redirects (more than 0)", 302));
    CHECK(outcome.verdict == TryVerdict::try_again);
    CHECK(outcome.reason == "HTTP status 302 (redirects are not followed)");
    CHECK(judge_try(answered(307)).reason == "HTTP status 307 (redirects are not followed)");
}

TEST_CASE("connection failures are tried again with the client's sentence", "[webhook]") {
    for (const FetchError error : {FetchError::dns, FetchError::unknown_host, FetchError::connect,
                                   FetchError::tls, FetchError::protocol, FetchError::timeout}) {
        const auto outcome = judge_try(failed(error, "what went wrong"));
        CHECK(outcome.verdict == TryVerdict::try_again);
        CHECK(outcome.reason == "what went wrong");
    }
}

TEST_CASE("a refused address or an unusable URL ends the delivery at once", "[webhook]") {
    const auto blocked = judge_try(failed(FetchError::blocked, "blocked: private address"));
    CHECK(blocked.verdict == TryVerdict::give_up);
    CHECK(blocked.reason == "blocked: private address");
    CHECK(judge_try(failed(FetchError::invalid_url, "url: no host")).verdict ==
          TryVerdict::give_up);
}
