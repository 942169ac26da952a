// Request bodies as they arrive: garbage and depth bombs are refused clearly, the seed's example
// is accepted exactly as shown, and the API's reading checks a body's shape only: the rules are
// validate()'s.
#include "model/json_mapping.hpp"

#include <asyncscrape/json.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace asyncscrape;

namespace {

std::string body_refusal(std::string_view text) {
    auto value = parse_json_body(text);
    REQUIRE_FALSE(value.has_value());
    CHECK(value.error().code == Errc::invalid_argument);
    return value.error().detail;
}

}  // namespace

TEST_CASE("a depth bomb is refused before it is built") {
    const std::string open(100000, '[');
    CHECK(body_refusal(open) == "body: JSON nested too deeply");
    CHECK(body_refusal(open + std::string(100000, ']')) == "body: JSON nested too deeply");
    std::string objects;
    for (int i = 0; i < 100000; ++i) {
        objects += R"({"a":)";
    }
    CHECK(body_refusal(objects) == "body: JSON nested too deeply");
}

TEST_CASE("nesting up to the limit parses") {
    const std::string nested = std::string(64, '[') + std::string(64, ']');
    CHECK(parse_json_body(nested).has_value());
    CHECK(body_refusal("[" + nested + "]") == "body: JSON nested too deeply");
}

TEST_CASE("garbage is invalid JSON") {
    for (const std::string text : {"", "{nope", "{\"name\": }", "[1, 2", "\x01\x02", "nul",
                                   "{\"a\": 1} trailing", "{\"a\": \"\xFF\"}"}) {
        INFO(text);
        CHECK(body_refusal(text).starts_with("body: invalid JSON: "));
    }
}

TEST_CASE("the text face refuses a bad body the same way") {
    const ValidationLimits limits;
    auto spec = parse_collection_spec(std::string(100000, '['), limits);
    REQUIRE_FALSE(spec);
    CHECK(spec.error().detail == "body: JSON nested too deeply");
    auto patch = parse_collection_patch(std::string_view("{"), limits);
    REQUIRE_FALSE(patch);
    CHECK(patch.error().detail.starts_with("body: invalid JSON: "));
}

TEST_CASE("the seed's request body example is accepted") {
    // Verbatim from the seed document, "1. Create a collection", "Request Body Example".
    const std::string seed = R"({
"name": "new collection",
"requests": [
{
"url": "www.google.com",
"browser": true,
"screenshot": false,
"actions": [
{
"type": "wait-for-timeout",
"time": 5000
}
]
},
{
"url": "www.example.com",
"browser": true,
"screenshot": false,
"actions": [
{
"type": "wait-for-timeout",
"time": 5000
}
]
}
]
})";
    auto spec = parse_collection_spec(seed, ValidationLimits{});
    REQUIRE(spec);
    CHECK(spec->name == "new collection");
    REQUIRE(spec->requests.size() == 2);
    CHECK(spec->requests[0].url == "https://www.google.com/");
    CHECK(spec->requests[1].url == "https://www.example.com/");
    for (const auto& request : spec->requests) {
        CHECK(request.browser);
        CHECK_FALSE(request.screenshot);
        CHECK(request.method == "GET");
        REQUIRE(request.actions.size() == 1);
        CHECK(request.actions[0].type == ActionType::wait_for_timeout);
        CHECK(request.actions[0].time_ms == 5000);
    }
}

TEST_CASE("the API's reading of a body checks its shape, and leaves the rules to validate()") {
    const ValidationLimits limits;
    const std::string_view body =
        R"({"name": "n", "requests": [{"url": "HTTP://A.example.com"}, {"url": "ftp://b"}]})";
    auto read = read_collection_spec(body, limits);
    REQUIRE(read);
    // As given: Runtime normalises and checks each URL once, when it creates the collection.
    CHECK(read->requests[0].url == "HTTP://A.example.com");
    CHECK(read->requests[1].url == "ftp://b");
    auto valid = validate(std::move(read).value(), limits);
    REQUIRE_FALSE(valid);
    CHECK(valid.error().detail.starts_with("requests[1].url: "));
    // The public parser is the two together: the same refusal.
    auto parsed = parse_collection_spec(body, limits);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().detail == valid.error().detail);

    auto wrong_type = read_collection_spec(R"({"name": "n", "requests": [{"url": 5}]})", limits);
    REQUIRE_FALSE(wrong_type);
    CHECK(wrong_type.error().detail == "requests[0].url: must be a string");

    auto patch = read_collection_patch(R"({"requests": [{"url": "ftp://b"}]})", limits);
    REQUIRE(patch);
    CHECK((*patch->requests)[0].url == "ftp://b");
    auto public_patch = parse_collection_patch(R"({"requests": [{"url": "ftp://b"}]})", limits);
    REQUIRE_FALSE(public_patch);
    CHECK(public_patch.error().detail.starts_with("requests[0].url: "));
}
