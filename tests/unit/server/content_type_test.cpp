#include "server/content_type.hpp"

#include <catch2/catch.hpp>

using asyncscrape::server::is_json_media_type;

TEST_CASE("JSON media types are recognised whatever their case and parameters") {
    CHECK(is_json_media_type("application/json"));
    CHECK(is_json_media_type("Application/JSON"));
    CHECK(is_json_media_type("application/json; charset=utf-8"));
    CHECK(is_json_media_type("application/json;charset=latin1"));
    CHECK(is_json_media_type("  application/json  "));
    CHECK(is_json_media_type("application/vnd.api+json"));
    CHECK(is_json_media_type("application/merge-patch+JSON; charset=utf-8"));
}

TEST_CASE("other media types are not JSON") {
    CHECK_FALSE(is_json_media_type(""));
    CHECK_FALSE(is_json_media_type("text/plain"));
    CHECK_FALSE(is_json_media_type("text/json"));
    CHECK_FALSE(is_json_media_type("application/x-www-form-urlencoded"));
    CHECK_FALSE(is_json_media_type("multipart/form-data; boundary=x"));
    CHECK_FALSE(is_json_media_type("application/jsonp"));
    CHECK_FALSE(is_json_media_type("application/+json"));
    CHECK_FALSE(is_json_media_type("application/"));
    CHECK_FALSE(is_json_media_type("json"));
}
