#include "fetch/target_url.hpp"

#include <catch2/catch.hpp>

using asyncscrape::fetch::parse_target_url;

TEST_CASE("http and https URLs are split for a request", "[url]") {
    const auto plain = parse_target_url("http://Example.COM/a/b?x=1&y=%20#fragment");
    REQUIRE(plain);
    CHECK_FALSE(plain->tls);
    CHECK(plain->host == "example.com");
    CHECK(plain->port == 80);
    CHECK(plain->host_header == "example.com");
    CHECK(plain->target == "/a/b?x=1&y=%20");
    CHECK_FALSE(plain->literal);

    const auto tls = parse_target_url("https://example.com:8443");
    REQUIRE(tls);
    CHECK(tls->tls);
    CHECK(tls->port == 8443);
    CHECK(tls->host_header == "example.com:8443");
    CHECK(tls->target == "/");

    const auto query_only = parse_target_url("http://example.com?q=1");
    REQUIRE(query_only);
    CHECK(query_only->target == "/?q=1");
}

TEST_CASE("address literals are recognised", "[url]") {
    const auto v4 = parse_target_url("http://127.0.0.1:8080/");
    REQUIRE(v4);
    REQUIRE(v4->literal);
    CHECK(v4->literal->to_string() == "127.0.0.1");
    CHECK(v4->host_header == "127.0.0.1:8080");

    const auto v6 = parse_target_url("http://[::ffff:127.0.0.1]/");
    REQUIRE(v6);
    REQUIRE(v6->literal);
    CHECK(v6->literal->is_v6());
    CHECK(v6->host == "::ffff:127.0.0.1");
    CHECK(v6->host_header == "[::ffff:127.0.0.1]");

    // Not dotted quads: left to the resolver (which reads them as 127.0.0.1).
    const auto short_form = parse_target_url("http://127.1/");
    REQUIRE(short_form);
    CHECK_FALSE(short_form->literal);
    CHECK(short_form->host == "127.1");
}

TEST_CASE("anything but an absolute http(s) URL with a host is refused", "[url]") {
    for (const char* url : {"ftp://example.com/", "file:///etc/passwd", "/relative", "example.com",
                            "http://", "http://exa mple.com/", "gopher://x/",
                            // Boost 1.81's parser asserts on these (see redirect_test.cpp)
                            "http:?", "http:#", "https:|", "x:["}) {
        INFO(url);
        CHECK_FALSE(parse_target_url(url));
    }
}
