// PUT bodies (CollectionPatch), and validate() on specs built in code: the same rules, the same
// details as the JSON path.

#include <asyncscrape/json.hpp>

#include <catch2/catch.hpp>

using namespace asyncscrape;

namespace {

const ValidationLimits default_limits;

std::string patch_refusal(std::string_view body) {
    auto patch = parse_collection_patch(body, default_limits);
    REQUIRE_FALSE(patch.has_value());
    CHECK(patch.error().code == Errc::invalid_argument);
    return patch.error().detail;
}

CollectionPatch accepted_patch(std::string_view body) {
    auto patch = parse_collection_patch(body, default_limits);
    INFO(body);
    if (!patch) {
        FAIL(patch.error().detail);
    }
    return std::move(patch).value();
}

CollectionSpec spec_with(std::vector<Request> requests) {
    CollectionSpec spec;
    spec.name = "built in code";
    spec.requests = std::move(requests);
    return spec;
}

Request request_to(std::string url) {
    Request request;
    request.url = std::move(url);
    return request;
}

std::string code_refusal(CollectionSpec spec) {
    auto valid = validate(std::move(spec), default_limits);
    REQUIRE_FALSE(valid.has_value());
    CHECK(valid.error().code == Errc::invalid_argument);
    return valid.error().detail;
}

}  // namespace

TEST_CASE("a patch replaces only the fields it gives") {
    const auto name_only = accepted_patch(R"({"name": "renamed"})");
    CHECK(name_only.name == "renamed");
    CHECK_FALSE(name_only.requests);
    CHECK_FALSE(name_only.callback_url);

    const auto requests_only = accepted_patch(R"({"requests": [{"url": "Example.com"}]})");
    CHECK_FALSE(requests_only.name);
    REQUIRE(requests_only.requests);
    REQUIRE(requests_only.requests->size() == 1);
    CHECK(requests_only.requests->front().url == "https://example.com/");
    CHECK(requests_only.requests->front().timeout_ms == 30000);

    const auto callback = accepted_patch(R"({"callback_url": "hooks.example.com"})");
    CHECK(callback.callback_url == std::optional<std::string>("https://hooks.example.com/"));
}

TEST_CASE("a patch with callback_url null removes the callback") {
    const auto patch = accepted_patch(R"({"callback_url": null})");
    REQUIRE(patch.callback_url.has_value());
    CHECK_FALSE(patch.callback_url->has_value());
}

TEST_CASE("a patch follows the rules of a collection") {
    CHECK(patch_refusal("{}") == "body: give at least one of name, requests, callback_url");
    CHECK(patch_refusal("[1]") == "body: must be a JSON object");
    CHECK(patch_refusal(R"({"nme": "x"})") == "nme: unknown field");
    CHECK(patch_refusal(R"({"name": null})") == "name: must be a string of 1 to 256 characters");
    CHECK(patch_refusal(R"({"name": ""})") == "name: must be a string of 1 to 256 characters");
    CHECK(patch_refusal(R"({"requests": null})") ==
          "requests: must be an array of 1 to 100000 requests");
    CHECK(patch_refusal(R"({"requests": []})") ==
          "requests: must be an array of 1 to 100000 requests");
    CHECK(patch_refusal(R"({"requests": [{"url": "a.com", "screenshot": true}]})") ==
          "requests[0].screenshot: needs browser: true");
    CHECK(patch_refusal(R"({"callback_url": "ftp://a.com"})") ==
          "callback_url: scheme must be http or https");
    CHECK(patch_refusal("{\"name\": ").starts_with("body: invalid JSON: "));
}

TEST_CASE("validate() normalises a spec built in code") {
    Request request = request_to("WWW.Example.com");
    request.method = "post";
    auto spec = spec_with({request});
    spec.callback_url = "hooks.example.com/done";
    const auto valid = validate(spec, default_limits);
    REQUIRE(valid.has_value());
    CHECK(valid->requests[0].url == "https://www.example.com/");
    CHECK(valid->requests[0].method == "POST");
    CHECK(valid->callback_url == "https://hooks.example.com/done");
}

TEST_CASE("validate() refuses what the JSON path refuses, with the same details") {
    CHECK(code_refusal(spec_with({})) == "requests: must be an array of 1 to 100000 requests");

    auto unnamed = spec_with({request_to("a.com")});
    unnamed.name.clear();
    CHECK(code_refusal(unnamed) == "name: must be a string of 1 to 256 characters");

    auto binary_name = spec_with({request_to("a.com")});
    binary_name.name = "\xFF\xFE";
    CHECK(code_refusal(binary_name) == "name: must be valid UTF-8");

    Action long_wait;
    long_wait.time_ms = 60001;
    Request waiting = request_to("a.com");
    waiting.actions = {Action{}, long_wait};
    CHECK(code_refusal(spec_with({request_to("a.com"), waiting})) ==
          "requests[1].actions[1].time: must be an integer between 0 and 60000");

    Action click;
    click.type = ActionType::click;
    click.selector = "#go";
    Request plain_click = request_to("a.com");
    plain_click.actions = {click};
    CHECK(code_refusal(spec_with({plain_click})) ==
          "requests[0].actions[0].type: \"click\" needs browser: true");

    Action empty_selector;
    empty_selector.type = ActionType::hover;
    Request hovering = request_to("a.com");
    hovering.browser = true;
    hovering.actions = {empty_selector};
    CHECK(code_refusal(spec_with({hovering})) ==
          "requests[0].actions[0].selector: must not be empty");

    Request screenshot = request_to("a.com");
    screenshot.screenshot = true;
    CHECK(code_refusal(spec_with({screenshot})) == "requests[0].screenshot: needs browser: true");

    Request short_timeout = request_to("a.com");
    short_timeout.timeout_ms = 10;
    CHECK(code_refusal(spec_with({short_timeout})) ==
          "requests[0].timeout_ms: must be an integer between 1000 and 300000");

    Request bad_header = request_to("a.com");
    bad_header.headers = {{"X-A", "1"}, {"Transfer-Encoding", "chunked"}};
    CHECK(code_refusal(spec_with({bad_header})) ==
          "requests[0].headers.Transfer-Encoding: hop-by-hop header not allowed");

    Request binary_body = request_to("a.com");
    binary_body.method = "POST";
    binary_body.body = std::string("\x89PNG", 4);
    CHECK(code_refusal(spec_with({binary_body})) == "requests[0].body: must be valid UTF-8");

    Request long_id = request_to("a.com");
    long_id.custom_id = std::string(256, 'x');
    CHECK(code_refusal(spec_with({long_id})) ==
          "requests[0].custom_id: must be at most 255 characters");

    auto bad_callback = spec_with({request_to("a.com")});
    bad_callback.callback_url = "mailto:someone@example.com";
    CHECK(code_refusal(bad_callback) == "callback_url: scheme must be http or https");
}

TEST_CASE("validate() and the JSON path agree on the same input") {
    Action scroll;
    scroll.type = ActionType::scroll_to_bottom;
    scroll.max_scrolls = 0;
    Request request = request_to("a.com");
    request.browser = true;
    request.actions = {scroll};
    const auto from_code = code_refusal(spec_with({request}));

    auto from_json = parse_collection_spec(
        R"({"name": "n", "requests": [{"url": "a.com", "browser": true,
            "actions": [{"type": "scroll-to-bottom", "max_scrolls": 0}]}]})",
        default_limits);
    REQUIRE_FALSE(from_json);
    CHECK(from_json.error().detail == from_code);
}
