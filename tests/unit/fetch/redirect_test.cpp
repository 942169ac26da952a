#include "fetch/redirect.hpp"

#include <catch2/catch.hpp>

#include <string>

using asyncscrape::HeaderList;
using asyncscrape::fetch::FetchRequest;
using asyncscrape::fetch::follow_redirect;
using asyncscrape::fetch::is_redirect_status;

namespace {

FetchRequest post_to(std::string url) {
    FetchRequest request;
    request.method = "POST";
    request.url = std::move(url);
    request.headers = {
        {"Content-Type", "application/json"}, {"Authorization", "Bearer secret"}, {"X-Trace", "1"}};
    request.body = "{}";
    return request;
}

}  // namespace

TEST_CASE("only 301, 302, 303, 307 and 308 are followed", "[redirect]") {
    for (const int status : {301, 302, 303, 307, 308}) {
        CHECK(is_redirect_status(status));
    }
    for (const int status : {200, 300, 304, 305, 306, 400}) {
        CHECK_FALSE(is_redirect_status(status));
    }
}

TEST_CASE("relative locations resolve against the current URL", "[redirect]") {
    FetchRequest request;
    request.url = "http://example.com/a/b/c?x=1";
    const auto cases = {std::pair{"d", "http://example.com/a/b/d"},
                        std::pair{"../d?y=2", "http://example.com/a/d?y=2"},
                        std::pair{"/root", "http://example.com/root"},
                        std::pair{"//other.example/path", "http://other.example/path"},
                        std::pair{"?z=3", "http://example.com/a/b/c?z=3"},
                        std::pair{"HTTPS://secure.example/#frag", "https://secure.example/"},
                        std::pair{"/with space/é", "http://example.com/with%20space/%C3%A9"}};
    for (const auto& [location, expected] : cases) {
        INFO(location);
        const auto next = follow_redirect(request, 302, location);
        REQUIRE(next);
        CHECK(next->url == expected);
        CHECK(next->method == "GET");
    }
}

TEST_CASE("303 and POST after 301/302 become GET without a body", "[redirect]") {
    for (const int status : {301, 302, 303}) {
        INFO(status);
        const auto next = follow_redirect(post_to("http://example.com/form"), status, "/done");
        REQUIRE(next);
        CHECK(next->method == "GET");
        CHECK_FALSE(next->body);
        // The body's description goes with it; other headers stay.
        CHECK(next->headers == HeaderList{{"Authorization", "Bearer secret"}, {"X-Trace", "1"}});
    }
    FetchRequest put = post_to("http://example.com/form");
    put.method = "PUT";
    CHECK(follow_redirect(put, 302, "/done")->method == "PUT");
    CHECK(follow_redirect(put, 303, "/done")->method == "GET");
}

TEST_CASE("307 and 308 keep the method and the body", "[redirect]") {
    for (const int status : {307, 308}) {
        const auto next = follow_redirect(post_to("http://example.com/form"), status, "/again");
        REQUIRE(next);
        CHECK(next->method == "POST");
        CHECK(next->body == "{}");
        CHECK(next->headers.size() == 3);
    }
}

TEST_CASE("credentials are not sent to another origin", "[redirect]") {
    const auto next = follow_redirect(post_to("http://example.com/"), 307, "https://example.com/");
    REQUIRE(next);
    CHECK(next->headers == HeaderList{{"Content-Type", "application/json"}, {"X-Trace", "1"}});
}

TEST_CASE("redirects to other schemes or to no URL fail", "[redirect]") {
    FetchRequest request;
    request.url = "http://example.com/";
    const auto ftp = follow_redirect(request, 302, "ftp://example.com/file");
    REQUIRE_FALSE(ftp);
    CHECK(ftp.error().detail == "redirect to unsupported scheme 'ftp'");
    CHECK_FALSE(follow_redirect(request, 302, "javascript:alert(1)"));
    CHECK_FALSE(follow_redirect(request, 302, "http://[bad/"));
}

// Boost 1.81's parser asserts (aborting debug builds) on a scheme followed by an empty path and
// more, such as "http:?" (the collection_body fuzz target found it in URL normalisation); a
// Location with a scheme and no "//" has no host anyway.
TEST_CASE("a Location with a scheme but no host fails without reaching the parser", "[redirect]") {
    FetchRequest request;
    request.url = "http://example.com/a/b";
    for (const char* location : {"http:?", "HTTP:#", "https:|", "http:foo"}) {
        INFO(location);
        const auto next = follow_redirect(request, 302, location);
        REQUIRE_FALSE(next);
        CHECK(next.error().detail == "redirect: invalid Location '" + std::string(location) + "'");
    }
    const auto other = follow_redirect(request, 302, "x:[");
    REQUIRE_FALSE(other);
    CHECK(other.error().detail == "redirect to unsupported scheme 'x'");
    CHECK(follow_redirect(request, 302, "c?d:e")->url == "http://example.com/a/c?d:e");
}
