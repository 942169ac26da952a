// The contract's rules for a collection, a request and every action, through the JSON path; each
// refusal is checked for the exact field path it names.
#include <asyncscrape/json.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace asyncscrape;

namespace {

const ValidationLimits default_limits;

std::string refusal(std::string_view body, const ValidationLimits& limits = default_limits) {
    auto spec = parse_collection_spec(body, limits);
    REQUIRE_FALSE(spec.has_value());
    CHECK(spec.error().code == Errc::invalid_argument);
    return spec.error().detail;
}

CollectionSpec accepted(std::string_view body, const ValidationLimits& limits = default_limits) {
    auto spec = parse_collection_spec(body, limits);
    INFO(body);
    if (!spec) {
        FAIL(spec.error().detail);
    }
    return std::move(spec).value();
}

std::string with_requests(std::string_view requests) {
    return R"({"name": "n", "requests": [)" + std::string(requests) + "]}";
}

std::string request_refusal(std::string_view request) {
    return refusal(with_requests(request));
}

Request accepted_request(std::string_view request) {
    auto spec = accepted(with_requests(request));
    REQUIRE(spec.requests.size() == 1);
    return spec.requests[0];
}

// A browser request with the given actions.
std::string browser_request(std::string_view actions) {
    return R"({"url": "example.com", "browser": true, "actions": [)" + std::string(actions) + "]}";
}

std::string action_refusal(std::string_view action) {
    return request_refusal(browser_request(action));
}

Action accepted_action(std::string_view action) {
    auto request = accepted_request(browser_request(action));
    REQUIRE(request.actions.size() == 1);
    return request.actions[0];
}

}  // namespace

TEST_CASE("a collection: the body is an object with known fields") {
    CHECK(refusal("[]") == "body: must be a JSON object");
    CHECK(refusal("\"text\"") == "body: must be a JSON object");
    CHECK(refusal(R"({"name": "n", "requests": [{"url": "a.com"}], "extra": 1})") ==
          "extra: unknown field");
}

TEST_CASE("a collection: name") {
    CHECK(refusal(R"({"requests": [{"url": "a.com"}]})") == "name: required");
    CHECK(refusal(R"({"name": null, "requests": [{"url": "a.com"}]})") == "name: required");
    CHECK(refusal(R"({"name": "", "requests": [{"url": "a.com"}]})") ==
          "name: must be a string of 1 to 256 characters");
    CHECK(refusal(R"({"name": 5, "requests": [{"url": "a.com"}]})") ==
          "name: must be a string of 1 to 256 characters");

    // Characters, not bytes: 256 two-byte characters fit, 257 do not.
    std::string name;
    for (int i = 0; i < 256; ++i) {
        name += "\xC3\xA9";
    }
    CHECK(accepted(R"({"name": ")" + name + R"(", "requests": [{"url": "a.com"}]})").name == name);
    CHECK(refusal(R"({"name": ")" + name + R"(e", "requests": [{"url": "a.com"}]})") ==
          "name: must be a string of 1 to 256 characters");
}

TEST_CASE("a collection: requests") {
    CHECK(refusal(R"({"name": "n"})") == "requests: required");
    CHECK(refusal(R"({"name": "n", "requests": []})") ==
          "requests: must be an array of 1 to 100000 requests");
    CHECK(refusal(R"({"name": "n", "requests": {"url": "a.com"}})") ==
          "requests: must be an array of 1 to 100000 requests");
    CHECK(refusal(R"({"name": "n", "requests": ["a.com"]})") == "requests[0]: must be an object");

    ValidationLimits two;
    two.max_requests = 2;
    CHECK(accepted(with_requests(R"({"url": "a.com"}, {"url": "b.com"})"), two).requests.size() ==
          2);
    CHECK(refusal(with_requests(R"({"url": "a.com"}, {"url": "b.com"}, {"url": "c.com"})"), two) ==
          "requests: must be an array of 1 to 2 requests");
}

TEST_CASE("a collection: callback_url") {
    const auto spec = accepted(
        R"({"name": "n", "requests": [{"url": "a.com"}], "callback_url": "Hooks.example.com/x"})");
    CHECK(spec.callback_url == "https://hooks.example.com/x");
    CHECK_FALSE(accepted(R"({"name": "n", "requests": [{"url": "a.com"}], "callback_url": null})")
                    .callback_url.has_value());
    CHECK_FALSE(accepted(R"({"name": "n", "requests": [{"url": "a.com"}]})").callback_url);
    CHECK(refusal(
              R"({"name": "n", "requests": [{"url": "a.com"}], "callback_url": "ftp://x.com"})") ==
          "callback_url: scheme must be http or https");
    CHECK(refusal(R"({"name": "n", "requests": [{"url": "a.com"}], "callback_url": 5})") ==
          "callback_url: must be a string");
}

TEST_CASE("a request: defaults are filled") {
    const auto request = accepted_request(R"({"url": "www.example.com"})");
    CHECK(request.url == "https://www.example.com/");
    CHECK_FALSE(request.browser);
    CHECK_FALSE(request.screenshot);
    CHECK(request.actions.empty());
    CHECK(request.method == "GET");
    CHECK(request.headers.empty());
    CHECK_FALSE(request.body);
    CHECK(request.timeout_ms == 30000);
    CHECK_FALSE(request.custom_id);

    ValidationLimits limits;
    limits.default_timeout_ms = 12345;
    CHECK(accepted(with_requests(R"({"url": "a.com"})"), limits).requests[0].timeout_ms == 12345);
}

TEST_CASE("a request: null means not given") {
    const auto request = accepted_request(
        R"({"url": "a.com", "browser": null, "screenshot": null, "actions": null, "method": null,
            "headers": null, "body": null, "timeout_ms": null, "custom_id": null})");
    CHECK_FALSE(request.browser);
    CHECK(request.method == "GET");
    CHECK(request.timeout_ms == 30000);
    CHECK_FALSE(request.body);
    CHECK_FALSE(request.custom_id);
}

TEST_CASE("a request: unknown fields are refused with their path") {
    CHECK(request_refusal(R"({"url": "a.com", "foo": 1})") == "requests[0].foo: unknown field");
    CHECK(refusal(with_requests(R"({"url": "a.com"}, {"url": "b.com", "Browser": true})")) ==
          "requests[1].Browser: unknown field");
}

TEST_CASE("a request: url") {
    CHECK(request_refusal(R"({})") == "requests[0].url: required");
    CHECK(request_refusal(R"({"url": null})") == "requests[0].url: required");
    CHECK(request_refusal(R"({"url": 5})") == "requests[0].url: must be a string");
    CHECK(refusal(with_requests(R"({"url": "a.com"}, {"url": "a.com"}, {"url": "ftp://a.com"})")) ==
          "requests[2].url: scheme must be http or https");
    CHECK(request_refusal(R"({"url": "https://"})") == "requests[0].url: must have a host");
    CHECK(request_refusal(R"({"url": "https://u:p@a.com/"})") ==
          "requests[0].url: must not contain credentials");
    CHECK(request_refusal(R"({"url": "https://a.com/)" + std::string(8200, 'x') + R"("})") ==
          "requests[0].url: must be at most 8192 bytes");
    CHECK(accepted_request(R"({"url": "HTTP://A.com:80"})").url == "http://a.com/");
}

TEST_CASE("a request: browser and screenshot") {
    CHECK(request_refusal(R"({"url": "a.com", "browser": "yes"})") ==
          "requests[0].browser: must be true or false");
    CHECK(request_refusal(R"({"url": "a.com", "browser": 1})") ==
          "requests[0].browser: must be true or false");
    CHECK(request_refusal(R"({"url": "a.com", "screenshot": 0})") ==
          "requests[0].screenshot: must be true or false");
    CHECK(refusal(with_requests(
              R"({"url": "a.com"}, {"url": "a.com"}, {"url": "a.com", "screenshot": true})")) ==
          "requests[2].screenshot: needs browser: true");
    const auto request =
        accepted_request(R"({"url": "a.com", "browser": true, "screenshot": true})");
    CHECK(request.browser);
    CHECK(request.screenshot);
}

TEST_CASE("a request: method") {
    CHECK(accepted_request(R"({"url": "a.com", "method": "post"})").method == "POST");
    for (const char* method : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
        CHECK(accepted_request(R"({"url": "a.com", "method": ")" + std::string(method) + "\"}")
                  .method == method);
    }
    CHECK(request_refusal(R"({"url": "a.com", "method": "FETCH"})") ==
          "requests[0].method: must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    CHECK(request_refusal(R"({"url": "a.com", "method": 5})") ==
          "requests[0].method: must be a string");
    CHECK(accepted_request(R"({"url": "a.com", "browser": true, "method": "get"})").method ==
          "GET");
    CHECK(request_refusal(R"({"url": "a.com", "browser": true, "method": "POST"})") ==
          "requests[0].method: browser requests support only GET");
}

TEST_CASE("a request: headers") {
    const auto request =
        accepted_request(R"({"url": "a.com", "headers": {"X-B": "2", "Accept": "text/html"}})");
    CHECK(request.headers == HeaderList{{"X-B", "2"}, {"Accept", "text/html"}});

    CHECK(request_refusal(R"({"url": "a.com", "headers": ["X-A: 1"]})") ==
          "requests[0].headers: must be an object of strings");
    CHECK(request_refusal(R"({"url": "a.com", "headers": {"X-A": 1}})") ==
          "requests[0].headers.X-A: must be a string");
    CHECK(request_refusal(R"({"url": "a.com", "headers": {"bad name": "1"}})") ==
          "requests[0].headers: \"bad name\" is not a valid header name");
    CHECK(request_refusal(R"({"url": "a.com", "headers": {"": "1"}})") ==
          "requests[0].headers: \"\" is not a valid header name");
    CHECK(request_refusal(R"({"url": "a.com", "headers": {"X-A": "a\r\nInjected: 1"}})") ==
          "requests[0].headers.X-A: must not contain CR, LF or NUL");
    CHECK(request_refusal(R"({"url": "a.com", "headers": {"X-A": "a\u0000"}})") ==
          "requests[0].headers.X-A: must not contain CR, LF or NUL");
    CHECK(request_refusal(R"({"url": "a.com", "headers": {"Accept": "a", "accept": "b"}})") ==
          "requests[0].headers.accept: given twice (header names ignore case)");
    for (const char* name : {"Connection", "keep-alive", "Proxy-Connection", "Transfer-Encoding",
                             "TE", "Trailer", "Upgrade"}) {
        CHECK(request_refusal(R"({"url": "a.com", "headers": {")" + std::string(name) +
                              R"(": "x"}})") ==
              "requests[0].headers." + std::string(name) + ": hop-by-hop header not allowed");
    }
    CHECK(request_refusal(R"({"url": "a.com", "headers": {"Host": "b.com"}})") ==
          "requests[0].headers.Host: set from the url, not allowed");
    CHECK(request_refusal(R"({"url": "a.com", "headers": {"content-length": "5"}})") ==
          "requests[0].headers.content-length: set from the body, not allowed");
}

TEST_CASE("a request: body") {
    CHECK(accepted_request(R"({"url": "a.com", "method": "POST", "body": "a=1"})").body == "a=1");
    CHECK(request_refusal(R"({"url": "a.com", "body": 5})") ==
          "requests[0].body: must be a string");
    CHECK(request_refusal(R"({"url": "a.com", "browser": true, "body": "a=1"})") ==
          "requests[0].body: not allowed with browser: true");
}

TEST_CASE("a request: timeout_ms") {
    const std::string rule = "requests[0].timeout_ms: must be an integer between 1000 and 300000";
    CHECK(accepted_request(R"({"url": "a.com", "timeout_ms": 1000})").timeout_ms == 1000);
    CHECK(accepted_request(R"({"url": "a.com", "timeout_ms": 300000})").timeout_ms == 300000);
    CHECK(accepted_request(R"({"url": "a.com", "timeout_ms": 5000.0})").timeout_ms == 5000);
    CHECK(accepted_request(R"({"url": "a.com", "timeout_ms": 5e3})").timeout_ms == 5000);
    CHECK(request_refusal(R"({"url": "a.com", "timeout_ms": 999})") == rule);
    CHECK(request_refusal(R"({"url": "a.com", "timeout_ms": 300001})") == rule);
    CHECK(request_refusal(R"({"url": "a.com", "timeout_ms": 1500.5})") == rule);
    CHECK(request_refusal(R"({"url": "a.com", "timeout_ms": "5000"})") == rule);
    CHECK(request_refusal(R"({"url": "a.com", "timeout_ms": true})") == rule);
    CHECK(request_refusal(R"({"url": "a.com", "timeout_ms": 1e30})") == rule);
    CHECK(request_refusal(R"({"url": "a.com", "timeout_ms": 18446744073709551615})") == rule);
    CHECK(request_refusal(R"({"url": "a.com", "timeout_ms": -9223372036854775808})") == rule);
}

TEST_CASE("a request: custom_id") {
    CHECK(accepted_request(R"({"url": "a.com", "custom_id": "order-7"})").custom_id == "order-7");
    const std::string longest(255, 'c');
    CHECK(accepted_request(R"({"url": "a.com", "custom_id": ")" + longest + "\"}").custom_id ==
          longest);
    CHECK(request_refusal(R"({"url": "a.com", "custom_id": ")" + longest + "c\"}") ==
          "requests[0].custom_id: must be at most 255 characters");
    CHECK(request_refusal(R"({"url": "a.com", "custom_id": 7})") ==
          "requests[0].custom_id: must be a string");
}

TEST_CASE("a request: actions") {
    CHECK(request_refusal(R"({"url": "a.com", "actions": {"type": "click"}})") ==
          "requests[0].actions: must be an array");
    CHECK(request_refusal(R"({"url": "a.com", "actions": ["click"]})") ==
          "requests[0].actions[0]: must be an object");
    // Plain requests accept only wait-for-timeout.
    CHECK(accepted_request(
              R"({"url": "a.com", "actions": [{"type": "wait-for-timeout", "time": 10}]})")
              .actions.size() == 1);
    CHECK(request_refusal(R"({"url": "a.com", "actions": [{"type": "wait-for-timeout", "time": 1},
                                                          {"type": "click", "selector": "a"}]})") ==
          "requests[0].actions[1].type: \"click\" needs browser: true");
}

TEST_CASE("an action: the type field") {
    CHECK(action_refusal(R"({"time": 5})") == "requests[0].actions[0].type: required");
    CHECK(action_refusal(R"({"type": 5})") == "requests[0].actions[0].type: must be a string");
    CHECK(action_refusal(R"({"type": "jump"})") ==
          "requests[0].actions[0].type: unknown action type \"jump\"");
}

TEST_CASE("an action: unknown fields, including another type's") {
    CHECK(action_refusal(R"({"type": "wait-for-timeout", "time": 5, "foo": 1})") ==
          "requests[0].actions[0].foo: unknown field");
    CHECK(action_refusal(R"({"type": "wait-for-timeout", "time": 5, "selector": "a"})") ==
          "requests[0].actions[0].selector: unknown field");
    CHECK(action_refusal(R"({"type": "click", "selector": "a", "time": 5})") ==
          "requests[0].actions[0].time: unknown field");
}

TEST_CASE("an action: on_error and timeout, common to every type") {
    const auto defaults = accepted_action(R"({"type": "click", "selector": "#go"})");
    CHECK(defaults.on_error == OnError::fail);
    CHECK(defaults.timeout_ms == 10000);

    const auto set = accepted_action(
        R"({"type": "wait-for-navigation", "on_error": "skip", "timeout": 300000})");
    CHECK(set.type == ActionType::wait_for_navigation);
    CHECK(set.on_error == OnError::skip);
    CHECK(set.timeout_ms == 300000);

    CHECK(action_refusal(R"({"type": "click", "selector": "a", "on_error": "ignore"})") ==
          "requests[0].actions[0].on_error: must be \"fail\" or \"skip\"");
    CHECK(action_refusal(R"({"type": "click", "selector": "a", "on_error": true})") ==
          "requests[0].actions[0].on_error: must be \"fail\" or \"skip\"");
    CHECK(action_refusal(R"({"type": "click", "selector": "a", "timeout": 0})") ==
          "requests[0].actions[0].timeout: must be an integer between 1 and 300000");
    CHECK(action_refusal(R"({"type": "click", "selector": "a", "timeout": 300001})") ==
          "requests[0].actions[0].timeout: must be an integer between 1 and 300000");
}

TEST_CASE("an action: wait-for-timeout") {
    CHECK(accepted_action(R"({"type": "wait-for-timeout", "time": 0})").time_ms == 0);
    CHECK(accepted_action(R"({"type": "wait-for-timeout", "time": 60000})").time_ms == 60000);
    CHECK(accepted_action(R"({"type": "wait-for-timeout", "time": 5000.0})").time_ms == 5000);
    const std::string rule = "requests[0].actions[0].time: must be an integer between 0 and 60000";
    CHECK(action_refusal(R"({"type": "wait-for-timeout"})") ==
          "requests[0].actions[0].time: required");
    CHECK(action_refusal(R"({"type": "wait-for-timeout", "time": -1})") == rule);
    CHECK(action_refusal(R"({"type": "wait-for-timeout", "time": 60001})") == rule);
    CHECK(action_refusal(R"({"type": "wait-for-timeout", "time": 1.5})") == rule);
    CHECK(action_refusal(R"({"type": "wait-for-timeout", "time": "5000"})") == rule);
    CHECK(refusal(with_requests(R"({"url": "a.com"},
        {"url": "a.com", "actions": [{"type": "wait-for-timeout", "time": 1},
                                     {"type": "wait-for-timeout", "time": 70000}]})")) ==
          "requests[1].actions[1].time: must be an integer between 0 and 60000");
}

TEST_CASE("an action: wait-for-selector") {
    const auto action = accepted_action(R"({"type": "wait-for-selector", "selector": "#main"})");
    CHECK(action.selector == "#main");
    CHECK(action.state == SelectorState::visible);
    CHECK(accepted_action(R"({"type": "wait-for-selector", "selector": "//div", "state": "hidden",
                              "timeout": 500})")
              .state == SelectorState::hidden);
    CHECK(accepted_action(R"({"type": "wait-for-selector", "selector": "a", "state": "attached"})")
              .state == SelectorState::attached);
    CHECK(action_refusal(R"({"type": "wait-for-selector"})") ==
          "requests[0].actions[0].selector: required");
    CHECK(action_refusal(R"({"type": "wait-for-selector", "selector": ""})") ==
          "requests[0].actions[0].selector: must not be empty");
    CHECK(action_refusal(R"({"type": "wait-for-selector", "selector": 5})") ==
          "requests[0].actions[0].selector: must be a string");
    CHECK(action_refusal(R"({"type": "wait-for-selector", "selector": "a", "state": "gone"})") ==
          "requests[0].actions[0].state: must be \"attached\", \"visible\" or \"hidden\"");
}

TEST_CASE("an action: click and hover take a selector") {
    for (const std::string type : {"click", "hover"}) {
        CHECK(accepted_action(R"({"type": ")" + type + R"(", "selector": "a.b"})").selector ==
              "a.b");
        CHECK(action_refusal(R"({"type": ")" + type + "\"}") ==
              "requests[0].actions[0].selector: required");
        CHECK(action_refusal(R"({"type": ")" + type + R"(", "selector": ""})") ==
              "requests[0].actions[0].selector: must not be empty");
    }
}

TEST_CASE("an action: fill and select-option take a selector and a value") {
    for (const std::string type : {"fill", "select-option"}) {
        const auto action =
            accepted_action(R"({"type": ")" + type + R"(", "selector": "#q", "value": "v"})");
        CHECK(action.selector == "#q");
        CHECK(action.value == "v");
        CHECK(accepted_action(R"({"type": ")" + type + R"(", "selector": "#q", "value": ""})")
                  .value.empty());
        CHECK(action_refusal(R"({"type": ")" + type + R"(", "selector": "#q"})") ==
              "requests[0].actions[0].value: required");
        CHECK(action_refusal(R"({"type": ")" + type + R"(", "value": "v"})") ==
              "requests[0].actions[0].selector: required");
        CHECK(action_refusal(R"({"type": ")" + type + R"(", "selector": "#q", "value": 1})") ==
              "requests[0].actions[0].value: must be a string");
    }
}

TEST_CASE("an action: type (typing text)") {
    const auto action =
        accepted_action(R"({"type": "type", "selector": "#q", "text": "hello", "delay": 50})");
    CHECK(action.text == "hello");
    CHECK(action.delay_ms == 50);
    CHECK_FALSE(accepted_action(R"({"type": "type", "selector": "#q", "text": "x"})").delay_ms);
    CHECK(action_refusal(R"({"type": "type", "selector": "#q"})") ==
          "requests[0].actions[0].text: required");
    CHECK(action_refusal(R"({"type": "type", "selector": "#q", "text": "x", "delay": 60001})") ==
          "requests[0].actions[0].delay: must be an integer between 0 and 60000");
    CHECK(action_refusal(R"({"type": "type", "selector": "#q", "text": "x", "delay": -1})") ==
          "requests[0].actions[0].delay: must be an integer between 0 and 60000");
}

TEST_CASE("an action: press") {
    CHECK(accepted_action(R"({"type": "press", "key": "Enter"})").key == "Enter");
    CHECK(action_refusal(R"({"type": "press"})") == "requests[0].actions[0].key: required");
    CHECK(action_refusal(R"({"type": "press", "key": ""})") ==
          "requests[0].actions[0].key: must not be empty");
}

TEST_CASE("an action: scroll") {
    const auto both = accepted_action(R"({"type": "scroll", "x": -500, "y": 1000000})");
    CHECK(both.x == -500);
    CHECK(both.y == 1000000);
    const auto none = accepted_action(R"({"type": "scroll"})");
    CHECK_FALSE(none.x);
    CHECK_FALSE(none.y);
    CHECK(action_refusal(R"({"type": "scroll", "y": 1000001})") ==
          "requests[0].actions[0].y: must be an integer between -1000000 and 1000000");
    CHECK(action_refusal(R"({"type": "scroll", "x": "left"})") ==
          "requests[0].actions[0].x: must be an integer between -1000000 and 1000000");
}

TEST_CASE("an action: scroll-to-bottom") {
    const auto action =
        accepted_action(R"({"type": "scroll-to-bottom", "max_scrolls": 1000, "delay": 0})");
    CHECK(action.max_scrolls == 1000);
    CHECK(action.delay_ms == 0);
    CHECK_FALSE(accepted_action(R"({"type": "scroll-to-bottom"})").max_scrolls);
    CHECK(action_refusal(R"({"type": "scroll-to-bottom", "max_scrolls": 0})") ==
          "requests[0].actions[0].max_scrolls: must be an integer between 1 and 1000");
    CHECK(action_refusal(R"({"type": "scroll-to-bottom", "max_scrolls": 1001})") ==
          "requests[0].actions[0].max_scrolls: must be an integer between 1 and 1000");
    CHECK(action_refusal(R"({"type": "scroll-to-bottom", "delay": 60001})") ==
          "requests[0].actions[0].delay: must be an integer between 0 and 60000");
}

TEST_CASE("an action: wait-for-navigation") {
    CHECK(accepted_action(R"({"type": "wait-for-navigation", "timeout": 2000})").timeout_ms ==
          2000);
    CHECK(action_refusal(R"({"type": "wait-for-navigation", "selector": "a"})") ==
          "requests[0].actions[0].selector: unknown field");
}

TEST_CASE("an action: evaluate") {
    CHECK(accepted_action(R"({"type": "evaluate", "script": "document.title"})").script ==
          "document.title");
    CHECK(action_refusal(R"({"type": "evaluate"})") == "requests[0].actions[0].script: required");
    CHECK(action_refusal(R"({"type": "evaluate", "script": ""})") ==
          "requests[0].actions[0].script: must not be empty");
}
