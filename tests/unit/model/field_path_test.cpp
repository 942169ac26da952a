#include "model/field_path.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

using asyncscrape::FieldPath;

TEST_CASE("a field path is spelt as the error details spell it", "[field_path]") {
    const FieldPath body;
    CHECK(body.str().empty());
    CHECK(body.field("name").str() == "name");
    const FieldPath request = body.field("requests").index(12);
    CHECK(request.str() == "requests[12]");
    CHECK(request.field("actions").index(0).field("time").str() == "requests[12].actions[0].time");
    CHECK(request.field("headers").field("X-Trace").str() == "requests[12].headers.X-Trace");
    // A JSON key may be empty: an unknown field "" is still named after its parent's dot.
    CHECK(request.field("").str() == "requests[12].");
    // Paths are values: a longer one leaves the one it was made from as it was.
    CHECK(request.str() == "requests[12]");
}

TEST_CASE("a field path deeper than any of the contract is a programming error", "[field_path]") {
    const FieldPath deepest =
        FieldPath().field("requests").index(1).field("actions").index(2).field("time").field("x");
    CHECK(deepest.str() == "requests[1].actions[2].time.x");
    CHECK_THROWS_AS(deepest.index(3), std::logic_error);
}
